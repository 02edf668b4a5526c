package codec

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Copied members (format 7, docs/wire-format.md section 7.9). A new
// Kubernetes event repeats its own values: its lastTimestamp, its
// creationTimestamp and its managed fields' time are its firstTimestamp, its
// namespace is its object's, its name is its object's name and a suffix,
// its reportingInstance is its source's host. zstd codes each repeat as a
// match, three or four bytes apiece, and an event has six of them. So an
// item sent as text leaves out the members that copy another of its members,
// and the put says which rules put them back. The rules are a fixed table
// both ends know. A rule applies only where putting the member back gives
// the item back exactly (section 7.9's conditions), so an item a rule does
// not fit keeps that member.

// memberCopy is one rule: the member at target is the member at source
// (both paths from the item), or, with prefix, a string that begins with the
// source's string and travels as the rest. A "*" step in target goes into
// every element of an array.
type memberCopy struct {
	target []string
	source []string
	prefix bool
}

// memberCopies is the rule table of format 7, in the order writers strip and
// readers restore in reverse. Its order and content are the format: a new
// rule means a new format version.
var memberCopies = [...]memberCopy{
	{target: []string{"lastTimestamp"}, source: []string{"firstTimestamp"}},
	{target: []string{"metadata", "creationTimestamp"}, source: []string{"firstTimestamp"}},
	{target: []string{"metadata", "managedFields", "*", "time"}, source: []string{"firstTimestamp"}},
	{target: []string{"metadata", "namespace"}, source: []string{"involvedObject", "namespace"}},
	{target: []string{"reportingInstance"}, source: []string{"source", "host"}},
	{target: []string{"reportingComponent"}, source: []string{"source", "component"}},
	{target: []string{"metadata", "name"}, source: []string{"involvedObject", "name"}, prefix: true},
	{target: []string{"metadata", "managedFields", "*", "time"}, source: []string{"metadata", "creationTimestamp"}},
	{target: []string{"status", "startTime"}, source: []string{"metadata", "creationTimestamp"}},
}

// allCopies is the mask of every rule; a put naming another bit is corrupt.
const allCopies = 1<<len(memberCopies) - 1

// restoreCopies puts back into item the members of the rules in mask, last
// rule first. A mask or an item the rules cannot apply to is corrupt.
func restoreCopies(item *snapshot.Node, mask uint64, cfg *snapshot.Config) (*snapshot.Node, error) {
	if mask&^allCopies != 0 {
		return nil, fmt.Errorf("copied members: mask %#x names rules beyond the %d of format 7: %w", mask, len(memberCopies), ErrCorrupt)
	}
	for i := len(memberCopies) - 1; i >= 0; i-- {
		if mask&(1<<i) == 0 {
			continue
		}
		var err error
		if item, err = memberCopies[i].restore(item, cfg); err != nil {
			return nil, fmt.Errorf("copied members: rule %d: %w", i, err)
		}
	}
	return item, nil
}

// restore puts back into item the members r stripped from it.
func (r *memberCopy) restore(item *snapshot.Node, cfg *snapshot.Config) (*snapshot.Node, error) {
	src, ok := r.sourceIn(item)
	if !ok {
		return nil, fmt.Errorf("no scalar at %s to copy (a string for a name): %w", strings.Join(r.source, "."), ErrCorrupt)
	}
	return r.fill(item, r.target, src, cfg)
}

// sourceIn returns the member r copies from item: a scalar, so that putting
// copies back cannot nest an item deeper, and a string for a prefix (the
// rules stripCanonical applies to text).
func (r *memberCopy) sourceIn(item *snapshot.Node) (*snapshot.Node, bool) {
	src, ok := nodeAt(item, r.source)
	switch {
	case !ok:
		return nil, false
	case r.prefix:
		return src, src.Kind() == snapshot.String
	}
	return src, src.Kind() != snapshot.Array && src.Kind() != snapshot.Object
}

func (r *memberCopy) fill(n *snapshot.Node, path []string, src *snapshot.Node, cfg *snapshot.Config) (*snapshot.Node, error) {
	switch {
	case path[0] == "*":
		if n.Kind() != snapshot.Array {
			return nil, fmt.Errorf("no array to copy into: %w", ErrCorrupt)
		}
		elems := slices.Clone(n.Elems())
		filled := false
		for k, e := range elems {
			if e.Kind() != snapshot.Object {
				continue
			}
			if f, err := r.fill(e, path[1:], src, cfg); err == nil {
				elems[k], filled = f, true
			}
		}
		if !filled {
			return nil, fmt.Errorf("no element to copy into: %w", ErrCorrupt)
		}
		return snapshot.NewArray(elems, cfg), nil
	case n.Kind() != snapshot.Object:
		return nil, fmt.Errorf("no object to copy into: %w", ErrCorrupt)
	case len(path) > 1:
		child, ok := n.Get(path[0])
		if !ok {
			return nil, fmt.Errorf("no member %q to copy into: %w", path[0], ErrCorrupt)
		}
		f, err := r.fill(child, path[1:], src, cfg)
		if err != nil {
			return nil, err
		}
		return n.WithMember(path[0], f), nil
	}
	v, ok := n.Get(path[0])
	if !r.prefix {
		if ok {
			return nil, fmt.Errorf("member %q is there already: %w", path[0], ErrCorrupt)
		}
		return n.WithMember(path[0], src), nil
	}
	if !ok || v.Kind() != snapshot.String {
		return nil, fmt.Errorf("member %q is not the string rest of a name: %w", path[0], ErrCorrupt)
	}
	whole, err := snapshot.NewString(src.Text() + v.Text())
	if err != nil {
		return nil, fmt.Errorf("member %q: %v: %w", path[0], err, ErrCorrupt)
	}
	return n.WithMember(path[0], whole), nil
}

// stripCanonical strips item, the canonical JSON of a collection item
// (docs/wire-format.md section 7.8), of the members the rules of the mask
// rules put back, in place, and returns it shortened with the mask of the
// rules it applied (bit i for memberCopies[i]), trying them in the table's
// order: a rule whose source an earlier rule left out does not apply. It
// works on the text, not on a parsed item, because models come from
// compact snapshots whose items parsed would stay parsed (memory) and cost
// a parse each (time), and it reads the item once (memberIndex). Canonical
// JSON makes it exact: two scalars are equal exactly when their texts are,
// and a string is a prefix of another exactly when its text but the closing
// quote is a prefix of the other's text. restoreCopies of the parsed result
// gives back the item.
func stripCanonical(item []byte, rules uint64, ix *memberIndex) ([]byte, uint64) {
	if rules == 0 || !ix.build(item) {
		return item, 0
	}
	var mask uint64
	for i := range memberCopies {
		r := &memberCopies[i]
		if rules&(1<<i) == 0 {
			continue
		}
		se, ok := ix.find(item, r.source)
		if !ok || item[se.vs] == '{' || item[se.vs] == '[' || (r.prefix && item[se.vs] != '"') {
			continue
		}
		src := item[se.vs:se.ve]
		cut := ix.cuts[:0] // spans to remove, in text order
		if star := slices.Index(r.target, "*"); star >= 0 {
			ae, ok := ix.find(item, r.target[:star])
			if !ok || item[ae.vs] != '[' {
				continue
			}
			name := r.target[star+1]
			every := true
			for es := ae.vs + 1; es < ae.ve-1 && every; {
				ee := -1
				if item[es] == '{' {
					ks, ms, me, ok := canonicalMember(item, es, name)
					switch {
					case !ok:
						every = false
						continue
					case bytes.Equal(item[ms:me], src):
						cut = append(cut, memberSpan(item, ks, me))
					}
					if item[me] == '}' {
						ee = me + 1 // the member was the element's last
					}
				}
				if ee < 0 {
					if ee = canonicalEnd(item, es); ee < 0 {
						return item, mask // not canonical JSON: leave it as it is
					}
				}
				es = ee + 1 // past the comma
			}
			if !every || len(cut) == 0 {
				continue
			}
		} else {
			te, ok := ix.find(item, r.target)
			switch {
			case !ok:
				continue
			case r.prefix:
				// "web-1.17bc" after "web-1" keeps ".17bc": cut the
				// source's characters after the opening quote.
				if item[te.vs] != '"' || !bytes.HasPrefix(item[te.vs:te.ve], src[:len(src)-1]) {
					continue
				}
				cut = append(cut, [2]int{te.vs + 1, te.vs + len(src) - 1})
			case bytes.Equal(item[te.vs:te.ve], src):
				cut = append(cut, memberSpan(item, te.ns-1, te.ve))
			default:
				continue
			}
		}
		item = ix.cut(item, cut)
		ix.cuts = cut
		mask |= 1 << i
	}
	return item, mask
}

// memberIndex holds where the members the rules read are in an item's
// canonical JSON: the item's own members, and the members of those of its
// members that the rules' paths go through (metadata, involvedObject,
// source, status), so that the rules find their sources and targets
// without reading the item again. Its buffers serve item after item.
type memberIndex struct {
	entries []indexEntry
	moved   []int
	cuts    [][2]int
	cum     []int
}

// indexEntry is a member: where its name's text starts (after the opening
// quote; the name ends two bytes before its value, at `":`), its value's
// span, and its parent (-1: a member of the item; else the index of the
// entry holding it).
type indexEntry struct {
	parent     int
	ns, vs, ve int
}

// name is the text of e's name, between its quotes.
func (e *indexEntry) name(item []byte) []byte { return item[e.ns : e.vs-2] }

// copyParents are the item members the rules' paths go through.
var copyParents = func() map[string]bool {
	parents := map[string]bool{}
	for _, r := range memberCopies {
		for _, p := range [][]string{r.source, r.target} {
			if len(p) > 1 {
				parents[p[0]] = true
			}
		}
	}
	return parents
}()

// build indexes item, an object's canonical JSON. It reports false when
// item is not one.
func (ix *memberIndex) build(item []byte) bool {
	ix.entries = ix.entries[:0]
	if len(item) == 0 || item[0] != '{' {
		return false
	}
	return ix.members(item, 0, -1) == len(item)
}

// members indexes the members of the object at item[start], and those of
// its members that are copyParents when it is the item, and returns the
// object's end (-1 when it is not canonical JSON).
func (ix *memberIndex) members(item []byte, start, parent int) int {
	j := start + 1
	for j < len(item) && item[j] == '"' {
		ke := stringEnd(item, j+1)
		if ke < 0 || ke >= len(item) || item[ke] != ':' {
			return -1
		}
		k := len(ix.entries)
		ix.entries = append(ix.entries, indexEntry{parent: parent, ns: j + 1, vs: ke + 1})
		var ve int
		if parent == -1 && ke+1 < len(item) && item[ke+1] == '{' && copyParents[string(item[j+1:ke-1])] {
			ve = ix.members(item, ke+1, k)
		} else {
			ve = canonicalEnd(item, ke+1)
		}
		if ve < 0 {
			return -1
		}
		ix.entries[k].ve = ve
		j = ve
		if j >= len(item) || item[j] != ',' {
			break
		}
		j++
	}
	if j >= len(item) || item[j] != '}' {
		return -1
	}
	return j + 1
}

// find returns the entry at path, one or two member names (the rules' paths
// go no deeper; a "*" step stops before it). A name written with escapes
// never matches: the rules' names need none.
func (ix *memberIndex) find(item []byte, path []string) (indexEntry, bool) {
	if len(path) == 0 || len(path) > 2 {
		return indexEntry{}, false
	}
	parent := -1
	for depth, name := range path {
		found := -1
		for k, e := range ix.entries {
			if e.parent == parent && string(e.name(item)) == name {
				found = k
				break
			}
		}
		if found < 0 {
			return indexEntry{}, false
		}
		if depth == len(path)-1 {
			return ix.entries[found], true
		}
		parent = found
	}
	return indexEntry{}, false
}

// cut removes the spans of cuts (in text order, disjoint) from item in one
// pass, so that a rule cutting a member from each of n elements costs one
// move of the text and not n, and updates the index: the entries inside a
// span go, the others move back by what was cut before them.
func (ix *memberIndex) cut(item []byte, cuts [][2]int) []byte {
	w := cuts[0][0]
	for k, c := range cuts {
		next := len(item)
		if k+1 < len(cuts) {
			next = cuts[k+1][0]
		}
		w += copy(item[w:], item[c[1]:next])
	}
	// cum[k]: the bytes the first k cuts remove.
	ix.cum = append(ix.cum[:0], 0)
	for _, c := range cuts {
		ix.cum = append(ix.cum, ix.cum[len(ix.cum)-1]+c[1]-c[0])
	}
	// after returns the first cut that ends past offset o; before, how many
	// bytes were cut before o (o outside every span).
	after := func(o int) int { return sort.Search(len(cuts), func(k int) bool { return cuts[k][1] > o }) }
	before := func(o int) int { return ix.cum[after(o)] }
	ix.moved = ix.moved[:0]
	kept := ix.entries[:0]
	for _, e := range ix.entries {
		if k := after(e.ns - 1); k < len(cuts) && cuts[k][0] <= e.ns-1 && e.ve <= cuts[k][1] {
			ix.moved = append(ix.moved, -1)
			continue
		}
		e.ns, e.vs, e.ve = e.ns-before(e.ns), e.vs-before(e.vs), e.ve-before(e.ve)
		if e.parent >= 0 {
			e.parent = ix.moved[e.parent]
		}
		ix.moved = append(ix.moved, len(kept))
		kept = append(kept, e)
	}
	ix.entries = kept
	return item[:w]
}

// memberSpan is the span to cut to remove the member whose name starts at
// ks and whose value ends at me, with the comma that separates it from the
// next member or, for the last, from the one before.
func memberSpan(text []byte, ks, me int) [2]int {
	switch {
	case text[me] == ',':
		return [2]int{ks, me + 1}
	case text[ks-1] == ',':
		return [2]int{ks - 1, me}
	}
	return [2]int{ks, me}
}

// canonicalMember finds member name of the object starting at text[i]: the
// start of its name and the span of its value. Members come in bytewise
// order of their names, so the search stops at the first name past it; a
// name written with escapes is passed over (its text does not sort as the
// name does), which the rules' names never need.
func canonicalMember(text []byte, i int, name string) (nameStart, start, end int, ok bool) {
	for j := i + 1; j < len(text) && text[j] == '"'; {
		ke := canonicalEnd(text, j)
		if ke < 0 || ke >= len(text) || text[ke] != ':' {
			return 0, 0, 0, false
		}
		key := text[j+1 : ke-1]
		plain := bytes.IndexByte(key, '\\') < 0
		if plain && string(key) > name {
			return 0, 0, 0, false
		}
		ve := canonicalEnd(text, ke+1)
		if ve < 0 {
			return 0, 0, 0, false
		}
		if plain && string(key) == name {
			return j, ke + 1, ve, true
		}
		if ve >= len(text) || text[ve] != ',' {
			break
		}
		j = ve + 1
	}
	return 0, 0, 0, false
}

// canonicalEnd returns the end of the canonical JSON value starting at
// text[i], or -1 when there is none.
func canonicalEnd(text []byte, i int) int {
	if i >= len(text) {
		return -1
	}
	switch text[i] {
	case '"':
		return stringEnd(text, i+1)
	case '{', '[':
		depth := 0
		for j := i; j < len(text); j++ {
			for j < len(text) && !structural[text[j]] {
				j++
			}
			if j == len(text) {
				break
			}
			switch text[j] {
			case '"':
				e := stringEnd(text, j+1)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(text) && text[j] != ',' && text[j] != '}' && text[j] != ']' && text[j] != ':' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// structural marks the bytes that open or close a string, an object or an
// array.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// stringEnd returns the end of the string whose text (after its opening
// quote) starts at text[j]: past the first quote not escaped.
func stringEnd(text []byte, j int) int {
	for {
		k := bytes.IndexByte(text[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		b := q - 1
		for b >= j && text[b] == '\\' {
			b--
		}
		if (q-1-b)%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}
