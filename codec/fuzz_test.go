package codec

import (
	"bytes"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// allOpsDelta returns a base and a delta that patches it with every RFC 6902
// operation kind, and the snapshot it yields.
func allOpsDelta(t testing.TB) (base *snapshot.Snapshot, d *delta.Delta, next *snapshot.Snapshot) {
	t.Helper()
	base = mustParse(t, `{"a":[1,2,3]}`)
	next = mustParse(t, `{"a":[true,3,1,2]}`)
	num := func(s string) *snapshot.Node { return mustParse(t, s).Root() }
	d = &delta.Delta{Base: base.Hash(), Target: next.Hash(), Edits: []delta.Edit{{
		Kind: delta.Patch,
		Path: []string{"a"},
		Ops: []delta.Op{
			{Kind: delta.OpTest, Path: "/0", Value: num("1")},
			{Kind: delta.OpMove, Path: "/2", From: "/0"},
			{Kind: delta.OpCopy, Path: "/-", From: "/0"},
			{Kind: delta.OpAdd, Path: "/0", Value: num(`"x"`)},
			{Kind: delta.OpRemove, Path: "/1"},
			{Kind: delta.OpReplace, Path: "/0", Value: num("true")},
		},
	}}}
	return base, d, next
}

// fuzzSeeds returns the frames FuzzDecode starts from: the golden vectors
// and a few hand-picked frames.
func fuzzSeeds(t testing.TB, vs []vector) map[string][]byte {
	seeds := map[string][]byte{}
	for _, v := range vs {
		seeds["vector-"+v.name] = encodeVector(t, v)
	}
	base, d, _ := allOpsDelta(t)
	ops, err := EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	seeds["all-ops"] = ops
	seeds["no-change"] = mustEncodeDelta(t, base, base)
	seeds["full-scalar"] = mustEncodeFull(t, mustParse(t, `-0.5e3`))
	seeds["full-nested"] = mustEncodeFull(t, mustParse(t, `{"a":[{"id":1,"b":[null,true,false,"\u00e9"]},{"id":2}],"":{}}`))
	seeds["full-zstd"] = mustEncodeFull(t, mustParse(t, dockerDoc(10, 3)))
	return seeds
}

// fuzzBases are the snapshots a fuzzed delta frame may apply to.
func fuzzBases(t testing.TB, vs []vector) map[uint64]*snapshot.Snapshot {
	bases := map[uint64]*snapshot.Snapshot{}
	for _, v := range vs {
		if v.base != nil {
			bases[v.base.Hash()] = v.base
		}
	}
	base, _, _ := allOpsDelta(t)
	bases[base.Hash()] = base
	return bases
}

// FuzzDecode checks that no input makes the decoder panic or fail with an
// error outside its sentinels, that a decoded full frame re-encodes to a
// frame that decodes to the same snapshot, and that a decoded delta
// re-encodes stably and applies without surprises.
func FuzzDecode(f *testing.F) {
	vs := loadVectors(f)
	for _, frame := range fuzzSeeds(f, vs) {
		f.Add(frame)
	}
	bases := fuzzBases(f, vs)
	small, err := NewDecoder(WithMaxDecodedSize(1<<16), WithMaxDepth(16), WithMaxItems(1<<10))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		if _, err := small.Decode(frame); err != nil && !isSentinel(err) {
			t.Fatalf("small decoder: error matches no sentinel: %v", err)
		}
		fr, err := Decode(frame)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			return
		}
		switch fr.Header.Kind {
		case Full:
			if fr.Snapshot.Hash() != fr.Root {
				t.Fatalf("full frame decoded to root %016x, names %016x", fr.Snapshot.Hash(), fr.Root)
			}
			again, err := EncodeFull(fr.Snapshot)
			if err != nil {
				t.Fatalf("re-encode full: %v", err)
			}
			back, err := Decode(again)
			if err != nil {
				t.Fatalf("decode re-encoded full frame: %v", err)
			}
			sameSnapshot(t, back.Snapshot, fr.Snapshot)
		case DeltaKind:
			if fr.NeedsBase() {
				// Items coded against a base this target does not have.
				return
			}
			again, err := EncodeDelta(fr.Delta)
			if err != nil {
				t.Fatalf("re-encode delta: %v", err)
			}
			back, err := Decode(again)
			if err != nil {
				t.Fatalf("decode re-encoded delta frame: %v", err)
			}
			twice, err := EncodeDelta(back.Delta)
			if err != nil {
				t.Fatalf("re-encode delta twice: %v", err)
			}
			if !bytes.Equal(again, twice) {
				t.Fatalf("delta encoding is not stable:\n% x\n% x", again, twice)
			}
			base := bases[fr.Delta.Base]
			if base == nil {
				return
			}
			got, err := defaultDecoder.Apply(base, frame)
			if err != nil {
				if !isSentinel(err) {
					t.Fatalf("apply: error matches no sentinel: %v", err)
				}
				return
			}
			if got.Hash() != fr.Delta.Target {
				t.Fatalf("apply rebuilt %016x, the frame names %016x", got.Hash(), fr.Delta.Target)
			}
		}
	})
}
