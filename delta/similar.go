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
// sketches agree most with item's, best first, skipping those in skip. In a
// long collection it looks at a stride through it: the items worth a model
// come in kinds (events of one reason, pods of one deployment), each many
// times over, and comparing every one cost a large cluster's agent a tenth
// of its poll. sketches caches, across the new items of one collection, the
// sketches of the items it looks at.
func similarItems(a *snapshot.Node, item *snapshot.Node, sketches *[]snapshot.Sketch, skip []int, k int) []int {
	stride := max(1, a.Len()/maxSimilarScan)
	if *sketches == nil {
		*sketches = make([]snapshot.Sketch, 0, a.Len()/stride+1)
		for i := 0; i < a.Len(); i += stride {
			*sketches = append(*sketches, a.Elem(i).Sketch())
		}
	}
	want := item.Sketch()
	type scored struct{ pos, score int }
	best := make([]scored, 0, k+1) // the k best so far, best first
	for n := range *sketches {
		i := n * stride
		sc := want.Similarity(&(*sketches)[n])
		if sc == 0 || slices.Contains(skip, i) {
			continue
		}
		at := len(best)
		for at > 0 && best[at-1].score < sc {
			at--
		}
		if at < k {
			best = slices.Insert(best, at, scored{i, sc})[:min(len(best)+1, k)]
		}
	}
	out := make([]int, len(best))
	for n, b := range best {
		out[n] = b.pos
	}
	return out
}
