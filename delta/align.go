package delta

import (
	"strconv"

	"github.com/snapdelta/snapdelta/snapshot"
)

// maxAlignCells bounds the table of the longest common subsequence of two
// arrays' changed middles. Past it the middles are paired by index, as
// RFC 6902 generators without LCS do.
const maxAlignCells = 1 << 16

// array adds operations turning array a into array b. Elements are matched
// by hash: the common prefix and suffix cost nothing, the rest is aligned on
// its longest common subsequence, so one element inserted or removed in the
// middle (a node's image list when a new image is pulled) is one operation,
// not a rewrite of every element after it. Between two matched elements,
// removed and added elements are paired up and patched in place (a changed
// element is most likely the one at its place), the surplus removed or
// added.
func (g *patchGen) array(ptr string, a, b *snapshot.Node) bool {
	ae, be := a.Elems(), b.Elems()
	pre := 0
	for pre < len(ae) && pre < len(be) && ae[pre].Hash() == be[pre].Hash() {
		pre++
	}
	suf := 0
	for suf < len(ae)-pre && suf < len(be)-pre && ae[len(ae)-1-suf].Hash() == be[len(be)-1-suf].Hash() {
		suf++
	}
	am, bm := ae[pre:len(ae)-suf], be[pre:len(be)-suf]
	pos := pre // index of the next element in the array as patched so far
	// gap patches one stretch of unmatched elements: ra removed, rb added.
	gap := func(ra, rb []*snapshot.Node) bool {
		n := min(len(ra), len(rb))
		for k := range n {
			if !g.walk(ptr+"/"+strconv.Itoa(pos), ra[k], rb[k]) {
				return false
			}
			pos++
		}
		for range ra[n:] {
			if !g.add(Op{Kind: OpRemove, Path: ptr + "/" + strconv.Itoa(pos)}) {
				return false
			}
		}
		for _, v := range rb[n:] {
			if !g.add(Op{Kind: OpAdd, Path: ptr + "/" + strconv.Itoa(pos), Value: v}) {
				return false
			}
			pos++
		}
		return true
	}
	if len(am) == 0 || len(bm) == 0 || len(am)*len(bm) > maxAlignCells {
		return gap(am, bm)
	}
	// lcs[i][j]: length of the longest common subsequence of am[i:], bm[j:].
	w := len(bm) + 1
	lcs := make([]int32, (len(am)+1)*w)
	for i := len(am) - 1; i >= 0; i-- {
		for j := len(bm) - 1; j >= 0; j-- {
			switch {
			case am[i].Hash() == bm[j].Hash():
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				lcs[i*w+j] = lcs[(i+1)*w+j]
			default:
				lcs[i*w+j] = lcs[i*w+j+1]
			}
		}
	}
	i, j, si, sj := 0, 0, 0, 0 // si, sj: start of the current gap
	for i < len(am) && j < len(bm) {
		switch {
		case am[i].Hash() == bm[j].Hash() && lcs[i*w+j] == lcs[(i+1)*w+j+1]+1:
			if !gap(am[si:i], bm[sj:j]) {
				return false
			}
			pos++
			i++
			j++
			si, sj = i, j
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	return gap(am[si:], bm[sj:])
}
