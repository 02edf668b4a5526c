package delta_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Random JSON trees and the mutations that turn one into the next, for the
// property tests. Trees are built as snapshot Nodes, so a mutated tree shares
// its unchanged nodes with the original, as consecutive agent snapshots do
// after parsing only in content; the tests re-parse some of them so both
// shared and separately built trees are diffed.

var numberLits = []string{
	"0", "-0", "1", "-1", "1.0", "1.00", "-0.0", "0.5", "1e5", "1E5", "1e+5", "1e-5",
	"1e400", "-1e400", "1e-400", "12345678901234567890", "12345678901234567891",
	"-12345678901234567890", "9007199254740993", "3.14159265358979323846264338327950288", "100",
}

var stringPool = []string{
	"2021-08-17T10:00:00Z", "2023-11-14T22:13:20.123456789+01:00", "2023-11-14T22:13:20.5Z", "12345", "-7",
	"", "/", "~", "~0", "~1", "a/b", "a~b", "/~", "\x00", "nul\x00byte", "😀", "é", "日本語",
	"\u2028\u2029", "tab\t", "quote\"", "back\\slash", "\x1f\x7f", "running", "Up 3 minutes",
	"Exited (0) 2 hours ago", "-", "0", "1",
}

var keyPool = []string{
	"", "/", "~", "~0", "~1", "a/b", "\x00", "😀", "é", "Id", "ID", "id", "Name", "metadata",
	"uid", "name", "namespace", "a", "b", "State", "Labels", "-", "0", "10",
}

var rulePool = []string{"Id", "ID", "id", "metadata.uid", "metadata.namespace+metadata.name", "Name"}

func num(lit string) *snapshot.Node {
	n, err := snapshot.NewNumber(lit)
	if err != nil {
		panic(err)
	}
	return n
}

func str(s string) *snapshot.Node {
	n, err := snapshot.NewString(s)
	if err != nil {
		panic(err)
	}
	return n
}

func arr(elems ...*snapshot.Node) *snapshot.Node { return snapshot.NewArray(elems, nil) }

// obj builds an object from key, value pairs.
func obj(kv ...any) *snapshot.Node {
	keys := make([]string, 0, len(kv)/2)
	vals := make([]*snapshot.Node, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		keys = append(keys, kv[i].(string))
		vals = append(vals, kv[i+1].(*snapshot.Node))
	}
	n, err := snapshot.NewObject(keys, vals)
	if err != nil {
		panic(err)
	}
	return n
}

// gen makes random trees from one deterministic source.
type gen struct {
	r      *rand.Rand
	nextID int
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x5eed))}
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *gen) randString() string {
	if g.r.IntN(3) > 0 {
		return g.pick(stringPool)
	}
	var b strings.Builder
	for range g.r.IntN(8) {
		switch g.r.IntN(6) {
		case 0:
			b.WriteByte(byte(g.r.IntN(0x20)))
		case 1:
			b.WriteRune(rune(0x80 + g.r.IntN(0x700)))
		case 2:
			b.WriteRune(rune(0x1F300 + g.r.IntN(0x300)))
		case 3:
			b.WriteByte("/~\"\\"[g.r.IntN(4)])
		default:
			b.WriteByte(byte('a' + g.r.IntN(26)))
		}
	}
	return b.String()
}

func (g *gen) key() string {
	if g.r.IntN(4) == 0 {
		return g.randString()
	}
	return g.pick(keyPool)
}

func (g *gen) number() *snapshot.Node {
	switch g.r.IntN(3) {
	case 0:
		return num(strconv.FormatInt(g.r.Int64N(1<<40)-1<<39, 10))
	case 1:
		return num(strconv.FormatFloat(g.r.NormFloat64()*1e3, 'g', -1, 64))
	}
	return num(g.pick(numberLits))
}

func (g *gen) scalar() *snapshot.Node {
	switch g.r.IntN(7) {
	case 6: // engines are full of timestamps
		return str(time.Unix(1600000000+g.r.Int64N(1e8), g.r.Int64N(1e9)).UTC().Format(time.RFC3339Nano))
	case 0:
		return snapshot.NewNull()
	case 1:
		return snapshot.NewBool(g.r.IntN(2) == 0)
	case 2, 3:
		return g.number()
	}
	return str(g.randString())
}

// size picks the length of a container holding values depth levels deep:
// usually small, sometimes wide near the leaves (wide at every level would
// make trees too big to check thousands of).
func (g *gen) size(depth int) int {
	if depth <= 2 && g.r.IntN(10) == 0 {
		return 15 + g.r.IntN(40)
	}
	return g.r.IntN(6)
}

func (g *gen) value(depth int) *snapshot.Node {
	if depth <= 0 || g.r.IntN(3) == 0 {
		return g.scalar()
	}
	switch g.r.IntN(10) {
	case 0, 1, 2, 3:
		return g.object(depth)
	case 4, 5:
		elems := make([]*snapshot.Node, g.size(depth))
		for i := range elems {
			elems[i] = g.value(depth - 1)
		}
		return arr(elems...)
	case 6:
		return g.deep(10 + g.r.IntN(60))
	}
	return g.keyedArray(depth, g.pick(rulePool))
}

func (g *gen) object(depth int) *snapshot.Node {
	n := g.size(depth)
	m := make(map[string]*snapshot.Node, n)
	for range n {
		m[g.key()] = g.value(depth - 1)
	}
	return fromMap(m)
}

func fromMap(m map[string]*snapshot.Node) *snapshot.Node {
	keys := make([]string, 0, len(m))
	vals := make([]*snapshot.Node, 0, len(m))
	for k, v := range m {
		keys = append(keys, k)
		vals = append(vals, v)
	}
	n, err := snapshot.NewObject(keys, vals)
	if err != nil {
		panic(err)
	}
	return n
}

// deep returns objects and arrays nested n levels around a scalar.
func (g *gen) deep(n int) *snapshot.Node {
	v := g.scalar()
	for range n {
		if g.r.IntN(2) == 0 {
			v = arr(v)
		} else {
			v = obj(g.key(), v)
		}
	}
	return v
}

// freshID returns an identity never used before by this generator. Most are
// strings; some are numbers, whose text is the key too.
func (g *gen) freshID() *snapshot.Node {
	g.nextID++
	if g.r.IntN(5) == 0 {
		return num(strconv.Itoa(g.nextID))
	}
	return str(fmt.Sprintf("%x-%s", g.nextID*2654435761%(1<<32), g.pick([]string{"", "/", "~", "😀", "\x00"})))
}

func (g *gen) keyedArray(depth int, rule string) *snapshot.Node {
	items := make([]*snapshot.Node, g.size(depth))
	for i := range items {
		items[i] = g.item(rule, g.freshID(), depth-1)
	}
	return arr(items...)
}

// item returns a random object carrying identity id under rule.
func (g *gen) item(rule string, id *snapshot.Node, depth int) *snapshot.Node {
	o := g.object(max(depth, 1))
	if o.Kind() != snapshot.Object {
		o = obj()
	}
	return setIdentity(o, rule, id)
}

// setIdentity returns item with its identity under rule set to id. For the
// namespace+name rule, id's text is split at the NUL the collection uses
// between the parts, or goes whole into the name.
func setIdentity(item *snapshot.Node, rule string, id *snapshot.Node) *snapshot.Node {
	if item.Kind() != snapshot.Object {
		item = obj()
	}
	switch rule {
	case "metadata.uid":
		return item.WithMember("metadata", withMember(member(item, "metadata"), "uid", id))
	case "metadata.namespace+metadata.name":
		ns, name := "default", id
		if id.Kind() == snapshot.String {
			if a, b, ok := strings.Cut(id.Text(), "\x00"); ok {
				ns, name = a, str(b)
			}
		}
		md := withMember(member(item, "metadata"), "namespace", str(ns))
		return item.WithMember("metadata", md.WithMember("name", name))
	}
	return item.WithMember(rule, id)
}

// removeIdentity returns item without (one part of) its identity.
func removeIdentity(item *snapshot.Node, rule string) *snapshot.Node {
	switch rule {
	case "metadata.uid", "metadata.namespace+metadata.name":
		md, ok := item.Get("metadata")
		if !ok || md.Kind() != snapshot.Object {
			return item
		}
		step := "uid"
		if rule != "metadata.uid" {
			step = "name"
		}
		md, _ = md.WithoutMember(step)
		return item.WithMember("metadata", md)
	}
	n, _ := item.WithoutMember(rule)
	return n
}

func member(n *snapshot.Node, key string) *snapshot.Node {
	if v, ok := n.Get(key); ok {
		return v
	}
	return nil
}

// withMember sets key on n, starting a new object when n is not one.
func withMember(n *snapshot.Node, key string, v *snapshot.Node) *snapshot.Node {
	if n == nil || n.Kind() != snapshot.Object {
		n = obj()
	}
	return n.WithMember(key, v)
}

// nudgeNumber returns a number near lit, as counters and sizes move between
// polls: an integer plus or minus a little, or lit with its digits changed.
func (g *gen) nudgeNumber(lit string) *snapshot.Node {
	if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
		d := int64(g.r.IntN(2001) - 1000)
		if g.r.IntN(8) == 0 {
			d = g.r.Int64() - g.r.Int64() // may overflow: then not an increment
		}
		return num(strconv.FormatInt(i+d, 10))
	}
	if strings.ContainsAny(lit, ".eE") {
		return num(lit + "0") // 1.0 -> 1.00, 1e5 -> 1e50: a change of literal
	}
	return num(lit + "1")
}

// editString returns s with a small change, as statuses and timestamps
// change between polls: a rune inserted, deleted or replaced somewhere
// (also inside multi-byte runes' neighbours), a timestamp shifted, a
// decimal string counted up.
func (g *gen) editString(s string) string {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil && g.r.IntN(2) == 0 {
		t = t.Add(time.Duration(g.r.Int64N(1e12)) - 5e11)
		layouts := []string{time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05.000000000Z07:00"}
		return t.Format(layouts[g.r.IntN(len(layouts))])
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(i+int64(g.r.IntN(100)), 10)
	}
	runes := []rune(s)
	i := g.r.IntN(len(runes) + 1)
	r := []rune(g.pick([]string{"a", "é", "è", "😀", "😁", "\x00", "/", "~", "0", "9"}))[0]
	switch {
	case len(runes) == 0 || g.r.IntN(3) == 0:
		runes = slices.Insert(runes, i, r)
	case g.r.IntN(2) == 0 && i < len(runes):
		runes = slices.Delete(runes, i, i+1)
	default:
		runes[min(i, len(runes)-1)] = r
	}
	return string(runes)
}

// mutate returns a copy of n with a few random changes somewhere inside.
func (g *gen) mutate(n *snapshot.Node) *snapshot.Node {
	for range 1 + g.r.IntN(3) {
		n = g.mutateAt(n, 0)
	}
	return n
}

func (g *gen) mutateAt(n *snapshot.Node, depth int) *snapshot.Node {
	if (n.Kind() == snapshot.Array || n.Kind() == snapshot.Object) && n.Len() > 0 && g.r.IntN(3) > 0 && depth < 100 {
		i := g.r.IntN(n.Len())
		if n.Kind() == snapshot.Object {
			k := n.Keys()[i]
			return n.WithMember(k, g.mutateAt(n.Values()[i], depth+1))
		}
		elems := slices.Clone(n.Elems())
		elems[i] = g.mutateAt(elems[i], depth+1)
		return arr(elems...)
	}
	return g.mutateHere(n)
}

func (g *gen) mutateHere(n *snapshot.Node) *snapshot.Node {
	if g.r.IntN(8) == 0 {
		return g.value(3) // often a change of type
	}
	switch n.Kind() {
	case snapshot.Null:
		return g.scalar()
	case snapshot.Bool:
		return snapshot.NewBool(!n.Bool())
	case snapshot.Number:
		if g.r.IntN(2) == 0 {
			return g.nudgeNumber(n.Text())
		}
		return g.number()
	case snapshot.String:
		if g.r.IntN(2) == 0 {
			return str(g.editString(n.Text()))
		}
		return str(g.randString())
	case snapshot.Object:
		return g.mutateObject(n)
	}
	if n.Collection() != nil {
		return g.mutateCollection(n)
	}
	return g.mutateArray(n)
}

func (g *gen) mutateObject(n *snapshot.Node) *snapshot.Node {
	switch {
	case n.Len() == 0 || g.r.IntN(3) == 0:
		return n.WithMember(g.key(), g.value(3))
	case g.r.IntN(2) == 0:
		out, _ := n.WithoutMember(n.Keys()[g.r.IntN(n.Len())])
		return out
	case g.r.IntN(5) == 0:
		return obj()
	}
	k := n.Keys()[g.r.IntN(n.Len())]
	return n.WithMember(k, g.value(2))
}

func (g *gen) mutateArray(n *snapshot.Node) *snapshot.Node {
	elems := slices.Clone(n.Elems())
	if len(elems) == 0 {
		if g.r.IntN(2) == 0 {
			return g.keyedArray(3, g.pick(rulePool))
		}
		for range 1 + g.r.IntN(4) {
			elems = append(elems, g.value(2))
		}
		return arr(elems...)
	}
	switch g.r.IntN(7) {
	case 0:
		elems = slices.Insert(elems, g.r.IntN(len(elems)+1), g.value(2))
	case 1:
		i := g.r.IntN(len(elems))
		elems = slices.Delete(elems, i, i+1)
	case 2:
		i, j := g.r.IntN(len(elems)), g.r.IntN(len(elems))
		elems[i], elems[j] = elems[j], elems[i]
	case 3:
		g.r.Shuffle(len(elems), func(i, j int) { elems[i], elems[j] = elems[j], elems[i] })
	case 4:
		elems = nil
	case 5:
		elems = append(elems, elems[g.r.IntN(len(elems))])
	default:
		slices.Reverse(elems)
	}
	return arr(elems...)
}

func (g *gen) mutateCollection(n *snapshot.Node) *snapshot.Node {
	rule := n.Collection().Rule().String()
	keys := n.Collection().Keys()
	items := slices.Clone(n.Elems())
	newItem := func() *snapshot.Node { return g.item(rule, g.freshID(), 2) }
	switch g.r.IntN(12) {
	case 0: // reorder all
		g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	case 1: // move one item
		i, j := g.r.IntN(len(items)), g.r.IntN(len(items))
		it := items[i]
		items = slices.Insert(slices.Delete(items, i, i+1), j, it)
	case 2: // newest first
		for range 1 + g.r.IntN(3) {
			items = slices.Insert(items, 0, newItem())
		}
	case 3: // sorted insertion
		items = slices.Insert(items, g.r.IntN(len(items)+1), newItem())
	case 4: // removals
		for range 1 + g.r.IntN(min(3, len(items))) {
			i := g.r.IntN(len(items))
			items = slices.Delete(items, i, i+1)
		}
	case 5: // an item replaced by a new one with the same key
		i := g.r.IntN(len(items))
		id := identityNode(items[i], rule, keys[i])
		items[i] = g.item(rule, id, 2)
	case 6: // a duplicate identity makes the array positional
		if len(items) > 1 {
			i, j := g.r.IntN(len(items)), g.r.IntN(len(items))
			if i == j {
				j = (i + 1) % len(items)
			}
			items[j] = setIdentity(items[j], rule, identityNode(items[i], rule, keys[i]))
		}
	case 7: // an item loses its identity
		i := g.r.IntN(len(items))
		items[i] = removeIdentity(items[i], rule)
	case 8:
		items = nil
	case 9: // a mix of everything
		i := g.r.IntN(len(items))
		items = slices.Delete(items, i, i+1)
		items = slices.Insert(items, g.r.IntN(len(items)+1), newItem())
		if len(items) > 1 {
			a, b := g.r.IntN(len(items)), g.r.IntN(len(items))
			items[a], items[b] = items[b], items[a]
		}
		k := g.r.IntN(len(items))
		items[k] = g.mutateAt(items[k], 1)
	case 10: // an item changes identity in place
		i := g.r.IntN(len(items))
		items[i] = setIdentity(items[i], rule, g.freshID())
	default: // small changes to a few items
		for range 1 + g.r.IntN(3) {
			i := g.r.IntN(len(items))
			items[i] = g.mutateAt(items[i], 1)
		}
	}
	return arr(items...)
}

// identityNode returns the node to set to give another item the identity
// key under rule: the item's own identity value, or the key as a string.
func identityNode(item *snapshot.Node, rule, key string) *snapshot.Node {
	switch rule {
	case "metadata.uid":
		if md := member(item, "metadata"); md != nil {
			if v := member(md, "uid"); v != nil {
				return v
			}
		}
	case "metadata.namespace+metadata.name":
		return str(key)
	default:
		if v := member(item, rule); v != nil {
			return v
		}
	}
	return str(key)
}
