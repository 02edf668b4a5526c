package delta

import (
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/snapdelta/snapdelta/snapshot"
)

// Finding the base items a new item resembles most, for Item.Like. The
// neighbours and removed items newItem tries first are often right (a pod
// sorts beside its siblings), but not for every kind of item: a new event
// is most like an older event of the same reason about the same kind of
// object, wherever it sorts. So each item gets a signature, the sorted
// hashes of its scalar members (name and value together) down to a few
// levels, and the base items sharing most of them with the new item are
// added to its models.

const (
	signatureDepth  = 4   // levels of members a signature looks at
	signatureLeaves = 256 // members at most
	similarModels   = 1   // models added by similarity
)

// signature returns the sorted, distinct hashes of n's scalar members.
func signature(n *snapshot.Node) []uint64 {
	var sig []uint64
	var walk func(n *snapshot.Node, depth int)
	walk = func(n *snapshot.Node, depth int) {
		if depth > signatureDepth || len(sig) >= signatureLeaves {
			return
		}
		switch n.Kind() {
		case snapshot.Object:
			for i, k := range n.Keys() {
				v := n.Values()[i]
				if v.Kind() == snapshot.Object || v.Kind() == snapshot.Array {
					walk(v, depth+1)
					continue
				}
				sig = append(sig, xxhash.Sum64String(k)^v.Hash()*0x9e3779b97f4a7c15)
			}
		case snapshot.Array:
			for _, e := range n.Elems() {
				if e.Kind() == snapshot.Object || e.Kind() == snapshot.Array {
					walk(e, depth+1)
					continue
				}
				sig = append(sig, e.Hash())
			}
		}
	}
	walk(n, 0)
	slices.Sort(sig)
	return slices.Compact(sig)
}

// shared counts the hashes two sorted signatures have in common.
func shared(a, b []uint64) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// similarItems returns up to k positions of base items (a's elements) with
// the most signature hashes in common with item, best first, skipping
// those in skip. sigs caches the base items' signatures across the new
// items of one collection.
func similarItems(a *snapshot.Node, item *snapshot.Node, sigs *[][]uint64, skip []int, k int) []int {
	if *sigs == nil {
		*sigs = make([][]uint64, a.Len())
		for i := range *sigs {
			(*sigs)[i] = signature(a.Elem(i))
		}
	}
	want := signature(item)
	type scored struct{ pos, score int }
	var best []scored
	for i, s := range *sigs {
		if slices.Contains(skip, i) {
			continue
		}
		sc := shared(want, s)
		if sc == 0 {
			continue
		}
		best = append(best, scored{i, sc})
	}
	slices.SortStableFunc(best, func(x, y scored) int { return y.score - x.score })
	out := make([]int, 0, k)
	for _, b := range best[:min(k, len(best))] {
		out = append(out, b.pos)
	}
	return out
}
