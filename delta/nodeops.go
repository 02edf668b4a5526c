package delta

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/snapdelta/snapdelta/internal/jsonpatch"
	"github.com/snapdelta/snapdelta/snapshot"
)

// applyOnNodes applies operations in order straight on the node tree,
// copying only the nodes along each path: RFC 6902's six (test by hash,
// copy by sharing the node, move as copy then remove) and the scalar
// transforms. An unknown kind is ErrCorrupt. Its results are RFC 6902's
// (proven against the jsonpatch package by TestNodeOpsMatchJSONPatch).
func applyOnNodes(cfg *snapshot.Config, n *snapshot.Node, ops []Op) (*snapshot.Node, error) {
	for i, o := range ops {
		if !o.Kind.known() {
			return nil, fmt.Errorf("operation %d: unknown kind %d: %w", i, o.Kind, ErrCorrupt)
		}
	}
	for i := range ops {
		o := &ops[i]
		tokens, err := jsonpatch.ParsePointer(o.Path)
		if err != nil {
			return nil, fmt.Errorf("operation %d (%s): %w: %w", i, o.Kind, ErrCorrupt, err)
		}
		switch o.Kind {
		case OpTest, OpMove, OpCopy:
			n, err = applyNodeMoveCopyTest(cfg, n, tokens, o)
		default:
			n, err = applyNodeOp(cfg, n, tokens, o)
		}
		if err != nil {
			return nil, fmt.Errorf("operation %d (%s %s): %w", i, o.Kind, truncate(o.Path), err)
		}
	}
	return n, nil
}

// applyNodeMoveCopyTest runs test, move and copy on nodes: test compares
// by hash first, copy shares the copied node (nodes are immutable, so a
// copy costs nothing and cannot blow memory up), move is a copy then a
// remove.
func applyNodeMoveCopyTest(cfg *snapshot.Config, n *snapshot.Node, tokens []string, o *Op) (*snapshot.Node, error) {
	if o.Kind == OpTest {
		if o.Value == nil {
			return nil, fmt.Errorf("test without a value: %w", ErrCorrupt)
		}
		cur, err := nodeAtTokens(n, tokens)
		if err != nil {
			return nil, err
		}
		if !jsonEqual(cur, o.Value) {
			return nil, fmt.Errorf("test failed: %w", ErrCorrupt)
		}
		return n, nil
	}
	from, err := jsonpatch.ParsePointer(o.From)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	v, err := nodeAtTokens(n, from)
	if err != nil {
		return nil, err
	}
	if o.Kind == OpMove {
		if len(from) < len(tokens) && slices.Equal(from, tokens[:len(from)]) {
			return nil, fmt.Errorf("move into its own child: %w", ErrCorrupt)
		}
		if slices.Equal(from, tokens) {
			return n, nil
		}
		if n, err = applyNodeOp(cfg, n, from, &Op{Kind: OpRemove}); err != nil {
			return nil, err
		}
	}
	return applyNodeOp(cfg, n, tokens, &Op{Kind: OpAdd, Value: v})
}

// nodeAtTokens returns the value at the reference tokens of a pointer.
func nodeAtTokens(n *snapshot.Node, tokens []string) (*snapshot.Node, error) {
	for _, t := range tokens {
		switch n.Kind() {
		case snapshot.Object:
			c, ok := n.Get(t)
			if !ok {
				return nil, fmt.Errorf("no member %q: %w", truncate(t), ErrCorrupt)
			}
			n = c
		case snapshot.Array:
			i, ok := arrayIndex(t, n.Len())
			if !ok {
				return nil, fmt.Errorf("no element %q: %w", truncate(t), ErrCorrupt)
			}
			n = n.Elem(i)
		default:
			return nil, fmt.Errorf("path goes through a %s: %w", n.Kind(), ErrCorrupt)
		}
	}
	return n, nil
}

// jsonEqual is RFC 6902's equality for "test": numbers by value (1 equals
// 1.0), everything else exactly; equal hashes end the comparison at once.
func jsonEqual(a, b *snapshot.Node) bool {
	if a.Hash() == b.Hash() {
		return true
	}
	if a.Kind() != b.Kind() || a.Len() != b.Len() {
		return false
	}
	switch a.Kind() {
	case snapshot.Number:
		return jsonpatch.Equal(json.Number(a.Text()), json.Number(b.Text()))
	case snapshot.Array:
		for i := range a.Elems() {
			if !jsonEqual(a.Elem(i), b.Elem(i)) {
				return false
			}
		}
		return true
	case snapshot.Object:
		if !slices.Equal(a.Keys(), b.Keys()) {
			return false
		}
		for i := range a.Values() {
			if !jsonEqual(a.Values()[i], b.Values()[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func applyNodeOp(cfg *snapshot.Config, n *snapshot.Node, tokens []string, o *Op) (*snapshot.Node, error) {
	if len(tokens) == 0 {
		switch o.Kind {
		case OpAdd, OpReplace:
			if o.Value == nil {
				return nil, fmt.Errorf("%s without a value: %w", o.Kind, ErrCorrupt)
			}
			return o.Value, nil
		case OpRemove:
			return nil, fmt.Errorf("cannot remove the root: %w", ErrCorrupt)
		}
		return transformNode(n, o)
	}
	t := tokens[0]
	last := len(tokens) == 1
	switch n.Kind() {
	case snapshot.Object:
		child, exists := n.Get(t)
		if !last {
			if !exists {
				return nil, fmt.Errorf("no member %q: %w", truncate(t), ErrCorrupt)
			}
			c, err := applyNodeOp(cfg, child, tokens[1:], o)
			if err != nil {
				return nil, err
			}
			return n.WithMember(t, c), nil
		}
		switch o.Kind {
		case OpAdd:
			if o.Value == nil {
				return nil, fmt.Errorf("add without a value: %w", ErrCorrupt)
			}
			return n.WithMember(t, o.Value), nil
		case OpRemove:
			m, ok := n.WithoutMember(t)
			if !ok {
				return nil, fmt.Errorf("no member %q: %w", truncate(t), ErrCorrupt)
			}
			return m, nil
		}
		if !exists {
			return nil, fmt.Errorf("no member %q: %w", truncate(t), ErrCorrupt)
		}
		c, err := applyNodeOp(cfg, child, nil, o)
		if err != nil {
			return nil, err
		}
		return n.WithMember(t, c), nil
	case snapshot.Array:
		elems := n.Elems()
		if last && o.Kind == OpAdd {
			i := len(elems)
			if t != "-" {
				var ok bool
				if i, ok = arrayIndex(t, len(elems)+1); !ok {
					return nil, fmt.Errorf("no position %q: %w", truncate(t), ErrCorrupt)
				}
			}
			if o.Value == nil {
				return nil, fmt.Errorf("add without a value: %w", ErrCorrupt)
			}
			return snapshot.NewArray(slices.Insert(slices.Clone(elems), i, o.Value), cfg), nil
		}
		i, ok := arrayIndex(t, len(elems))
		if !ok {
			return nil, fmt.Errorf("no element %q: %w", truncate(t), ErrCorrupt)
		}
		if last && o.Kind == OpRemove {
			return snapshot.NewArray(slices.Delete(slices.Clone(elems), i, i+1), cfg), nil
		}
		c, err := applyNodeOp(cfg, elems[i], tokens[1:], o)
		if err != nil {
			return nil, err
		}
		out := slices.Clone(elems)
		out[i] = c
		return snapshot.NewArray(out, cfg), nil
	}
	return nil, fmt.Errorf("path goes through a %s: %w", n.Kind(), ErrCorrupt)
}

// arrayIndex parses an RFC 6901 array index below limit.
func arrayIndex(t string, limit int) (int, bool) {
	if t == "" || (len(t) > 1 && t[0] == '0') {
		return 0, false
	}
	for _, c := range []byte(t) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(t)
	if err != nil || i >= limit {
		return 0, false
	}
	return i, true
}

// transformNode applies a scalar transform to n.
func transformNode(n *snapshot.Node, o *Op) (*snapshot.Node, error) {
	switch n.Kind() {
	case snapshot.Number:
		if o.Kind != OpIncrement {
			return nil, fmt.Errorf("%s of a number: %w", o.Kind, ErrCorrupt)
		}
		s, err := addInt(n.Text(), o.Int)
		if err != nil {
			return nil, err
		}
		return snapshot.NewNumber(s)
	case snapshot.String:
		v, err := transformScalar(n.Text(), o)
		if err != nil {
			return nil, err
		}
		s, _ := v.(string)
		return snapshot.NewString(s)
	}
	return nil, fmt.Errorf("%s of a %s: %w", o.Kind, n.Kind(), ErrCorrupt)
}
