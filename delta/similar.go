package delta

import (
	"slices"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Finding the base items a new item resembles most, for Item.Like. The
// neighbours and removed items newItem tries first are often right (a pod
// sorts beside its siblings), but not for every kind of item: a new event
// is most like an older event of the same reason about the same kind of
// object, wherever it sorts. So the base items whose sketches
// (snapshot.Node.Sketch: a MinHash of their scalar members, kept with the
// items of a compact snapshot) agree most with the new item's are added to
// its models.

// similarModels is how many models are added by similarity: one measured
// best (two or four gave more bytes: the extra models push the good ones
// further from the item in the zstd window).
const similarModels = 1

// maxSimilarScan bounds the base items compared with each new item.
const maxSimilarScan = 256

// similarItems returns up to k positions of base items (a's elements) whose
// sketches agree most with item's, best first, skipping those in skip.
// sketches caches the base items' sketches across the new items of one
// collection.
func similarItems(a *snapshot.Node, item *snapshot.Node, sketches *[]snapshot.Sketch, skip []int, k int) []int {
	if *sketches == nil {
		*sketches = make([]snapshot.Sketch, a.Len())
		for i := range *sketches {
			(*sketches)[i] = a.Elem(i).Sketch()
		}
	}
	want := item.Sketch()
	type scored struct{ pos, score int }
	var best []scored
	// In a long collection, a stride through it: the items worth a model
	// come in kinds (events of one reason, pods of one deployment), each
	// many times over, and comparing every one cost a large cluster's agent
	// a tenth of its poll.
	stride := max(1, len(*sketches)/maxSimilarScan)
	for i := 0; i < len(*sketches); i += stride {
		if slices.Contains(skip, i) {
			continue
		}
		if sc := want.Similarity(&(*sketches)[i]); sc > 0 {
			best = append(best, scored{i, sc})
		}
	}
	slices.SortStableFunc(best, func(x, y scored) int { return y.score - x.score })
	out := make([]int, 0, k)
	for _, b := range best[:min(k, len(best))] {
		out = append(out, b.pos)
	}
	return out
}
