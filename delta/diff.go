package delta

import (
	"fmt"
	"slices"
	"strings"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Diff returns the delta that turns base into next. Apply(base, Diff(base,
// next)) rebuilds next exactly. Diff reads both snapshots and changes
// neither; it is safe to call concurrently.
func Diff(base, next *snapshot.Snapshot, opts ...Option) (*Delta, error) {
	w := differ{}
	for _, o := range opts {
		o(&w)
	}
	return w.diff(base, next)
}

// An Option changes what Diff writes.
type Option func(*differ)

// WithoutModelPatches makes Diff describe each new collection item by its
// Value and the base items it resembles (Like) only, without trying to
// build it from one of them (From and Ops). An encoder that codes new
// items as text against those base items (codec, format 3, which needs the
// delta's Origin) has no use for the patches, which cost an agent a fifth
// of its diff time on a large cluster; any other encoder writes the items
// whole.
func WithoutModelPatches() Option { return func(w *differ) { w.noModels = true } }

// DiffWhole is Diff made only of whole values: it walks both trees by hash
// the same way, but a changed collection item is put whole and any other
// changed value is set whole at the nearest object member; no patch, no
// scalar transform, no item built from another. It costs a fraction of
// Diff and its deltas are larger: for what is written often and read
// rarely, such as a server's reverse history steps.
func DiffWhole(base, next *snapshot.Snapshot) (*Delta, error) {
	w := differ{whole: true}
	return w.diff(base, next)
}

func (w *differ) diff(base, next *snapshot.Snapshot) (*Delta, error) {
	if base == nil || next == nil {
		return nil, fmt.Errorf("delta: diff: nil snapshot")
	}
	d := &Delta{Base: base.Hash(), Target: next.Hash(), origin: base, next: next}
	if d.Base == d.Target {
		return d, nil
	}
	w.cfg = next.Config()
	if err := w.node(nil, base.Root(), next.Root()); err != nil {
		return nil, err
	}
	d.Edits = w.edits
	return d, nil
}

type differ struct {
	cfg      *snapshot.Config
	edits    []Edit
	whole    bool // DiffWhole: whole values only
	noModels bool // WithoutModelPatches
}

// node adds the edits that turn a into b at path.
func (w *differ) node(path []string, a, b *snapshot.Node) error {
	if a.Hash() == b.Hash() { // content addressed: equal hashes are equal values
		return nil
	}
	switch {
	case a.Kind() == snapshot.Object && b.Kind() == snapshot.Object:
		return w.object(path, a, b)
	case a.Kind() == snapshot.Array && b.Kind() == snapshot.Array:
		if ca, cb, ok := collections(a, b); ok {
			ce, err := w.collection(ca, cb, a, b)
			if err != nil {
				return err
			}
			w.edits = append(w.edits, Edit{Path: clonePath(path), Kind: Keyed, Collection: ce})
			return nil
		}
	}
	return w.replace(path, a, b)
}

// object diffs two objects member by member, unless setting b whole is
// smaller than the members' edits.
func (w *differ) object(path []string, a, b *snapshot.Node) error {
	start := len(w.edits)
	ak, av := a.Keys(), a.Values()
	bk, bv := b.Keys(), b.Values()
	i, j := 0, 0
	for i < len(ak) || j < len(bk) {
		switch {
		case j >= len(bk) || (i < len(ak) && ak[i] < bk[j]):
			w.edits = append(w.edits, Edit{Path: appendPath(path, ak[i]), Kind: Remove})
			i++
		case i >= len(ak) || bk[j] < ak[i]:
			w.edits = append(w.edits, Edit{Path: appendPath(path, bk[j]), Kind: Set, Value: bv[j]})
			j++
		default:
			// path is a stack: every stored edit gets its own copy, so a
			// child extends it in place; copying it at every level made a
			// deep document cost quadratic time and memory.
			if err := w.node(append(path, ak[i]), av[i], bv[j]); err != nil {
				return err
			}
			i++
			j++
		}
	}
	// The whole value travels with this path too: leaving its cost out
	// folded a single deep edit up one level at a time, to the root.
	if len(path) > 0 && !hasKeyed(w.edits[start:]) && editsSize(w.edits[start:]) > pathSize(path)+2+b.Size() {
		// Every edit below starts with path and owns its copy: reuse the
		// first one's rather than copying path again, which made folding
		// at every level of a deep document quadratic in memory.
		p := w.edits[start].Path[:len(path):len(path)]
		w.edits = append(w.edits[:start], Edit{Path: p, Kind: Set, Value: b})
	}
	return nil
}

// replace sets b whole, or patches a into b when the patch is smaller.
func (w *differ) replace(path []string, a, b *snapshot.Node) error {
	if w.whole {
		w.edits = append(w.edits, Edit{Path: clonePath(path), Kind: Set, Value: b})
		return nil
	}
	if op, ok := scalarOp("", a, b); ok {
		w.edits = append(w.edits, Edit{Path: clonePath(path), Kind: Patch, Ops: []Op{op}})
		return nil
	}
	if isContainer(a) && isContainer(b) && a.Kind() == b.Kind() {
		if ops, ok := w.patch(a, b); ok {
			w.edits = append(w.edits, Edit{Path: clonePath(path), Kind: Patch, Ops: ops})
			return nil
		}
	}
	w.edits = append(w.edits, Edit{Path: clonePath(path), Kind: Set, Value: b})
	return nil
}

// patch returns RFC 6902 operations turning a into b when they are smaller
// than b and proven to rebuild b exactly.
func (w *differ) patch(a, b *snapshot.Node) ([]Op, bool) {
	ops, ok := w.candidatePatch(a, b)
	if !ok || !w.proves(a, b, ops) {
		return nil, false
	}
	return ops, true
}

// candidatePatch returns operations turning a into b, with scalar
// transforms where smaller, when they are smaller than b; unproven. It
// walks both trees by hash, so an unchanged member or element costs one
// comparison, and aligns arrays on their elements' hashes (see
// patchGen.array). (It replaced github.com/wI2L/jsondiff, which compares
// whole subtrees at every level, needs the values as Go maps, and rewrites
// every element after one inserted in an array: converting a 20 KB
// Kubernetes node for a heartbeat cost more than the rest of the diff, and
// a pulled image cost the node's whole image list.)
func (w *differ) candidatePatch(a, b *snapshot.Node) ([]Op, bool) {
	if w.whole {
		return nil, false
	}
	// Engine payloads nest about a dozen levels; deeper values are set
	// whole, which bounds the walk's recursion.
	if a.Depth() > maxPatchDepth || b.Depth() > maxPatchDepth {
		return nil, false
	}
	g := patchGen{w: w, limit: b.Size()}
	if !g.walk("", a, b) || len(g.ops) == 0 {
		return nil, false
	}
	return g.ops, true
}

// patchGen collects a candidate patch, giving up once it outgrows limit.
type patchGen struct {
	w     *differ
	ops   []Op
	size  int
	limit int
}

func (g *patchGen) add(op Op) bool {
	g.size += opsSize([]Op{op})
	g.ops = append(g.ops, op)
	return g.size < g.limit
}

func (g *patchGen) walk(ptr string, a, b *snapshot.Node) bool {
	if a.Hash() == b.Hash() {
		return true
	}
	switch {
	case a.Kind() == snapshot.Object && b.Kind() == snapshot.Object:
		ak, av := a.Keys(), a.Values()
		bk, bv := b.Keys(), b.Values()
		i, j := 0, 0
		for i < len(ak) || j < len(bk) {
			var ok bool
			switch {
			case j >= len(bk) || (i < len(ak) && ak[i] < bk[j]):
				ok = g.add(Op{Kind: OpRemove, Path: ptr + "/" + escapeToken(ak[i])})
				i++
			case i >= len(ak) || bk[j] < ak[i]:
				ok = g.add(Op{Kind: OpAdd, Path: ptr + "/" + escapeToken(bk[j]), Value: bv[j]})
				j++
			default:
				ok = g.walk(ptr+"/"+escapeToken(ak[i]), av[i], bv[j])
				i++
				j++
			}
			if !ok {
				return false
			}
		}
		return true
	case a.Kind() == snapshot.Array && b.Kind() == snapshot.Array:
		return g.array(ptr, a, b)
	}
	if t, ok := scalarOp(ptr, a, b); ok {
		return g.add(t)
	}
	return g.add(Op{Kind: OpReplace, Path: ptr, Value: b})
}

// escapeToken escapes a member name as a JSON Pointer reference token.
func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// proves reports whether ops turn a into exactly b. The generator is
// trusted to be small, never to be right: a patch is used only when it
// passes this.
func (w *differ) proves(a, b *snapshot.Node, ops []Op) bool {
	got, err := applyOps(w.cfg, a, ops)
	return err == nil && got.Hash() == b.Hash()
}

// maxPatchDepth bounds the nesting of values patched.
const maxPatchDepth = 64

// collections returns the keyed views of two arrays under one rule: the
// rule of next's collection, else base's (so an array that grows from empty,
// or empties, is still diffed by key).
func collections(a, b *snapshot.Node) (*snapshot.Collection, *snapshot.Collection, bool) {
	var rule snapshot.Rule
	switch {
	case b.Collection() != nil:
		rule = b.Collection().Rule()
	case a.Collection() != nil:
		rule = a.Collection().Rule()
	default:
		return nil, nil, false
	}
	ca, ok := snapshot.CollectionBy(a, rule)
	if !ok {
		return nil, nil, false
	}
	cb, ok := snapshot.CollectionBy(b, rule)
	if !ok {
		return nil, nil, false
	}
	return ca, cb, true
}

func (w *differ) collection(ca, cb *snapshot.Collection, a, b *snapshot.Node) (*CollectionEdit, error) {
	ce := &CollectionEdit{Rule: cb.Rule().String()}
	bkeys := cb.Keys()
	inBase := make([]int, len(bkeys)) // base position of each next item, -1 if new
	kept := make([]bool, a.Len())
	for j, k := range bkeys {
		i, ok := ca.Lookup(k)
		inBase[j] = -1
		if !ok {
			continue
		}
		inBase[j] = i
		kept[i] = true
		ai, bi := a.Elem(i), b.Elem(j)
		if ai.Hash() == bi.Hash() {
			continue
		}
		if ops, ok := w.patch(ai, bi); ok {
			ce.Patch = append(ce.Patch, ItemPatch{Key: k, At: i, ByPos: true, Ops: ops})
		} else {
			ce.Put = append(ce.Put, Item{Key: k, At: i, ByPos: true, Index: -1, Value: bi})
		}
	}
	for i := range kept {
		if !kept[i] {
			ce.RemoveAt = append(ce.RemoveAt, i)
		}
	}
	// The order Apply builds without help: kept items in base order, new
	// items inserted at their positions in next.
	natural := make([]int, 0, len(bkeys)) // entries: base position, or -1-j for new item j
	for i := range kept {
		if kept[i] {
			natural = append(natural, i)
		}
	}
	var sketches []snapshot.Sketch // base items' sketches, computed for the first new item
	for j, i := range inBase {
		if i < 0 {
			ce.Put = append(ce.Put, w.newItem(a, b, bkeys[j], j, inBase, ce.RemoveAt, &sketches))
			natural = slices.Insert(natural, min(j, len(natural)), -1-j)
		}
	}
	slices.SortStableFunc(ce.Put, func(x, y Item) int { return x.Index - y.Index })
	inOrder := true
	for j, e := range natural {
		want := -1 - j
		if inBase[j] >= 0 {
			want = inBase[j]
		}
		if e != want {
			inOrder = false
			break
		}
	}
	if !inOrder {
		pos := make(map[int]int, len(natural)) // entry -> natural position
		for p, e := range natural {
			pos[e] = p
		}
		ce.Order = make([]int, len(bkeys))
		for j := range bkeys {
			e := -1 - j
			if inBase[j] >= 0 {
				e = inBase[j]
			}
			ce.Order[j] = pos[e]
		}
	}
	if len(ce.Put) == 0 && len(ce.RemoveAt) == 0 && len(ce.Patch) == 0 && ce.Order == nil {
		return nil, fmt.Errorf("delta: collection differs by hash but not by item: %w", ErrCorrupt)
	}
	return ce, nil
}

// maxModels bounds the base items tried as models for one new item, removed
// ones up to half of it: two sent the least bytes (four, k8s-large 0.7% more
// in format 7; the similar item of similarItems comes on top).
const maxModels = 2

// newItem describes new item j of b: whole, or as a patch of the base item
// it most resembles when that is smaller (unless WithoutModelPatches), and
// with the base items it resembles in Like. The candidates are the items
// removed in the same poll (a redeployed container replaces one that looks
// like it) and the base items next to where it lands (a new pod sorts
// beside its siblings); Like adds the most similar base item wherever it
// sorts (similarItems).
func (w *differ) newItem(a, b *snapshot.Node, key string, j int, inBase, removed []int, sketches *[]snapshot.Sketch) Item {
	bj := b.Elem(j)
	whole := Item{Key: key, Index: j, Value: bj}
	var candidates []int
	seen := func(i int) bool { return slices.Contains(candidates, i) }
	// Removed items nearest to the new item's neighbours first.
	near := 0
	for k := j + 1; k < len(inBase); k++ {
		if inBase[k] >= 0 {
			near = inBase[k]
			break
		}
	}
	rm := slices.Clone(removed)
	slices.SortFunc(rm, func(x, y int) int { return abs(x-near) - abs(y-near) })
	for _, i := range rm {
		if len(candidates) < maxModels/2 {
			candidates = append(candidates, i)
		}
	}
	for _, k := range []int{j + 1, j - 1, j + 2, j - 2} {
		if k >= 0 && k < len(inBase) && inBase[k] >= 0 && !seen(inBase[k]) && len(candidates) < maxModels {
			candidates = append(candidates, inBase[k])
		}
	}
	// Likeliest last: an encoder's dictionary takes them in this order, and
	// zstd codes a match near the dictionary's end with a shorter offset.
	whole.Like = append(slices.Clone(candidates), similarItems(a, bj, sketches, candidates, similarModels)...)
	slices.Reverse(whole.Like)
	if w.noModels {
		return whole
	}
	// The candidates' patches are compared unproven; only the one chosen is
	// proven (applying each would double the cost of a new item).
	type option struct {
		from int
		ops  []Op
		size int
	}
	var options []option
	for _, i := range candidates {
		if ops, ok := w.candidatePatch(a.Elem(i), bj); ok {
			options = append(options, option{i, ops, opsSize(ops) + 2})
		}
	}
	slices.SortStableFunc(options, func(x, y option) int { return x.size - y.size })
	for _, o := range options {
		if o.size >= bj.Size() {
			break
		}
		if w.proves(a.Elem(o.from), bj, o.ops) {
			// The model proven last in Like: an encoder coding the text
			// finds the longest matches there.
			like := append(slices.DeleteFunc(slices.Clone(whole.Like), func(i int) bool { return i == o.from }), o.from)
			return Item{Key: key, Index: j, Value: bj, From: o.from, HasFrom: true, Ops: o.ops, Like: like}
		}
	}
	return whole
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func isContainer(n *snapshot.Node) bool {
	return n.Kind() == snapshot.Array || n.Kind() == snapshot.Object
}

// editsSize estimates the encoded size of edits, to choose between member
// edits and a whole value.
func editsSize(edits []Edit) int {
	size := 0
	for _, e := range edits {
		size += pathSize(e.Path) + 2
		switch e.Kind {
		case Set:
			size += e.Value.Size()
		case Patch:
			size += opsSize(e.Ops)
		}
	}
	return size
}

func pathSize(path []string) int {
	size := 0
	for _, p := range path {
		size += len(p) + 1
	}
	return size
}

// hasKeyed reports whether edits hold a collection edit: those are never
// folded into a whole value, since a keyed diff is what keeps them small.
func hasKeyed(edits []Edit) bool {
	for _, e := range edits {
		if e.Kind == Keyed {
			return true
		}
	}
	return false
}

func opsSize(ops []Op) int {
	size := 0
	for _, o := range ops {
		size += len(o.Path) + len(o.From) + 2
		if o.Value != nil {
			size += o.Value.Size()
		}
		switch o.Kind {
		case OpIncrement:
			size += varintSize(o.Int)
		case OpShiftTime:
			size += shiftSize(o.Int)
		case OpSplice:
			size += len(o.Text) + 2
		case OpIncrementText:
			size += varintSize(o.Int) + 1
		}
	}
	return size
}

func appendPath(path []string, key string) []string {
	p := make([]string, len(path)+1)
	copy(p, path)
	p[len(path)] = key
	return p
}

func clonePath(path []string) []string {
	if path == nil {
		return []string{}
	}
	return slices.Clone(path)
}

// PathString renders an edit path as a JSON Pointer (RFC 6901).
func PathString(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}
