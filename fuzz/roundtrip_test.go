package fuzz

import (
	"bytes"
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
// costs at most 32 bytes and applies to its base as itself.
func FuzzRoundTrip(f *testing.F) {
	dec, err := codec.NewDecoder()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if len(a) > maxFuzzJSON || len(b) > maxFuzzJSON {
			return
		}
		sa, err := snapshot.Parse(a)
		if err != nil {
			return
		}
		sb, err := snapshot.Parse(b)
		if err != nil {
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
