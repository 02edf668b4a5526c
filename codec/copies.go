package codec

import (
	"fmt"
	"slices"
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
// both ends know; they are predictions, checked on the writer by putting
// the members back, so an item they do not fit goes whole.

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

// stripCopies returns item without the members the rules put back, and the
// mask of the rules it applied (bit i for memberCopies[i]), in the table's
// order: a rule whose source an earlier rule left out does not apply.
// restoreCopies(stripCopies(item)) is item whatever item is.
func stripCopies(item *snapshot.Node, cfg *snapshot.Config) (*snapshot.Node, uint64) {
	var mask uint64
	for i := range memberCopies {
		r := &memberCopies[i]
		src, ok := r.sourceIn(item)
		if !ok {
			continue
		}
		if stripped, ok := r.strip(item, r.target, src, cfg); ok {
			item = stripped
			mask |= 1 << i
		}
	}
	return item, mask
}

// stripModel returns a model as the items stream's dictionary holds it in
// format 7: stripped like the items coded against it, so that the members
// they keep line up with its own.
func stripModel(item *snapshot.Node, cfg *snapshot.Config) *snapshot.Node {
	item, _ = stripCopies(item, cfg)
	return item
}

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

// strip leaves out of n the member at path that r copies from src. It
// reports false when there is none to leave out. Through a "*" step it
// leaves out the member of every element holding the source's value, and
// only when every object element has the member, which is what lets
// restore put it back into the elements that lack it.
func (r *memberCopy) strip(n *snapshot.Node, path []string, src *snapshot.Node, cfg *snapshot.Config) (*snapshot.Node, bool) {
	switch {
	case path[0] == "*":
		if n.Kind() != snapshot.Array {
			return nil, false
		}
		elems := slices.Clone(n.Elems())
		changed := false
		for k, e := range elems {
			if e.Kind() != snapshot.Object {
				continue
			}
			if _, ok := nodeAt(e, path[1:]); !ok {
				return nil, false
			}
			if s, ok := r.strip(e, path[1:], src, cfg); ok {
				elems[k], changed = s, true
			}
		}
		if !changed {
			return nil, false
		}
		return snapshot.NewArray(elems, cfg), true
	case n.Kind() != snapshot.Object:
		return nil, false
	case len(path) > 1:
		child, ok := n.Get(path[0])
		if !ok {
			return nil, false
		}
		s, ok := r.strip(child, path[1:], src, cfg)
		if !ok {
			return nil, false
		}
		return n.WithMember(path[0], s), true
	}
	v, ok := n.Get(path[0])
	switch {
	case !ok:
		return nil, false
	case r.prefix:
		if v.Kind() != snapshot.String || !strings.HasPrefix(v.Text(), src.Text()) {
			return nil, false
		}
		rest, err := snapshot.NewString(strings.TrimPrefix(v.Text(), src.Text()))
		if err != nil {
			return nil, false
		}
		return n.WithMember(path[0], rest), true
	case !snapshot.Equal(v, src):
		return nil, false
	}
	out, _ := n.WithoutMember(path[0])
	return out, true
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
// copies back cannot nest an item deeper, and a string for a prefix.
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
