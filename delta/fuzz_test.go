package delta_test

import (
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

// FuzzRoundTrip: for any two JSON documents, Apply(a, Diff(a, b)) is b, in
// both directions, and neither call panics. Seeds are in
// testdata/fuzz/FuzzRoundTrip.
func FuzzRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if len(a) > 1<<16 || len(b) > 1<<16 {
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
			if d, err := safeRoundTrip(p[0], p[1], true); err != nil {
				t.Fatalf("%v\nbase:   %s\ntarget: %s\ndelta:\n%s", err, p[0].MarshalCanonical(), p[1].MarshalCanonical(), describeOrNil(d))
			}
		}
	})
}

// FuzzMutate: a fuzzed document against itself changed by the property
// tests' random mutations (keyed-collection reorders, duplicate and lost
// identities, type changes), which byte-level fuzzing of two documents
// rarely produces. Seeds are in testdata/fuzz/FuzzMutate.
func FuzzMutate(f *testing.F) {
	f.Fuzz(func(t *testing.T, doc []byte, seed uint64) {
		if len(doc) > 1<<16 {
			return
		}
		a, err := snapshot.Parse(doc)
		if err != nil {
			return
		}
		g := newGen(seed)
		b := snapshot.New(g.mutate(a.Root()), nil)
		if seed%2 == 0 {
			b = reparse(b)
		}
		for _, p := range [][2]*snapshot.Snapshot{{a, b}, {b, a}} {
			if d, err := safeRoundTrip(p[0], p[1], true); err != nil {
				t.Fatalf("%v\nbase:   %s\ntarget: %s\ndelta:\n%s", err, p[0].MarshalCanonical(), p[1].MarshalCanonical(), describeOrNil(d))
			}
		}
	})
}
