package fuzz

import (
	"bytes"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/snapshot"
)

// maxFuzzJSON bounds the base documents the targets parse: larger inputs
// only slow the fuzzer down without reaching new code.
const maxFuzzJSON = 64 << 10

// FuzzApplyFrame applies an arbitrary frame to an arbitrary base (the base
// is JSON; when it does not parse the frame is applied to no base). Neither
// the default decoder nor one with tight limits may panic or fail with an
// error outside codec's sentinels, and Decode, Inspect and Apply must agree
// on whether a frame is well formed. A snapshot Apply returns must have the
// root the frame names, leave the base untouched, re-parse from its
// canonical JSON to the same hash and bytes, and fit in a full frame that
// decodes back to it: nothing a frame builds is something a full frame
// could not carry.
func FuzzApplyFrame(f *testing.F) {
	small, err := codec.NewDecoder(codec.WithMaxDecodedSize(1<<16), codec.WithMaxDepth(24), codec.WithMaxItems(1<<12))
	if err != nil {
		f.Fatal(err)
	}
	std, err := codec.NewDecoder()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, baseJSON, frame []byte) {
		if len(baseJSON) > maxFuzzJSON {
			return
		}
		var base *snapshot.Snapshot
		var before []byte
		if s, err := snapshot.Parse(baseJSON); err == nil {
			base, before = s, s.MarshalCanonical()
		}
		for _, dec := range []struct {
			name string
			d    *codec.Decoder
		}{{"default", std}, {"small", small}} {
			checkApply(t, dec.name, dec.d, std, base, frame)
			if base != nil && !bytes.Equal(base.MarshalCanonical(), before) {
				t.Fatalf("%s decoder: Apply changed its base", dec.name)
			}
		}
	})
}

// checkApply is FuzzApplyFrame's check of one decoder; std decodes the full
// frame of what dec builds.
func checkApply(t *testing.T, name string, dec, std *codec.Decoder, base *snapshot.Snapshot, frame []byte) {
	t.Helper()
	fr, derr := dec.Decode(frame)
	_, ierr := dec.Inspect(frame)
	got, aerr := dec.Apply(base, frame)
	for _, err := range []error{derr, ierr, aerr} {
		if err != nil && !isSentinel(err) {
			t.Fatalf("%s decoder: error matches no sentinel: %v", name, err)
		}
	}
	if (derr == nil) != (ierr == nil) {
		t.Fatalf("%s decoder: Decode says %v, Inspect says %v", name, derr, ierr)
	}
	if derr != nil {
		if aerr == nil {
			t.Fatalf("%s decoder: Apply accepted a frame Decode refuses (%v)", name, derr)
		}
		return
	}
	var want uint64
	switch fr.Header.Kind {
	case codec.Full:
		want = fr.Root
		if aerr != nil {
			t.Fatalf("%s decoder: full frame decodes but does not apply: %v", name, aerr)
		}
	case codec.PatchFrom:
		if aerr != nil {
			return
		}
		if base == nil || !fr.NamesBase(base.Hash()) {
			t.Fatalf("%s decoder: patch-from frame for base %s applied to %s", name, fr.BaseName(), canon(base))
		}
		// The target root travels inside the compressed body.
		if _, err := fr.Apply(base); err != nil {
			t.Fatalf("%s decoder: the patch-from frame applies through Decoder.Apply, not Frame.Apply: %v", name, err)
		}
		want = fr.Root
	default:
		want = fr.Delta.Target
		if aerr != nil {
			return
		}
		if base == nil || !fr.NamesBase(base.Hash()) {
			t.Fatalf("%s decoder: delta for base %s applied to %s", name, fr.BaseName(), canon(base))
		}
	}
	if got.Hash() != want {
		t.Fatalf("%s decoder: rebuilt root %s, the frame names %s", name, snapshot.FormatHash(got.Hash()), snapshot.FormatHash(want))
	}
	text := got.MarshalCanonical()
	again, err := snapshot.Parse(text)
	if err != nil {
		t.Fatalf("%s decoder: canonical JSON of the result does not parse: %v\n%.300s", name, err, text)
	}
	if again.Hash() != got.Hash() || !again.Equal(got) || !bytes.Equal(again.MarshalCanonical(), text) {
		t.Fatalf("%s decoder: result re-parses to another snapshot:\n%.300s\n%.300s", name, text, again.MarshalCanonical())
	}
	full, err := codec.EncodeFull(got)
	if err != nil {
		t.Fatalf("%s decoder: full frame of the result: %v", name, err)
	}
	back, err := std.Decode(full)
	if err != nil {
		t.Fatalf("%s decoder: full frame of the result does not decode: %v", name, err)
	}
	if back.Snapshot.Hash() != got.Hash() || !back.Snapshot.Equal(got) {
		t.Fatalf("%s decoder: full frame of the result decodes to %.300s", name, canon(back.Snapshot))
	}
}
