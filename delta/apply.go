package delta

import (
	"fmt"
	"slices"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Apply rebuilds the target snapshot from base and d. It refuses a base
// whose root hash is not d.Base (ErrUnknownBase), a delta that does not fit
// the base (ErrCorrupt), and a result whose root hash is not d.Target
// (ErrVerify). base is never modified; the result shares unchanged nodes
// with it and uses base's configuration.
func Apply(base *snapshot.Snapshot, d *Delta) (*snapshot.Snapshot, error) {
	if d == nil {
		return nil, fmt.Errorf("delta: apply: nil delta: %w", ErrCorrupt)
	}
	if base == nil {
		return nil, fmt.Errorf("delta: apply: no base, the delta needs %s: %w", snapshot.FormatHash(d.Base), ErrUnknownBase)
	}
	if base.Hash() != d.Base {
		return nil, fmt.Errorf("delta: apply: base root is %s, the delta needs %s: %w",
			snapshot.FormatHash(base.Hash()), snapshot.FormatHash(d.Base), ErrUnknownBase)
	}
	cfg := base.Config()
	root := base.Root()
	for i := range d.Edits {
		var err error
		root, err = applyEdit(cfg, root, &d.Edits[i])
		if err != nil {
			return nil, fmt.Errorf("delta: apply: edit %d (%s %s): %w", i, d.Edits[i].Kind, PathString(d.Edits[i].Path), err)
		}
	}
	if root.Hash() != d.Target {
		return nil, fmt.Errorf("delta: apply: rebuilt root is %s, the delta promised %s: %w",
			snapshot.FormatHash(root.Hash()), snapshot.FormatHash(d.Target), ErrVerify)
	}
	return snapshot.New(root, cfg), nil
}

func applyEdit(cfg *snapshot.Config, root *snapshot.Node, e *Edit) (*snapshot.Node, error) {
	switch e.Kind {
	case Set:
		if e.Value == nil {
			return nil, fmt.Errorf("set without a value: %w", ErrCorrupt)
		}
		if len(e.Path) == 0 {
			return e.Value, nil
		}
		return update(root, e.Path[:len(e.Path)-1], func(parent *snapshot.Node) (*snapshot.Node, error) {
			if parent.Kind() != snapshot.Object {
				return nil, fmt.Errorf("parent is a %s, not an object: %w", parent.Kind(), ErrCorrupt)
			}
			return parent.WithMember(e.Path[len(e.Path)-1], e.Value), nil
		})
	case Remove:
		if len(e.Path) == 0 {
			return nil, fmt.Errorf("cannot remove the root: %w", ErrCorrupt)
		}
		return update(root, e.Path[:len(e.Path)-1], func(parent *snapshot.Node) (*snapshot.Node, error) {
			if parent.Kind() != snapshot.Object {
				return nil, fmt.Errorf("parent is a %s, not an object: %w", parent.Kind(), ErrCorrupt)
			}
			n, ok := parent.WithoutMember(e.Path[len(e.Path)-1])
			if !ok {
				return nil, fmt.Errorf("no such member: %w", ErrCorrupt)
			}
			return n, nil
		})
	case Patch:
		return update(root, e.Path, func(n *snapshot.Node) (*snapshot.Node, error) {
			return applyOps(cfg, n, e.Ops)
		})
	case Keyed:
		if e.Collection == nil {
			return nil, fmt.Errorf("collection edit without content: %w", ErrCorrupt)
		}
		return update(root, e.Path, func(n *snapshot.Node) (*snapshot.Node, error) {
			return applyCollection(cfg, n, e.Collection)
		})
	}
	return nil, fmt.Errorf("unknown edit kind %d: %w", e.Kind, ErrCorrupt)
}

// update returns a copy of n in which the value at path is replaced by
// fn's result; only the objects along path are copied.
func update(n *snapshot.Node, path []string, fn func(*snapshot.Node) (*snapshot.Node, error)) (*snapshot.Node, error) {
	if len(path) == 0 {
		return fn(n)
	}
	if n.Kind() != snapshot.Object {
		return nil, fmt.Errorf("path goes through a %s: %w", n.Kind(), ErrCorrupt)
	}
	child, ok := n.Get(path[0])
	if !ok {
		return nil, fmt.Errorf("no member %q on the path: %w", path[0], ErrCorrupt)
	}
	c, err := update(child, path[1:], fn)
	if err != nil {
		return nil, err
	}
	return n.WithMember(path[0], c), nil
}

// applyOps applies operations to n in order, on the node tree (see
// applyOnNodes): each reads the value as the preceding ones left it.
func applyOps(cfg *snapshot.Config, n *snapshot.Node, ops []Op) (*snapshot.Node, error) {
	if len(ops) == 0 {
		return nil, fmt.Errorf("patch without operations: %w", ErrCorrupt)
	}
	return applyOnNodes(cfg, n, ops)
}

// resolve finds a base item named by position (when byPos) or by key.
func resolve(coll *snapshot.Collection, n int, key string, at int, byPos bool) (int, error) {
	if byPos {
		if at < 0 || at >= n {
			return 0, fmt.Errorf("no item at base position %d of %d: %w", at, n, ErrCorrupt)
		}
		return at, nil
	}
	i, ok := coll.Lookup(key)
	if !ok {
		return 0, fmt.Errorf("no item %q: %w", truncate(key), ErrCorrupt)
	}
	return i, nil
}

func applyCollection(cfg *snapshot.Config, arr *snapshot.Node, ce *CollectionEdit) (*snapshot.Node, error) {
	rule, err := snapshot.ParseRule(ce.Rule)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	coll, ok := snapshot.CollectionBy(arr, rule)
	if !ok {
		return nil, fmt.Errorf("value is not a collection keyed by %q: %w", ce.Rule, ErrCorrupt)
	}
	baseItems := arr.Elems()
	items := slices.Clone(baseItems)
	removed := make([]bool, len(items))
	remove := func(i int) error {
		if removed[i] {
			return fmt.Errorf("remove: item %d removed twice: %w", i, ErrCorrupt)
		}
		removed[i] = true
		return nil
	}
	for _, k := range ce.Remove {
		i, err := resolve(coll, len(items), k, 0, false)
		if err != nil {
			return nil, fmt.Errorf("remove: %w", err)
		}
		if err := remove(i); err != nil {
			return nil, err
		}
	}
	for _, at := range ce.RemoveAt {
		i, err := resolve(coll, len(items), "", at, true)
		if err != nil {
			return nil, fmt.Errorf("remove: %w", err)
		}
		if err := remove(i); err != nil {
			return nil, err
		}
	}
	for _, p := range ce.Patch {
		i, err := resolve(coll, len(items), p.Key, p.At, p.ByPos)
		if err != nil {
			return nil, fmt.Errorf("patch: %w", err)
		}
		if removed[i] {
			return nil, fmt.Errorf("patch: item %d is removed: %w", i, ErrCorrupt)
		}
		n, err := applyOps(cfg, items[i], p.Ops)
		if err != nil {
			return nil, fmt.Errorf("patch item %d: %w", i, err)
		}
		items[i] = n
	}
	var inserts []Item
	for _, it := range ce.Put {
		if it.Index < -1 {
			// Only -1 means "in place"; any other negative index is not a
			// position, and taking it as -1 would accept a malformed delta.
			return nil, fmt.Errorf("put at %d: %w", it.Index, ErrCorrupt)
		}
		value := it.Value
		switch {
		case it.HasFrom:
			if it.Index < 0 {
				return nil, fmt.Errorf("put built from an item must be an insertion: %w", ErrCorrupt)
			}
			if it.From < 0 || it.From >= len(baseItems) {
				return nil, fmt.Errorf("put built from base position %d of %d: %w", it.From, len(baseItems), ErrCorrupt)
			}
			n, err := applyOps(cfg, baseItems[it.From], it.Ops)
			if err != nil {
				return nil, fmt.Errorf("put built from item %d: %w", it.From, err)
			}
			value = n
		case value == nil:
			return nil, fmt.Errorf("put without a value: %w", ErrCorrupt)
		}
		if it.Index == -1 {
			i, err := resolve(coll, len(items), it.Key, it.At, it.ByPos)
			if err != nil {
				return nil, fmt.Errorf("replace: %w", err)
			}
			if removed[i] {
				return nil, fmt.Errorf("replace: item %d is removed: %w", i, ErrCorrupt)
			}
			items[i] = value
			continue
		}
		it.Value = value
		inserts = append(inserts, it)
	}
	list := make([]*snapshot.Node, 0, len(items)+len(inserts))
	for i, n := range items {
		if !removed[i] {
			list = append(list, n)
		}
	}
	last := -1
	for _, it := range inserts {
		if it.Index <= last || it.Index > len(list) {
			return nil, fmt.Errorf("insert at %d: position out of order or range: %w", it.Index, ErrCorrupt)
		}
		list = slices.Insert(list, it.Index, it.Value)
		last = it.Index
	}
	if ce.Order != nil {
		if len(ce.Order) != len(list) {
			return nil, fmt.Errorf("order names %d items, the collection has %d: %w", len(ce.Order), len(list), ErrCorrupt)
		}
		seen := make([]bool, len(list))
		out := make([]*snapshot.Node, len(list))
		for i, j := range ce.Order {
			if j < 0 || j >= len(list) || seen[j] {
				return nil, fmt.Errorf("order is not a permutation: %w", ErrCorrupt)
			}
			seen[j] = true
			out[i] = list[j]
		}
		list = out
	}
	return snapshot.NewArray(list, cfg), nil
}
