package link

import (
	"slices"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// wholeDiff returns a delta turning base into next, like delta.Diff but
// made of whole values: it walks the two trees by hash the same way, yet
// never generates RFC 6902 patches: a changed collection item is put whole,
// any other changed value is set whole at the nearest object member.
//
// The Receiver uses it for the history step (next back to the snapshot it
// replaced) and to re-base a delta it stores. delta.Diff spends most of its
// time converting changed items to Go values for jsondiff, which made the
// reverse delta cost more than the rest of a frame put together; history
// steps are written on every change and read rarely, so a few hundred bytes
// more per step buy that time back (see BenchmarkReceiverSmallDeltas).
//
// The result is applied to base before it is returned, so a delta the store
// keeps always rebuilds next; should it not (a shape this walk does not
// cover), delta.Diff makes it instead.
func wholeDiff(base, next *snapshot.Snapshot) (*delta.Delta, error) {
	d := &delta.Delta{Base: base.Hash(), Target: next.Hash()}
	if d.Base == d.Target {
		return d, nil
	}
	var w wholeDiffer
	w.node(nil, base.Root(), next.Root())
	d.Edits = w.edits
	if got, err := delta.Apply(base, d); err == nil && got.Hash() == next.Hash() {
		return d, nil
	}
	return delta.Diff(base, next)
}

type wholeDiffer struct {
	edits []delta.Edit
}

// node adds the edits that turn a into b at path.
func (w *wholeDiffer) node(path []string, a, b *snapshot.Node) {
	if a.Hash() == b.Hash() {
		return
	}
	switch {
	case a.Kind() == snapshot.Object && b.Kind() == snapshot.Object:
		w.object(path, a, b)
		return
	case a.Kind() == snapshot.Array && b.Kind() == snapshot.Array:
		if ce := collectionEdit(a, b); ce != nil {
			w.edits = append(w.edits, delta.Edit{Path: slices.Clone(path), Kind: delta.Keyed, Collection: ce})
			return
		}
	}
	w.edits = append(w.edits, delta.Edit{Path: slices.Clone(path), Kind: delta.Set, Value: b})
}

func (w *wholeDiffer) object(path []string, a, b *snapshot.Node) {
	ak, av := a.Keys(), a.Values()
	bk, bv := b.Keys(), b.Values()
	for i, j := 0, 0; i < len(ak) || j < len(bk); {
		switch {
		case j >= len(bk) || (i < len(ak) && ak[i] < bk[j]):
			w.edits = append(w.edits, delta.Edit{Path: withKey(path, ak[i]), Kind: delta.Remove})
			i++
		case i >= len(ak) || bk[j] < ak[i]:
			w.edits = append(w.edits, delta.Edit{Path: withKey(path, bk[j]), Kind: delta.Set, Value: bv[j]})
			j++
		default:
			// path is a stack; edits take their own copies.
			w.node(append(path, ak[i]), av[i], bv[j])
			i++
			j++
		}
	}
}

func withKey(path []string, key string) []string {
	p := make([]string, len(path)+1)
	copy(p, path)
	p[len(path)] = key
	return p
}

// collectionEdit turns keyed array a into b by key, or returns nil when
// they are not collections under one rule. Changed items are put back whole
// in place, items of a not in b removed, items of b not in a inserted at
// their positions, and an order given only when the survivors' relative
// order changed (delta.CollectionEdit's rules).
func collectionEdit(a, b *snapshot.Node) *delta.CollectionEdit {
	var rule snapshot.Rule
	switch {
	case b.Collection() != nil:
		rule = b.Collection().Rule()
	case a.Collection() != nil:
		rule = a.Collection().Rule()
	default:
		return nil
	}
	ca, ok := snapshot.CollectionBy(a, rule)
	if !ok {
		return nil
	}
	cb, ok := snapshot.CollectionBy(b, rule)
	if !ok {
		return nil
	}
	ce := &delta.CollectionEdit{Rule: rule.String()}
	bkeys := cb.Keys()
	inA := make([]int, len(bkeys)) // position in a of each item of b, -1 if new
	kept := make([]bool, a.Len())
	for j, k := range bkeys {
		i, ok := ca.Lookup(k)
		inA[j] = -1
		if !ok {
			continue
		}
		inA[j], kept[i] = i, true
		if a.Elem(i).Hash() != b.Elem(j).Hash() {
			ce.Put = append(ce.Put, delta.Item{Key: k, Index: -1, Value: b.Elem(j)})
		}
	}
	for i, k := range ca.Keys() {
		if !kept[i] {
			ce.Remove = append(ce.Remove, k)
		}
	}
	// What Apply builds unaided: survivors in a's order, new items inserted
	// at their positions in b (ascending). Entries: position in a, or -1-j
	// for b's new item j.
	natural := make([]int, 0, len(bkeys))
	for i := range kept {
		if kept[i] {
			natural = append(natural, i)
		}
	}
	for j, i := range inA {
		if i < 0 {
			ce.Put = append(ce.Put, delta.Item{Key: bkeys[j], Index: j, Value: b.Elem(j)})
			natural = slices.Insert(natural, min(j, len(natural)), -1-j)
		}
	}
	entry := func(j int) int {
		if inA[j] >= 0 {
			return inA[j]
		}
		return -1 - j
	}
	for j := range bkeys {
		if natural[j] == entry(j) {
			continue
		}
		pos := make(map[int]int, len(natural))
		for p, e := range natural {
			pos[e] = p
		}
		ce.Order = make([]int, len(bkeys))
		for j := range bkeys {
			ce.Order[j] = pos[entry(j)]
		}
		break
	}
	if len(ce.Put) == 0 && len(ce.Remove) == 0 && ce.Order == nil {
		return nil // same items by key yet different hashes: let Set handle it
	}
	return ce
}
