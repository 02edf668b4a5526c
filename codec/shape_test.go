package codec

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
)

// nodesDoc returns n Kubernetes-like nodes whose heartbeats and
// resourceVersions moved by each node's own amount at poll p: the shape
// runs' case.
func nodesDoc(n, p int, rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString(`{"nodes":[`)
	t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		hb := t0.Add(time.Duration(p*60+rng.IntN(15)) * time.Second).Format(time.RFC3339)
		fmt.Fprintf(&b, `{"metadata":{"name":"node-%d","uid":"u%d","resourceVersion":"%d"},"status":{"conditions":[`+
			`{"type":"Ready","lastHeartbeatTime":%q},{"type":"DiskPressure","lastHeartbeatTime":%q}]}}`,
			i, i, 1000+p*500+rng.IntN(400), hb, hb)
	}
	b.WriteString(`]}`)
	return b.String()
}

// TestShapeRuns checks that item patches differing only in their numbers
// travel as one shape run (format 6), that it rebuilds the snapshot, and
// that it is smaller than the patches one by one.
func TestShapeRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := mustParse(t, nodesDoc(20, 0, rng))
	next := mustParse(t, nodesDoc(20, 1, rng))
	d := mustDiff(t, base, next)
	patches := d.Edits[0].Collection.Patch
	groups, shaped := groupPatches(patches, true)
	if len(groups) != 1 || len(groups[0]) != 20 || !shaped[0] {
		t.Fatalf("groups %v, want one shape run of 20", groups)
	}
	sizes := map[uint8]int{}
	for _, version := range []uint8{5, 6} {
		enc, err := NewEncoder(WithVersion(version))
		if err != nil {
			t.Fatal(err)
		}
		frame, err := enc.AppendDelta(nil, d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Apply(base, frame)
		if err != nil {
			t.Fatalf("format %d: %v", version, err)
		}
		sameSnapshot(t, got, next)
		sizes[version] = len(frame)
		info, err := Inspect(frame)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[uint8]int{5: 0, 6: 20}[version]; info.Collections[0].ShapeRun != want {
			t.Errorf("format %d: Inspect counts %d items in shape runs, want %d", version, info.Collections[0].ShapeRun, want)
		}
	}
	// 20 nodes: 228 bytes in format 5, 131 in format 6 when written.
	if sizes[6] >= sizes[5]*3/4 {
		t.Errorf("format 6 frame of %d bytes, format 5 of %d: want a quarter less", sizes[6], sizes[5])
	}
}

// TestShapeRunsRoundTrip applies shape runs over 2,000 generated polls,
// among them runs too short to group, runs of identical patches, and
// numbers whose differences overflow.
func TestShapeRunsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	shaped := 0
	for k := range 2000 {
		n := 1 + rng.IntN(12)
		base := mustParse(t, nodesDoc(n, k, rng))
		next := mustParse(t, nodesDoc(n, k+1+rng.IntN(3), rng))
		frame := mustEncodeDelta(t, base, next)
		got, err := Apply(base, frame)
		if err != nil {
			t.Fatalf("poll %d, %d nodes: %v", k, n, err)
		}
		sameSnapshot(t, got, next)
		if info, err := Inspect(frame); err == nil && len(info.Collections) > 0 && info.Collections[0].ShapeRun > 0 {
			shaped++
		}
	}
	if shaped < 1000 {
		t.Errorf("%d of 2000 frames hold a shape run: the test no longer exercises them", shaped)
	}
	// Differences past int64 between neighbours' increments: the patches
	// stay in runs of identical operations.
	const big = 5_000_000_000_000_000_000
	var patches []delta.ItemPatch
	var bn, nn []string
	for i := range 4 {
		by := int64(big)
		if i%2 == 1 {
			by = -big
		}
		patches = append(patches, delta.ItemPatch{At: i, ByPos: true, Ops: []delta.Op{{Kind: delta.OpIncrement, Path: "/n", Int: by}}})
		bn = append(bn, fmt.Sprintf(`{"id":%d,"n":%d}`, i, -by/5*4))
		nn = append(nn, fmt.Sprintf(`{"id":%d,"n":%d}`, i, by/5))
	}
	groups, runs := groupPatches(patches, true)
	for gi, g := range groups {
		if runs != nil && runs[gi] {
			t.Errorf("overflowing columns grouped as %v", g)
		}
	}
	base := mustParse(t, `{"c":[`+strings.Join(bn, ",")+`]}`)
	next := mustParse(t, `{"c":[`+strings.Join(nn, ",")+`]}`)
	applyPatches(t, base, next, patches)
}

// TestShapeRunKeepsPatchesOfOneItemApart checks that two patches of one
// item (a hand-built delta: Diff never writes them) keep their order
// instead of joining a run, which names each item once.
func TestShapeRunKeepsPatchesOfOneItemApart(t *testing.T) {
	inc := func(at int, by int64) delta.ItemPatch {
		return delta.ItemPatch{At: at, ByPos: true, Ops: []delta.Op{{Kind: delta.OpIncrement, Path: "/n", Int: by}}}
	}
	patches := []delta.ItemPatch{inc(0, 1), inc(1, 2), inc(2, 3), inc(0, 4), inc(3, 5)}
	groups, _ := groupPatches(patches, true)
	for _, g := range groups {
		if slices.ContainsFunc(g, func(i int) bool { return patches[i].At == 0 }) && len(g) > 1 {
			t.Fatalf("run %v holds a patch of item 0, patched twice", g)
		}
	}
	base := mustParse(t, `{"c":[{"id":0,"n":0},{"id":1,"n":0},{"id":2,"n":0},{"id":3,"n":0}]}`)
	next := mustParse(t, `{"c":[{"id":0,"n":5},{"id":1,"n":2},{"id":2,"n":3},{"id":3,"n":5}]}`)
	applyPatches(t, base, next, patches)
	// Item 0's increment follows its replacement: a run placed at item 1's
	// patch, first in the list, would apply it before (10, not 12).
	replace := delta.ItemPatch{At: 0, ByPos: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/n", Value: mustParse(t, `10`).Root()}}}
	patches = []delta.ItemPatch{inc(1, 1), replace, inc(0, 2), inc(2, 3), inc(3, 4)}
	next = mustParse(t, `{"c":[{"id":0,"n":12},{"id":1,"n":1},{"id":2,"n":3},{"id":3,"n":4}]}`)
	applyPatches(t, base, next, patches)
	// The same with item 0 replaced by key: the key may name any item.
	patches[1] = delta.ItemPatch{Key: "0", Ops: replace.Ops}
	applyPatches(t, base, next, patches)
	// And a run of identical patches (format 3) around a patch by key.
	same := func(at int) delta.ItemPatch { return inc(at, 2) }
	patches = []delta.ItemPatch{same(1), {Key: "0", Ops: replace.Ops}, same(0), same(2)}
	next = mustParse(t, `{"c":[{"id":0,"n":12},{"id":1,"n":2},{"id":2,"n":2},{"id":3,"n":0}]}`)
	applyPatches(t, base, next, patches)
}

// applyPatches encodes patches of base's collection c as a delta to next
// and checks the frame rebuilds next.
func applyPatches(t *testing.T, base, next *snapshot.Snapshot, patches []delta.ItemPatch) {
	t.Helper()
	d := &delta.Delta{Base: base.Hash(), Target: next.Hash(), Edits: []delta.Edit{
		{Kind: delta.Keyed, Path: []string{"c"}, Collection: &delta.CollectionEdit{Rule: "id", Patch: patches}},
	}}
	frame, err := EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Apply(base, frame)
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got, next)
}

// TestShapeRunHostile checks that readers refuse malformed shape runs.
func TestShapeRunHostile(t *testing.T) {
	base := mustParse(t, `{"c":[{"id":0,"n":1,"t":"2026-03-14T09:00:00Z","s":"x"},{"id":1,"n":1,"t":"2026-03-14T09:00:00Z","s":"x"}]}`)
	next := mustParse(t, `{"c":[{"id":0,"n":3,"t":"2026-03-14T09:01:00Z","s":"x"},{"id":1,"n":4,"t":"2026-03-14T09:01:02Z","s":"x"}]}`)
	type column = []int64
	// run writes [[0, 1], [[7, "/n", 2], [8, "/t", 60, 0], [3, "/s", "x"]], columns].
	run := func(columns ...any) func(*msgpack.Encoder) {
		return func(enc *msgpack.Encoder) {
			_ = enc.EncodeArrayLen(1)
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeArrayLen(2)
			_ = enc.EncodeInt(0)
			_ = enc.EncodeInt(1)
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeUint(uint64(delta.OpIncrement))
			_ = enc.EncodeString("/n")
			_ = enc.EncodeInt(2)
			_ = enc.EncodeArrayLen(4)
			_ = enc.EncodeUint(wireShiftSeconds)
			_ = enc.EncodeString("/t")
			_ = enc.EncodeInt(60)
			_ = enc.EncodeUint(0)
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeUint(uint64(delta.OpReplace))
			_ = enc.EncodeString("/s")
			_ = enc.EncodeString("x")
			_ = enc.EncodeArrayLen(len(columns))
			for _, c := range columns {
				col, ok := c.(column)
				if !ok {
					_ = enc.Encode(c)
					continue
				}
				_ = enc.EncodeArrayLen(len(col))
				for _, v := range col {
					_ = enc.EncodeInt(v)
				}
			}
		}
	}
	frame := func(version uint8, entries func(*msgpack.Encoder)) []byte {
		return handCollectionFrame(version, base.Hash(), next.Hash(), noEntries, entries, false, nil)
	}
	good := frame(Version, run(column{1}, column{2}, nil))
	got, err := Apply(base, good)
	if err != nil {
		t.Fatalf("the hand-written shape run does not apply: %v", err)
	}
	sameSnapshot(t, got, next)
	for _, tt := range []struct {
		name  string
		frame []byte
		want  error
	}{
		{"a shape run in a format 5 frame", frame(5, run(column{1}, column{2}, nil)), ErrCorrupt},
		{"no column", frame(Version, run(nil, nil, nil)), ErrCorrupt},
		{"a column for a replace", frame(Version, run(column{1}, column{2}, column{0})), ErrCorrupt},
		{"too few columns", frame(Version, run(column{1}, column{2})), ErrCorrupt},
		{"too many columns", frame(Version, run(column{1}, column{2}, nil, nil)), ErrCorrupt},
		{"a column too short", frame(Version, run(column{}, column{2}, nil)), ErrCorrupt},
		{"a column too long", frame(Version, run(column{1, 1}, column{2}, nil)), ErrCorrupt},
		{"a column of strings", frame(Version, run([]string{"1"}, column{2}, nil)), ErrCorrupt},
		{"an increment past int64", frame(Version, run(column{math.MaxInt64}, column{2}, nil)), ErrCorrupt},
		{"a time shift past int64 nanoseconds", frame(Version, run(column{1}, column{math.MaxInt64 / int64(time.Second)}, nil)), ErrCorrupt},
		// Item 1 counted up by 2 instead of 3: the target root refuses it.
		{"another number", frame(Version, run(column{0}, column{2}, nil)), ErrVerify},
	} {
		if _, err := Apply(base, tt.frame); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	// A run of many operations over many items counts every copy.
	many := func(enc *msgpack.Encoder) {
		_ = enc.EncodeArrayLen(1)
		_ = enc.EncodeArrayLen(3)
		_ = enc.EncodeArrayLen(2000)
		_ = enc.EncodeInt(0)
		for range 1999 {
			_ = enc.EncodeInt(1)
		}
		_ = enc.EncodeArrayLen(1000)
		for range 1000 {
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeUint(uint64(delta.OpIncrement))
			_ = enc.EncodeString("/n")
			_ = enc.EncodeInt(1)
		}
		_ = enc.EncodeArrayLen(1000)
		_ = enc.EncodeArrayLen(1999)
		for range 1999 {
			_ = enc.EncodeInt(0)
		}
		for range 999 {
			_ = enc.EncodeNil()
		}
	}
	if _, err := Decode(frame(Version, many)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("two million operations from a %d-byte frame: %v, want ErrTooLarge", len(frame(Version, many)), err)
	}
}
