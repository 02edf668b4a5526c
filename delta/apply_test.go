package delta_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

const applyBase = `{"c":[{"Id":"a","v":1},{"Id":"b","v":2},{"Id":"c","v":3}],"m":{"x":1,"l":[1,2]},"n":5,"pos":[{"Id":"d"},{"Id":"d"}],` +
	`"s":{"e":"😀ab","t":"2021-08-17T10:00:00Z","rv":"123","big":9223372036854775807,"f":1.5,"b":true,"l":[1]}}`

func TestApplyErrors(t *testing.T) {
	base := parse(t, applyBase)
	h := base.Hash()
	one := func(e delta.Edit) *delta.Delta {
		return &delta.Delta{Base: h, Target: h ^ 1, Edits: []delta.Edit{e}}
	}
	coll := func(ce delta.CollectionEdit) *delta.Delta {
		if ce.Rule == "" {
			ce.Rule = "Id"
		}
		return one(delta.Edit{Path: []string{"c"}, Kind: delta.Keyed, Collection: &ce})
	}
	patch := func(ops ...delta.Op) *delta.Delta {
		return one(delta.Edit{Path: []string{"m"}, Kind: delta.Patch, Ops: ops})
	}
	itemPatch := func(key string, ops ...delta.Op) *delta.Delta {
		return coll(delta.CollectionEdit{Patch: []delta.ItemPatch{{Key: key, Ops: ops}}})
	}
	v := num("9")
	item := parse(t, `{"Id":"z"}`).Root()
	scalar := func(o delta.Op) *delta.Delta {
		return one(delta.Edit{Path: []string{"s"}, Kind: delta.Patch, Ops: []delta.Op{o}})
	}
	valid, err := delta.Diff(base, parse(t, strings.Replace(applyBase, `{"Id":"b","v":2},{"Id":"c","v":3}`, `{"Id":"c","v":4}`, 1)))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		d    *delta.Delta
		want error
	}{
		{"nil delta", nil, delta.ErrCorrupt},
		{"wrong base", &delta.Delta{Base: h + 1, Target: h}, delta.ErrUnknownBase},
		{"wrong base with edits", &delta.Delta{Base: ^h, Target: valid.Target, Edits: valid.Edits}, delta.ErrUnknownBase},
		{"tampered target", &delta.Delta{Base: h, Target: valid.Target ^ 1<<63, Edits: valid.Edits}, delta.ErrVerify},
		{"tampered target, no edits", &delta.Delta{Base: h, Target: h + 1}, delta.ErrVerify},
		{"edits that build another snapshot", one(delta.Edit{Path: []string{"n"}, Kind: delta.Set, Value: v}), delta.ErrVerify},
		{"edit kind 0", one(delta.Edit{Path: []string{"n"}}), delta.ErrCorrupt},
		{"edit kind 5", one(delta.Edit{Path: []string{"n"}, Kind: 5, Value: v}), delta.ErrCorrupt},
		{"edit kind 255", one(delta.Edit{Path: []string{"n"}, Kind: 255}), delta.ErrCorrupt},
		{"set without value", one(delta.Edit{Path: []string{"n"}, Kind: delta.Set}), delta.ErrCorrupt},
		{"set under missing member", one(delta.Edit{Path: []string{"missing", "x"}, Kind: delta.Set, Value: v}), delta.ErrCorrupt},
		{"set under a number", one(delta.Edit{Path: []string{"n", "x"}, Kind: delta.Set, Value: v}), delta.ErrCorrupt},
		{"set under an array", one(delta.Edit{Path: []string{"c", "0"}, Kind: delta.Set, Value: v}), delta.ErrCorrupt},
		{"set through an array", one(delta.Edit{Path: []string{"m", "l", "0", "x"}, Kind: delta.Set, Value: v}), delta.ErrCorrupt},
		{"remove missing member", one(delta.Edit{Path: []string{"missing"}, Kind: delta.Remove}), delta.ErrCorrupt},
		{"remove under missing member", one(delta.Edit{Path: []string{"missing", "x"}, Kind: delta.Remove}), delta.ErrCorrupt},
		{"remove the root", one(delta.Edit{Path: nil, Kind: delta.Remove}), delta.ErrCorrupt},
		{"remove from an array", one(delta.Edit{Path: []string{"m", "l", "0"}, Kind: delta.Remove}), delta.ErrCorrupt},
		{"patch without ops", patch(), delta.ErrCorrupt},
		{"patch at missing member", one(delta.Edit{Path: []string{"missing"}, Kind: delta.Patch, Ops: []delta.Op{{Kind: delta.OpRemove, Path: "/x"}}}), delta.ErrCorrupt},
		{"op kind 0", patch(delta.Op{Path: "/x"}), delta.ErrCorrupt},
		{"op kind 100", patch(delta.Op{Kind: 100, Path: "/x", Value: v}), delta.ErrCorrupt},
		{"op kind 255", patch(delta.Op{Kind: 255, Path: "/x", Value: v}), delta.ErrCorrupt},
		{"op remove missing path", patch(delta.Op{Kind: delta.OpRemove, Path: "/nope"}), delta.ErrCorrupt},
		{"op replace missing path", patch(delta.Op{Kind: delta.OpReplace, Path: "/nope/deeper", Value: v}), delta.ErrCorrupt},
		{"op add past the end", patch(delta.Op{Kind: delta.OpAdd, Path: "/l/3", Value: v}), delta.ErrCorrupt},
		{"op add huge index", patch(delta.Op{Kind: delta.OpAdd, Path: "/l/99999999999999999999", Value: v}), delta.ErrCorrupt},
		{"op bad pointer", patch(delta.Op{Kind: delta.OpReplace, Path: "x", Value: v}), delta.ErrCorrupt},
		{"op bad escape", patch(delta.Op{Kind: delta.OpReplace, Path: "/~2", Value: v}), delta.ErrCorrupt},
		{"op move from missing", patch(delta.Op{Kind: delta.OpMove, From: "/nope", Path: "/y"}), delta.ErrCorrupt},
		{"op move into own child", patch(delta.Op{Kind: delta.OpMove, From: "/l", Path: "/l/0"}), delta.ErrCorrupt},
		{"op test fails", patch(delta.Op{Kind: delta.OpTest, Path: "/x", Value: v}), delta.ErrCorrupt},
		{"op remove root", patch(delta.Op{Kind: delta.OpRemove, Path: ""}), delta.ErrCorrupt},
		{"collection without content", one(delta.Edit{Path: []string{"c"}, Kind: delta.Keyed}), delta.ErrCorrupt},
		{"collection at missing member", one(delta.Edit{Path: []string{"missing"}, Kind: delta.Keyed, Collection: &delta.CollectionEdit{Rule: "Id"}}), delta.ErrCorrupt},
		{"collection at an object", one(delta.Edit{Path: []string{"m"}, Kind: delta.Keyed, Collection: &delta.CollectionEdit{Rule: "Id", Remove: []string{"x"}}}), delta.ErrCorrupt},
		{"collection at a number", one(delta.Edit{Path: []string{"n"}, Kind: delta.Keyed, Collection: &delta.CollectionEdit{Rule: "Id"}}), delta.ErrCorrupt},
		{"collection at positional array", one(delta.Edit{Path: []string{"pos"}, Kind: delta.Keyed, Collection: &delta.CollectionEdit{Rule: "Id", Remove: []string{"d"}}}), delta.ErrCorrupt},
		{"collection with invalid rule", coll(delta.CollectionEdit{Rule: "a..b"}), delta.ErrCorrupt},
		{"collection with rule not held", coll(delta.CollectionEdit{Rule: "Name", Remove: []string{"a"}}), delta.ErrCorrupt},
		{"remove missing key", coll(delta.CollectionEdit{Remove: []string{"zz"}}), delta.ErrCorrupt},
		{"remove key twice", coll(delta.CollectionEdit{Remove: []string{"a", "a"}}), delta.ErrCorrupt},
		{"patch missing key", itemPatch("zz", delta.Op{Kind: delta.OpReplace, Path: "/v", Value: v}), delta.ErrCorrupt},
		{"patch removed key", coll(delta.CollectionEdit{Remove: []string{"a"}, Patch: []delta.ItemPatch{{Key: "a", Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/v", Value: v}}}}}), delta.ErrCorrupt},
		{"item patch without ops", itemPatch("a"), delta.ErrCorrupt},
		{"item patch bad op kind", itemPatch("a", delta.Op{Kind: 99, Path: "/v"}), delta.ErrCorrupt},
		{"item patch missing path", itemPatch("a", delta.Op{Kind: delta.OpRemove, Path: "/nope"}), delta.ErrCorrupt},
		{"item patch replaces item with array", itemPatch("a", delta.Op{Kind: delta.OpReplace, Path: "", Value: parse(t, "[1]").Root()}), delta.ErrVerify},
		{"replace missing key", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "zz", Index: -1, Value: item}}}), delta.ErrCorrupt},
		{"replace removed key", coll(delta.CollectionEdit{Remove: []string{"a"}, Put: []delta.Item{{Key: "a", Index: -1, Value: item}}}), delta.ErrCorrupt},
		{"put without value", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: 0}}}), delta.ErrCorrupt},
		{"insert past the end", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: 4, Value: item}}}), delta.ErrCorrupt},
		{"insert past the end after removal", coll(delta.CollectionEdit{Remove: []string{"a"}, Put: []delta.Item{{Key: "z", Index: 3, Value: item}}}), delta.ErrCorrupt},
		{"insert at huge index", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: math.MaxInt, Value: item}}}), delta.ErrCorrupt},
		{"insert at negative index", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: -2, Value: item}}}), delta.ErrCorrupt},
		{"insert at most negative index", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "a", Index: math.MinInt, Value: item}}}), delta.ErrCorrupt},
		{"inserts out of order", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "y", Index: 1, Value: item}, {Key: "z", Index: 0, Value: item}}}), delta.ErrCorrupt},
		{"inserts at one index", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "y", Index: 1, Value: item}, {Key: "z", Index: 1, Value: item}}}), delta.ErrCorrupt},
		{"order too short", coll(delta.CollectionEdit{Order: []int{0, 1}}), delta.ErrCorrupt},
		{"order too long", coll(delta.CollectionEdit{Order: []int{0, 1, 2, 3}}), delta.ErrCorrupt},
		{"order repeats", coll(delta.CollectionEdit{Order: []int{0, 1, 1}}), delta.ErrCorrupt},
		{"order negative", coll(delta.CollectionEdit{Order: []int{0, 1, -1}}), delta.ErrCorrupt},
		{"order out of range", coll(delta.CollectionEdit{Order: []int{0, 1, 3}}), delta.ErrCorrupt},
		{"order huge", coll(delta.CollectionEdit{Order: []int{0, 1, math.MaxInt}}), delta.ErrCorrupt},
		{"order empty but not nil", coll(delta.CollectionEdit{Order: []int{}}), delta.ErrCorrupt},
		// Format 2: base items named by position.
		{"remove position past the end", coll(delta.CollectionEdit{RemoveAt: []int{3}}), delta.ErrCorrupt},
		{"remove negative position", coll(delta.CollectionEdit{RemoveAt: []int{-1}}), delta.ErrCorrupt},
		{"remove huge position", coll(delta.CollectionEdit{RemoveAt: []int{math.MaxInt}}), delta.ErrCorrupt},
		{"remove position twice", coll(delta.CollectionEdit{RemoveAt: []int{1, 1}}), delta.ErrCorrupt},
		{"remove by key and by position", coll(delta.CollectionEdit{Remove: []string{"a"}, RemoveAt: []int{0}}), delta.ErrCorrupt},
		{"patch position past the end", coll(delta.CollectionEdit{Patch: []delta.ItemPatch{{At: 3, ByPos: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/v", Value: v}}}}}), delta.ErrCorrupt},
		{"patch negative position", coll(delta.CollectionEdit{Patch: []delta.ItemPatch{{At: -1, ByPos: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/v", Value: v}}}}}), delta.ErrCorrupt},
		{"patch removed position", coll(delta.CollectionEdit{RemoveAt: []int{0}, Patch: []delta.ItemPatch{{At: 0, ByPos: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/v", Value: v}}}}}), delta.ErrCorrupt},
		{"replace position past the end", coll(delta.CollectionEdit{Put: []delta.Item{{At: 3, ByPos: true, Index: -1, Value: item}}}), delta.ErrCorrupt},
		{"replace removed position", coll(delta.CollectionEdit{RemoveAt: []int{2}, Put: []delta.Item{{At: 2, ByPos: true, Index: -1, Value: item}}}), delta.ErrCorrupt},
		// The position names the item; a key that disagrees is not read,
		// and the root check catches the wrong result.
		{"position and key disagree", coll(delta.CollectionEdit{Patch: []delta.ItemPatch{{Key: "a", At: 1, ByPos: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/v", Value: num("1")}}}}}), delta.ErrVerify},
		// Format 2: new items built from a base item.
		{"item built from position past the end", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: 0, From: 3, HasFrom: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/Id", Value: str("z")}}}}}), delta.ErrCorrupt},
		{"item built from negative position", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: 0, From: -1, HasFrom: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/Id", Value: str("z")}}}}}), delta.ErrCorrupt},
		{"item built without ops", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: 0, From: 0, HasFrom: true}}}), delta.ErrCorrupt},
		{"item built with failing ops", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: 0, From: 0, HasFrom: true, Ops: []delta.Op{{Kind: delta.OpRemove, Path: "/nope"}}}}}), delta.ErrCorrupt},
		{"item built in place", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "a", Index: -1, From: 1, HasFrom: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/v", Value: v}}}}}), delta.ErrCorrupt},
		{"item built past the end", coll(delta.CollectionEdit{Put: []delta.Item{{Key: "z", Index: 4, From: 0, HasFrom: true, Ops: []delta.Op{{Kind: delta.OpReplace, Path: "/Id", Value: str("z")}}}}}), delta.ErrCorrupt},
		// Format 2: scalar transforms.
		{"increment of a non-integer string", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/e", Int: 1}), delta.ErrCorrupt},
		{"increment of a fraction", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/f", Int: 1}), delta.ErrCorrupt},
		{"increment of a bool", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/b", Int: 1}), delta.ErrCorrupt},
		{"increment of an array", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/l", Int: 1}), delta.ErrCorrupt},
		{"increment of the item itself", scalar(delta.Op{Kind: delta.OpIncrement, Path: "", Int: 1}), delta.ErrCorrupt},
		{"increment that overflows", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/big", Int: 1}), delta.ErrCorrupt},
		{"increment that underflows", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/rv", Int: math.MinInt64}), delta.ErrVerify},
		{"increment of a missing member", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/zz", Int: 1}), delta.ErrCorrupt},
		{"increment through a scalar", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/rv/0", Int: 1}), delta.ErrCorrupt},
		{"increment past an array's end", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/l/1", Int: 1}), delta.ErrCorrupt},
		{"increment at a leading-zero index", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/l/00", Int: 1}), delta.ErrCorrupt},
		{"increment at a signed index", scalar(delta.Op{Kind: delta.OpIncrement, Path: "/l/+0", Int: 1}), delta.ErrCorrupt},
		{"increment with a bad pointer", scalar(delta.Op{Kind: delta.OpIncrement, Path: "rv", Int: 1}), delta.ErrCorrupt},
		{"time shift of a non-time", scalar(delta.Op{Kind: delta.OpShiftTime, Path: "/e", Int: 1e9}), delta.ErrCorrupt},
		{"time shift of a number", scalar(delta.Op{Kind: delta.OpShiftTime, Path: "/big", Int: 1e9}), delta.ErrCorrupt},
		{"time shift with layout 11", scalar(delta.Op{Kind: delta.OpShiftTime, Path: "/t", Int: 1e9, Layout: 11}), delta.ErrCorrupt},
		{"time shift with layout 255", scalar(delta.Op{Kind: delta.OpShiftTime, Path: "/t", Int: 1e9, Layout: 255}), delta.ErrCorrupt},
		{"time shift out of range", scalar(delta.Op{Kind: delta.OpShiftTime, Path: "/t", Int: math.MaxInt64}), delta.ErrVerify},
		{"splice past the end", scalar(delta.Op{Kind: delta.OpSplice, Path: "/e", Prefix: 7}), delta.ErrCorrupt},
		{"splice keeping too much", scalar(delta.Op{Kind: delta.OpSplice, Path: "/e", Prefix: 4, Suffix: 3}), delta.ErrCorrupt},
		{"splice negative prefix", scalar(delta.Op{Kind: delta.OpSplice, Path: "/e", Prefix: -1}), delta.ErrCorrupt},
		{"splice negative suffix", scalar(delta.Op{Kind: delta.OpSplice, Path: "/e", Suffix: -1}), delta.ErrCorrupt},
		{"splice huge suffix", scalar(delta.Op{Kind: delta.OpSplice, Path: "/e", Prefix: 1, Suffix: math.MaxInt}), delta.ErrCorrupt},
		{"splice inside a rune", scalar(delta.Op{Kind: delta.OpSplice, Path: "/e", Prefix: 2, Suffix: 0}), delta.ErrCorrupt},
		{"splice inserting invalid UTF-8", scalar(delta.Op{Kind: delta.OpSplice, Path: "/e", Prefix: 4, Suffix: 2, Text: "\xff"}), delta.ErrCorrupt},
		{"splice of a number", scalar(delta.Op{Kind: delta.OpSplice, Path: "/big", Prefix: 1}), delta.ErrCorrupt},
		// Format 3: increment of a number inside a string.
		{"text increment without digits", scalar(delta.Op{Kind: delta.OpIncrementText, Path: "/e", Int: 1}), delta.ErrCorrupt},
		{"text increment past the last run", scalar(delta.Op{Kind: delta.OpIncrementText, Path: "/t", Int: 1, Run: 6}), delta.ErrCorrupt},
		{"text increment of a negative run", scalar(delta.Op{Kind: delta.OpIncrementText, Path: "/rv", Int: 1, Run: -1}), delta.ErrCorrupt},
		{"text increment of a leading-zero run", scalar(delta.Op{Kind: delta.OpIncrementText, Path: "/t", Int: 1, Run: 1}), delta.ErrCorrupt},
		{"text increment below zero", scalar(delta.Op{Kind: delta.OpIncrementText, Path: "/rv", Int: -124}), delta.ErrCorrupt},
		{"text increment that overflows", scalar(delta.Op{Kind: delta.OpIncrementText, Path: "/rv", Int: math.MaxInt64}), delta.ErrCorrupt},
		{"text increment of a number", scalar(delta.Op{Kind: delta.OpIncrementText, Path: "/big", Int: 1}), delta.ErrCorrupt},
		{"operation kind 10", scalar(delta.Op{Kind: 10, Path: "/rv", Int: 1}), delta.ErrCorrupt},
		{"operation kind 12", scalar(delta.Op{Kind: 12, Path: "/rv", Int: 1}), delta.ErrCorrupt},
		{"a bad edit after good ones", &delta.Delta{Base: h, Target: valid.Target, Edits: append(append([]delta.Edit{}, valid.Edits...), delta.Edit{Path: []string{"zz"}, Kind: delta.Remove})}, delta.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustFail(t, base, tt.d, tt.want)
		})
	}
	// The valid delta still applies: the failures above left base usable.
	if _, err := delta.Apply(base, valid); err != nil {
		t.Fatalf("valid delta after failures: %v", err)
	}
}

// TestApplyErrorMessages: an error names the edit that failed and where.
func TestApplyErrorMessages(t *testing.T) {
	base := parse(t, applyBase)
	d := &delta.Delta{Base: base.Hash(), Target: 1, Edits: []delta.Edit{
		{Path: []string{"n"}, Kind: delta.Set, Value: num("6")},
		{Path: []string{"m", "a/b"}, Kind: delta.Remove},
	}}
	_, err := delta.Apply(base, d)
	if want := `delta: apply: edit 1 (remove /m/a~1b): no such member: corrupt delta`; err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
}

// TestApplyCorruptedDeltas corrupts valid deltas at random, field by field:
// Apply must either rebuild the target exactly or fail with one of the
// package's errors, and never panic or touch the base.
func TestApplyCorruptedDeltas(t *testing.T) {
	g := newGen(99)
	for i := range pairs() / 3 {
		a := snapshot.New(g.object(3), nil)
		b := snapshot.New(g.mutate(a.Root()), nil)
		d, err := delta.Diff(a, b)
		if err != nil {
			t.Fatal(err)
		}
		before := a.MarshalCanonical()
		bad := corrupt(g, d)
		got, err := safeApply(a, bad)
		switch {
		case err == nil:
			if !got.Equal(b) || got.Hash() != bad.Target {
				t.Fatalf("case %d: corrupted delta applied to a wrong snapshot\n%s", i, describe(bad))
			}
		case !errors.Is(err, delta.ErrCorrupt) && !errors.Is(err, delta.ErrVerify) && !errors.Is(err, delta.ErrUnknownBase):
			t.Fatalf("case %d: error %v matches none of the sentinels\n%s", i, err, describe(bad))
		}
		if err := baseUnchanged(a, before); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
}

// corrupt returns a deep enough copy of d with one field changed.
func corrupt(g *gen, d *delta.Delta) *delta.Delta {
	c := *d
	c.Edits = make([]delta.Edit, len(d.Edits))
	for i, e := range d.Edits {
		e.Path = append([]string(nil), e.Path...)
		e.Ops = append([]delta.Op(nil), e.Ops...)
		if e.Collection != nil {
			ce := *e.Collection
			ce.Remove = append([]string(nil), ce.Remove...)
			ce.Put = append([]delta.Item(nil), ce.Put...)
			ce.Patch = append([]delta.ItemPatch(nil), ce.Patch...)
			for j := range ce.Patch {
				ce.Patch[j].Ops = append([]delta.Op(nil), ce.Patch[j].Ops...)
			}
			ce.Order = append([]int(nil), ce.Order...)
			if d.Edits[i].Collection.Order == nil {
				ce.Order = nil
			}
			e.Collection = &ce
		}
		c.Edits[i] = e
	}
	r := g.r
	if len(c.Edits) == 0 || r.IntN(10) == 0 {
		c.Edits = append(c.Edits, delta.Edit{Path: []string{g.key()}, Kind: delta.EditKind(r.IntN(6)), Value: g.value(1)})
		return &c
	}
	e := &c.Edits[r.IntN(len(c.Edits))]
	corruptOp := func(ops []delta.Op) {
		if len(ops) == 0 {
			return
		}
		o := &ops[r.IntN(len(ops))]
		switch r.IntN(5) {
		case 0:
			o.Kind = delta.OpKind(r.IntN(8))
		case 1:
			o.Path += "/" + g.key()
		case 2:
			o.From = "/" + g.key()
		case 3:
			o.Value = g.value(2)
		default:
			o.Path = o.Path[:len(o.Path)/2]
		}
	}
	switch r.IntN(6) {
	case 0:
		e.Kind = delta.EditKind(r.IntN(6))
	case 1:
		if len(e.Path) > 0 && r.IntN(2) == 0 {
			e.Path[r.IntN(len(e.Path))] = g.key()
		} else {
			e.Path = append(e.Path, g.key())
		}
	case 2:
		e.Value = g.value(2)
	case 3:
		corruptOp(e.Ops)
	default:
		ce := e.Collection
		if ce == nil {
			e.Ops = append(e.Ops, delta.Op{Kind: delta.OpRemove, Path: "/" + g.key()})
			break
		}
		switch r.IntN(8) {
		case 0:
			ce.Rule = g.pick(append(rulePool, "", "a..b", "+", "x"))
		case 1:
			ce.Remove = append(ce.Remove, g.key())
		case 2:
			if len(ce.Put) > 0 {
				ce.Put[r.IntN(len(ce.Put))].Index += r.IntN(5) - 2
			} else {
				ce.Put = append(ce.Put, delta.Item{Key: g.key(), Index: r.IntN(5) - 2, Value: g.value(1)})
			}
		case 3:
			if len(ce.Put) > 0 {
				ce.Put[r.IntN(len(ce.Put))].Key = g.key()
			}
		case 4:
			if len(ce.Patch) > 0 {
				corruptOp(ce.Patch[r.IntN(len(ce.Patch))].Ops)
			}
		case 5:
			if len(ce.Patch) > 0 {
				ce.Patch[r.IntN(len(ce.Patch))].Key = g.key()
			}
		case 6:
			if len(ce.Order) > 0 {
				ce.Order[r.IntN(len(ce.Order))] = r.IntN(len(ce.Order)+2) - 1
			} else {
				ce.Order = []int{r.IntN(3) - 1}
			}
		default:
			ce.Order = append(ce.Order, len(ce.Order))
		}
	}
	return &c
}

func TestApplyNilBaseOrEdits(t *testing.T) {
	base := parse(t, `{"a":1}`)
	// A delta with nil Edits and matching roots is the no-change delta.
	got, err := delta.Apply(base, &delta.Delta{Base: base.Hash(), Target: base.Hash()})
	if err != nil || !got.Equal(base) {
		t.Fatalf("no-change delta: %v", err)
	}
	if !(&delta.Delta{Base: 1, Target: 1}).Empty() || (&delta.Delta{Base: 1, Target: 2}).Empty() {
		t.Error("Empty is wrong")
	}
	if s := fmt.Sprint(delta.Set, delta.Remove, delta.Patch, delta.Keyed, delta.EditKind(9)); s != "set remove patch collection unknown" {
		t.Errorf("edit kinds print %q", s)
	}
	if s := fmt.Sprint(delta.OpAdd, delta.OpRemove, delta.OpReplace, delta.OpMove, delta.OpCopy, delta.OpTest, delta.OpKind(0), delta.OpKind(200)); s != "add remove replace move copy test unknown unknown" {
		t.Errorf("op kinds print %q", s)
	}
}

func TestTransformText(t *testing.T) {
	for _, tt := range []struct {
		s    string
		op   delta.Op
		want string // "" for an error
	}{
		{"Up 4 minutes", delta.Op{Kind: delta.OpIncrementText, Run: 0, Int: 1}, "Up 5 minutes"},
		{"Exited (0) 9 minutes ago", delta.Op{Kind: delta.OpIncrementText, Run: 1, Int: 2}, "Exited (0) 11 minutes ago"},
		{"Up About a minute", delta.Op{Kind: delta.OpSplice, Prefix: 3, Suffix: 0, Text: "2 minutes"}, "Up 2 minutes"},
		{"412345", delta.Op{Kind: delta.OpIncrement, Int: 46}, "412391"},
		{"2024-01-15T09:00:00Z", delta.Op{Kind: delta.OpShiftTime, Int: 61e9, Layout: delta.LayoutFixed0}, "2024-01-15T09:01:01Z"},
		{"Up 05 minutes", delta.Op{Kind: delta.OpIncrementText, Run: 0, Int: 1}, ""}, // not canonical
		{"Up 4 minutes", delta.Op{Kind: delta.OpIncrementText, Run: 1, Int: 1}, ""},  // no such run
		{"Up", delta.Op{Kind: delta.OpSplice, Prefix: 3, Suffix: 0}, ""},             // out of bounds
		{"x", delta.Op{Kind: delta.OpReplace}, ""},                                   // not a scalar transform
	} {
		got, err := delta.TransformText(tt.s, tt.op)
		if tt.want == "" {
			if !errors.Is(err, delta.ErrCorrupt) {
				t.Errorf("TransformText(%q, %s): %q, %v; want ErrCorrupt", tt.s, tt.op.Kind, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("TransformText(%q, %s) = %q, %v; want %q", tt.s, tt.op.Kind, got, err, tt.want)
		}
	}
}
