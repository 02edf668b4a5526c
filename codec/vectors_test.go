package codec

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/internal/jsonpatch"
	"github.com/snapdelta/snapdelta/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden vectors in ../testdata/vectors and the fuzz seeds in testdata/fuzz")

// vectorsDir holds the golden vectors (docs/wire-format.md, "Test
// vectors"): one folder per case with next.json, base.json for a delta
// (absent for a full frame) and frame.bin.
const vectorsDir = "../testdata/vectors"

type vector struct {
	name       string
	base, next *snapshot.Snapshot // base nil: a full frame
	frame      []byte             // frame.bin as stored (nil when missing)
}

// loadVectors reads every vector; the frames may be missing when updating.
func loadVectors(t testing.TB) []vector {
	t.Helper()
	entries, err := os.ReadDir(vectorsDir)
	if err != nil {
		t.Fatalf("golden vectors: %v", err)
	}
	var vs []vector
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(vectorsDir, e.Name())
		v := vector{name: e.Name()}
		v.next = parseFile(t, filepath.Join(dir, "next.json"))
		if _, err := os.Stat(filepath.Join(dir, "base.json")); err == nil {
			v.base = parseFile(t, filepath.Join(dir, "base.json"))
		}
		v.frame, err = os.ReadFile(filepath.Join(dir, "frame.bin"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		t.Fatalf("no golden vectors in %s", vectorsDir)
	}
	return vs
}

func parseFile(t testing.TB, path string) *snapshot.Snapshot {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// encodeVector returns the frame this build writes for v.
func encodeVector(t testing.TB, v vector) []byte {
	t.Helper()
	if hb, ok := handBuilt[v.name]; ok {
		enc, err := NewEncoder(hb.opts...)
		if err != nil {
			t.Fatal(err)
		}
		frame, err := enc.AppendDelta(nil, hb.delta(t, v.base, v.next))
		if err != nil {
			t.Fatalf("%s: AppendDelta: %v", v.name, err)
		}
		return frame
	}
	if v.base == nil {
		return mustEncodeFull(t, v.next)
	}
	if v.name == "worked-example" {
		// Raw, so that docs/wire-format.md can read it byte by byte (the
		// default encoder compresses its body with zstd dictionary 2).
		enc, err := NewEncoder(WithoutCompression())
		if err != nil {
			t.Fatal(err)
		}
		frame, err := enc.AppendDelta(nil, mustDiff(t, v.base, v.next))
		if err != nil {
			t.Fatal(err)
		}
		return frame
	}
	return mustEncodeDelta(t, v.base, v.next)
}

// handBuilt gives the deltas of the vectors written by hand instead of by
// delta.Diff, and the encoder options they are written with: forms every
// reader must take that Diff never writes (move, copy and test operations,
// base items named by key, a time shift to a fixed layout).
var handBuilt = map[string]struct {
	delta func(t testing.TB, base, next *snapshot.Snapshot) *delta.Delta
	opts  []EncoderOption
}{
	"hand-built": {handBuiltDelta, []EncoderOption{WithDictionary(NoDictionary)}},
	// Raw, so that the hex strings can be read in frame.bin.
	"hex-strings": {hexStringsDelta, []EncoderOption{WithoutCompression()}},
}

func handBuiltDelta(t testing.TB, base, next *snapshot.Snapshot) *delta.Delta {
	val := func(doc string) *snapshot.Node { return mustParse(t, doc).Root() }
	return &delta.Delta{Base: base.Hash(), Target: next.Hash(), Edits: []delta.Edit{
		{Kind: delta.Keyed, Path: []string{"items"}, Collection: &delta.CollectionEdit{
			Rule:     "Id",
			Remove:   []string{"b"},
			RemoveAt: []int{3},
			Put: []delta.Item{
				{Key: "c", Index: -1, Value: val(`{"Id":"c","v":30,"tags":["z"]}`)},
				{Index: 1, Value: val(`{"Id":"f","v":6,"tags":[]}`)},
				// Built from "b", which this same edit removes.
				{Index: 3, HasFrom: true, From: 1, Ops: []delta.Op{
					{Kind: delta.OpReplace, Path: "/Id", Value: val(`"e"`)},
					{Kind: delta.OpIncrement, Path: "/v", Int: 3},
				}},
			},
			Patch: []delta.ItemPatch{{Key: "a", Ops: []delta.Op{
				{Kind: delta.OpTest, Path: "/v", Value: val(`1`)},
				{Kind: delta.OpReplace, Path: "/v", Value: val(`5`)},
				{Kind: delta.OpIncrement, Path: "/v", Int: 10}, // reads the 5 just written
				{Kind: delta.OpCopy, Path: "/tags/-", From: "/tags/0"},
				{Kind: delta.OpRemove, Path: "/tags/1"},
			}}},
			Order: []int{3, 0, 1, 2},
		}},
		{Kind: delta.Patch, Path: []string{"list"}, Ops: []delta.Op{
			{Kind: delta.OpTest, Path: "/0", Value: val(`1`)},
			{Kind: delta.OpCopy, Path: "/-", From: "/0"},
			{Kind: delta.OpMove, Path: "/0", From: "/2"},
		}},
		{Kind: delta.Patch, Path: []string{"t"}, Ops: []delta.Op{
			{Kind: delta.OpShiftTime, Path: "", Int: 2e9, Layout: delta.LayoutFixed0},
		}},
	}}
}

// hexStringsDelta is the delta of the hex-strings vector, written by hand
// to name base items by key: hex strings (format 5) as item keys, values
// and splice text.
func hexStringsDelta(t testing.TB, base, next *snapshot.Snapshot) *delta.Delta {
	val := func(doc string) *snapshot.Node { return mustParse(t, doc).Root() }
	strings, _ := next.Root().Get("strings")
	return &delta.Delta{Base: base.Hash(), Target: next.Hash(), Edits: []delta.Edit{
		{Kind: delta.Keyed, Path: []string{"containers"}, Collection: &delta.CollectionEdit{
			Rule:   "Id",
			Remove: []string{"d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4b6c8d0e2f4a6b8c0d2e4"},
			Patch: []delta.ItemPatch{{Key: "4f1c0a6be2d04a7e9e0f3b6b51e8d8e2c3a9f0b1d2e3f4a5b6c7d8e9f0a1b2c3", Ops: []delta.Op{
				{Kind: delta.OpReplace, Path: "/EndpointID", Value: val(`"bd5445925d5c5bab664caf33f2200415be75b1d614ce3c323809278245e3dd48"`)},
				{Kind: delta.OpReplace, Path: "/ImageID", Value: val(`"sha256:03fec3470187343fd22462cfaf381570c2c458f45f46dc82446a0ed597efe50d"`)},
			}}},
		}},
		{Kind: delta.Patch, Path: []string{"pod"}, Ops: []delta.Op{
			{Kind: delta.OpSplice, Path: "/containerID", Prefix: len("containerd://"), Suffix: 0,
				Text: "6e369f1610f8b12ee14a4b2d6f40dfe23caab2b7f736ca9aeb4f73545c1342e9"},
		}},
		{Kind: delta.Set, Path: []string{"strings"}, Value: strings},
	}}
}

// TestVectors checks the golden vectors both ways: this build encodes each
// case to exactly frame.bin, and decodes frame.bin back to next.json.
// Run with -update to rewrite frame.bin after an intended format change.
func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			frame := encodeVector(t, v)
			path := filepath.Join(vectorsDir, v.name, "frame.bin")
			if *update {
				if err := os.WriteFile(path, frame, 0o644); err != nil {
					t.Fatal(err)
				}
				v.frame = frame
			}
			if v.frame == nil {
				t.Fatalf("%s is missing; run go test ./codec -run Vectors -update", path)
			}
			if !bytes.Equal(frame, v.frame) {
				t.Errorf("encoding differs from %s:\n got  % x\n want % x", path, frame, v.frame)
			}
			got, err := defaultDecoder.Apply(v.base, v.frame)
			if err != nil {
				t.Fatalf("Apply(frame.bin): %v", err)
			}
			sameSnapshot(t, got, v.next)
			f, err := Decode(v.frame)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case v.base == nil && (f.Header.Kind != Full || f.Root != v.next.Hash()):
				t.Errorf("full vector decodes as %s frame naming %016x", f.Header.Kind, f.Root)
			case v.name == "patch-from" && (f.Header.Kind != PatchFrom || !f.NamesBase(v.base.Hash()) || !f.NeedsBase()):
				t.Errorf("patch-from vector decodes as %s frame", f.Header.Kind)
			case v.base != nil && v.name != "patch-from" && (f.Header.Kind != DeltaKind || !f.NamesBase(v.base.Hash()) || f.Delta.Target != v.next.Hash()):
				t.Errorf("delta vector decodes as %s frame", f.Header.Kind)
			}
		})
	}
	if *update {
		writeFuzzSeeds(t, vs)
	}
}

// TestVectorsCover checks that the vectors exercise what the wire format
// document promises they do: every operation kind (the time shift in both
// wire forms), every form of a collection put, base items named by
// position and by key, both dictionaries.
func TestVectorsCover(t *testing.T) {
	has := map[string]bool{}
	for _, v := range loadVectors(t) {
		if v.frame == nil {
			continue
		}
		f, err := Decode(v.frame)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		has[f.Header.Kind.String()+"/"+f.Header.Compression.String()] = true
		has[fmt.Sprintf("version %d dictionary %d", f.Header.Version, f.Header.Dictionary)] = true
		if f.hex[0] > 0 {
			has["hex string"] = true
		}
		if f.hex[1] > 0 {
			has["prefixed hex string"] = true
		}
		if f.texts != nil {
			for _, pt := range f.texts.items {
				if pt.copies != 0 {
					has["put [nil, index, like, length, copies]"] = true
				}
				for i := range memberCopies {
					if pt.copies&(1<<i) != 0 {
						has[fmt.Sprintf("copied member rule %d", i)] = true
					}
				}
			}
		}
		if f.Delta == nil {
			continue
		}
		if f.Delta.Empty() {
			has["empty delta"] = true
		}
		for _, pt := range f.ticks {
			kind := "counting"
			if pt.tick.humanized {
				kind = "humanized"
			}
			has[kind+" status tick"] = true
			if len(pt.tick.except) > 0 {
				has[kind+" status tick leaving items alone"] = true
			}
		}
		for _, e := range f.Delta.Edits {
			has[e.Kind.String()] = true
			place := func() *snapshot.Node { return nodeAtPath(v.base.Root(), e.Path) }
			coverOps(has, e.Ops, place)
			c := e.Collection
			if c == nil {
				continue
			}
			item := func(key string, at int, byPos bool) func() *snapshot.Node {
				return func() *snapshot.Node {
					arr := place()
					if byPos {
						return arr.Elem(at)
					}
					coll, _ := snapshot.CollectionBy(arr, snapshot.MustParseRule(c.Rule))
					i, _ := coll.Lookup(key)
					return arr.Elem(i)
				}
			}
			if c.Order != nil {
				has["order"] = true
			}
			if len(c.Remove) > 0 {
				has["remove by key"] = true
			}
			if len(c.RemoveAt) > 0 {
				has["remove by position"] = true
			}
			for k, p := range c.Patch {
				has[fmt.Sprintf("patch by position %v", p.ByPos)] = true
				// A grouped entry decodes to patches sharing one list; a
				// shape run to patches with the same operations but for
				// their numbers, by consecutive entries of the frame.
				if k > 0 && len(p.Ops) > 0 && len(c.Patch[k-1].Ops) > 0 && &c.Patch[k-1].Ops[0] == &p.Ops[0] {
					has["patch [[first, gap, ...], ops]"] = true
				}
				if k > 0 && p.ByPos && c.Patch[k-1].ByPos && len(p.Ops) > 0 && &c.Patch[k-1].Ops[0] != &p.Ops[0] &&
					bytes.Equal(appendShapeKey(nil, p.Ops), appendShapeKey(nil, c.Patch[k-1].Ops)) &&
					!bytes.Equal(appendOpsKey(nil, p.Ops), appendOpsKey(nil, c.Patch[k-1].Ops)) {
					has["patch [[first, gap, ...], ops, columns]"] = true
				}
				coverOps(has, p.Ops, item(p.Key, p.At, p.ByPos))
			}
			for _, it := range c.Put {
				switch {
				case it.HasFrom:
					has["put [nil, index, from, ops]"] = true
					coverOps(has, it.Ops, item("", it.From, true))
				case it.Index >= 0 && it.Value == nil && len(it.Like) > 0:
					has["put [nil, index, like, length]"] = true
				case it.Index >= 0 && it.Value == nil:
					has["put [nil, index, [], length]"] = true
				case it.Index >= 0:
					has["put [nil, index, value]"] = true
				default:
					has[fmt.Sprintf("put [ref, -1, value] by position %v", it.ByPos)] = true
				}
			}
		}
	}
	want := []string{
		"full/zstd-block", "delta/none", "delta/zstd-block", "patch-from/zstd", "empty delta", "set", "remove", "patch", "collection",
		"hex string", "prefixed hex string",
		fmt.Sprintf("version %d dictionary 0", Version), fmt.Sprintf("version %d dictionary %d", Version, BuiltinDictionary3),
		"counting status tick", "counting status tick leaving items alone",
		"humanized status tick", "humanized status tick leaving items alone",
		"order", "remove by key", "remove by position", "patch by position true", "patch by position false",
		"patch [[first, gap, ...], ops]", "patch [[first, gap, ...], ops, columns]",
		"put [ref, -1, value] by position true", "put [ref, -1, value] by position false",
		"put [nil, index, value]", "put [nil, index, from, ops]", "put [nil, index, like, length]",
		"increment of a number", "increment of a string", "time shift in seconds", "time shift in nanoseconds",
		"time layout trimmed", "time layout fixed 0 digits", "time layout fixed 6 digits",
	}
	want = append(want, "put [nil, index, like, length, copies]")
	for i := range memberCopies {
		want = append(want, fmt.Sprintf("copied member rule %d", i))
	}
	for k := delta.OpAdd; k <= delta.OpIncrementText; k++ {
		if k.String() != "unknown" {
			want = append(want, "op "+k.String())
		}
	}
	for _, w := range want {
		if !has[w] {
			t.Errorf("no golden vector has %s", w)
		}
	}
}

// coverOps notes the operation kinds of ops, and for increments and time
// shifts what they apply to; place returns the value the operations patch,
// as the base holds it.
func coverOps(has map[string]bool, ops []delta.Op, place func() *snapshot.Node) {
	for _, o := range ops {
		has["op "+o.Kind.String()] = true
		switch o.Kind {
		case delta.OpIncrement:
			if n, ok := nodeAtPointer(place(), o.Path); ok {
				has["increment of a "+n.Kind().String()] = true
			}
		case delta.OpShiftTime:
			if o.Int%int64(time.Second) == 0 {
				has["time shift in seconds"] = true
			} else {
				has["time shift in nanoseconds"] = true
			}
			if o.Layout == delta.LayoutTrimmed {
				has["time layout trimmed"] = true
			} else {
				has[fmt.Sprintf("time layout fixed %d digits", o.Layout-delta.LayoutFixed0)] = true
			}
		}
	}
}

// nodeAtPath walks member names from n.
func nodeAtPath(n *snapshot.Node, path []string) *snapshot.Node {
	for _, p := range path {
		n, _ = n.Get(p)
	}
	return n
}

// nodeAtPointer walks a JSON Pointer from n.
func nodeAtPointer(n *snapshot.Node, ptr string) (*snapshot.Node, bool) {
	tokens, err := jsonpatch.ParsePointer(ptr)
	if err != nil {
		return nil, false
	}
	for _, tok := range tokens {
		switch n.Kind() {
		case snapshot.Object:
			c, ok := n.Get(tok)
			if !ok {
				return nil, false
			}
			n = c
		case snapshot.Array:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= n.Len() {
				return nil, false
			}
			n = n.Elem(i)
		default:
			return nil, false
		}
	}
	return n, true
}

// writeFuzzSeeds stores the fuzz seeds as files in testdata/fuzz/FuzzDecode
// ("go test fuzz v1" format), so that plain go test runs them too.
func writeFuzzSeeds(t *testing.T, vs []vector) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, frame := range fuzzSeeds(t, vs) {
		data := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", frame)
		if err := os.WriteFile(filepath.Join(dir, "seed-"+name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
