package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// maxNoChangeFrame is the design's bound on a poll with no change.
const maxNoChangeFrame = 32

// FuzzRoundTrip runs any two JSON documents through the whole pipeline, in
// both directions: parse, delta.Diff, codec encode, decode and Apply must
// rebuild the target exactly (same root, same canonical bytes, numbers with
// their literal text), and so must a full frame of it; a poll with no change
// costs at most 32 bytes and applies to its base as itself. Parsing either
// document against the other (snapshot.ParseNext, as the agent parses
// each poll) builds exactly what a fresh parse builds, or fails alike.
func FuzzRoundTrip(f *testing.F) {
	dec, err := codec.NewDecoder()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if len(a) > maxFuzzJSON || len(b) > maxFuzzJSON {
			return
		}
		sa, errA := snapshot.Parse(a)
		sb, errB := snapshot.Parse(b)
		// The agent parses each poll against the previous one, reusing
		// the items whose text is unchanged.
		if errA == nil {
			parseNext(t, b, sb, errB, sa)
		}
		if errB == nil {
			parseNext(t, a, sa, errA, sb)
		}
		if errA != nil || errB != nil {
			return
		}
		for _, p := range [][2]*snapshot.Snapshot{{sa, sb}, {sb, sa}} {
			roundTrip(t, dec, p[0], p[1])
		}
		for _, s := range []*snapshot.Snapshot{sa, sb} {
			full, err := codec.EncodeFull(s)
			if err != nil {
				t.Fatalf("encode full: %v", err)
			}
			got, err := dec.Apply(nil, full)
			if err != nil {
				t.Fatalf("full frame of %.200s: %v", canon(s), err)
			}
			sameSnapshot(t, "full frame", got, s)
			noChange(t, dec, s)
		}
	})
}

// roundTrip checks that the delta frame from base to next rebuilds next.
func roundTrip(t *testing.T, dec *codec.Decoder, base, next *snapshot.Snapshot) {
	t.Helper()
	d, err := delta.Diff(base, next)
	if err != nil {
		t.Fatalf("Diff: %v\nbase %.300s\nnext %.300s", err, canon(base), canon(next))
	}
	frame, err := codec.EncodeDelta(d)
	if err != nil {
		t.Fatalf("EncodeDelta: %v", err)
	}
	got, err := dec.Apply(base, frame)
	if err != nil {
		t.Fatalf("apply delta frame: %v\nbase %.300s\nnext %.300s", err, canon(base), canon(next))
	}
	sameSnapshot(t, "delta frame", got, next)
	// The receiver re-parses nothing, but whatever it rebuilt must read
	// back as itself from its canonical JSON.
	again, err := snapshot.Parse(got.MarshalCanonical())
	if err != nil || again.Hash() != next.Hash() {
		t.Fatalf("canonical JSON of the result re-parses to %v, %v", canon(again), err)
	}
}

// noChange checks the cost and effect of a delta frame from s to itself.
func noChange(t *testing.T, dec *codec.Decoder, s *snapshot.Snapshot) {
	t.Helper()
	d, err := delta.Diff(s, s)
	if err != nil {
		t.Fatal(err)
	}
	frame, err := codec.EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(frame) > maxNoChangeFrame {
		t.Fatalf("no-change frame of %d bytes, the design allows %d", len(frame), maxNoChangeFrame)
	}
	got, err := dec.Apply(s, frame)
	if err != nil {
		t.Fatalf("no-change frame: %v", err)
	}
	if got.Hash() != s.Hash() || !bytes.Equal(got.MarshalCanonical(), s.MarshalCanonical()) {
		t.Fatalf("no-change frame rebuilt %.200s", canon(got))
	}
}

// parseNext checks that ParseNext(text, prev) is Parse(text): the same
// error class, or the same value with the same collections.
func parseNext(t *testing.T, text []byte, fresh *snapshot.Snapshot, freshErr error, prev *snapshot.Snapshot) {
	t.Helper()
	got, err := snapshot.DefaultConfig().ParseNext(text, prev)
	if (err == nil) != (freshErr == nil) {
		t.Fatalf("ParseNext: %v, Parse: %v", err, freshErr)
	}
	if err != nil {
		for _, class := range []error{snapshot.ErrSyntax, snapshot.ErrTooDeep, snapshot.ErrTooLarge} {
			if errors.Is(err, class) != errors.Is(freshErr, class) {
				t.Fatalf("ParseNext: %v, Parse: %v", err, freshErr)
			}
		}
		return
	}
	sameSnapshot(t, "ParseNext", got, fresh)
	if path, ok := sameShape(got.Root(), fresh.Root(), ""); !ok {
		t.Fatalf("ParseNext and Parse disagree on the collection at %q", path)
	}
}

// sameShape reports whether a and b, equal values, have the same keyed
// collections, and where not.
func sameShape(a, b *snapshot.Node, path string) (string, bool) {
	ca, cb := a.Collection(), b.Collection()
	if (ca == nil) != (cb == nil) || ca != nil && (ca.Rule().String() != cb.Rule().String() || !slices.Equal(ca.Keys(), cb.Keys())) {
		return path, false
	}
	switch a.Kind() {
	case snapshot.Array:
		for i := range a.Len() {
			if p, ok := sameShape(a.Elem(i), b.Elem(i), fmt.Sprintf("%s/%d", path, i)); !ok {
				return p, false
			}
		}
	case snapshot.Object:
		bv := b.Values()
		for i, k := range a.Keys() {
			if p, ok := sameShape(a.Values()[i], bv[i], path+"/"+k); !ok {
				return p, false
			}
		}
	}
	return "", true
}
