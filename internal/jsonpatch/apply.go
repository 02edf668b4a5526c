package jsonpatch

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Operation names, as they appear in Op.Op.
const (
	opAdd     = "add"
	opRemove  = "remove"
	opReplace = "replace"
	opMove    = "move"
	opCopy    = "copy"
	opTest    = "test"
)

// Op is one RFC 6902 operation.
//
// Path and From are JSON Pointers; From is read only by "move" and "copy".
// Value is a value tree (see the package documentation) read only by "add",
// "replace" and "test"; nil is JSON null. Because Go cannot tell a zero field
// from a missing member, Apply takes Value nil as null and From "" as the
// root: decode untrusted patches with DecodePatch, which refuses missing
// members.
type Op struct {
	Op    string
	Path  string
	From  string
	Value any
}

// Apply applies ops in order to doc and returns the patched document.
//
// doc and the ops are never modified (see the package documentation for what
// the result shares with doc). The patch is atomic: if any operation fails,
// Apply returns nil and an error naming that operation.
func Apply(doc any, ops []Op) (any, error) {
	a := applier{doc: doc, owned: owned{}, copyBudget: maxCopyNodes}
	for i := range ops {
		if err := a.apply(&ops[i]); err != nil {
			return nil, opError(i, &ops[i], err)
		}
	}
	return a.doc, nil
}

// applier holds the document while a patch is applied to it.
type applier struct {
	doc        any
	owned      owned // containers this applier may write in place
	copyBudget int   // values "copy" may still duplicate
}

func (a *applier) apply(op *Op) error {
	switch op.Op {
	case opAdd, opReplace:
		path, err := parsePointer(op.Path)
		if err != nil {
			return err
		}
		v, err := a.insertable(op.Value, path, nil)
		if err != nil {
			return err
		}
		if op.Op == opAdd {
			return a.add(path, v)
		}
		return a.replace(path, v)
	case opRemove:
		path, err := parsePointer(op.Path)
		if err != nil {
			return err
		}
		_, err = a.remove(path)
		return err
	case opMove, opCopy:
		from, err := parsePointer(op.From)
		if err != nil {
			return fmt.Errorf("from: %w", err)
		}
		path, err := parsePointer(op.Path)
		if err != nil {
			return err
		}
		if op.Op == opCopy {
			src, err := get(a.doc, from)
			if err != nil {
				return fmt.Errorf("from: %w", err)
			}
			v, err := a.insertable(src, path, &a.copyBudget)
			if err != nil {
				return err
			}
			return a.add(path, v)
		}
		if len(from) < len(path) && isPrefix(from, path) {
			return fmt.Errorf("%w: cannot move a value into its own child", ErrInvalidOp)
		}
		// A move detaches the value before attaching it, so it stays
		// referenced once and needs no copy.
		v, err := a.remove(from)
		if err != nil {
			return fmt.Errorf("from: %w", err)
		}
		return a.add(path, v)
	case opTest:
		path, err := parsePointer(op.Path)
		if err != nil {
			return err
		}
		if err := check(op.Value, maxDepth); err != nil {
			return err
		}
		v, err := get(a.doc, path)
		if err != nil {
			return err
		}
		if !Equal(v, op.Value) {
			return ErrTestFailed
		}
		return nil
	case "":
		return fmt.Errorf("%w: missing op", ErrInvalidOp)
	}
	return fmt.Errorf("%w: unknown op", ErrInvalidOp)
}

// insertable deep-copies v for insertion at path.
func (a *applier) insertable(v any, path []string, budget *int) (any, error) {
	c := cloner{budget: budget, owned: a.owned.add}
	return c.clone(v, maxDepth-len(path))
}

// add implements "add": set an object member, or insert into an array.
func (a *applier) add(path []string, v any) error {
	if len(path) == 0 {
		a.doc = v
		return nil
	}
	return a.edit(path, func(c any, tok string) (any, error) {
		switch c := c.(type) {
		case map[string]any:
			c[tok] = v
			return c, nil
		case []any:
			i, err := arrayIndex(tok, len(c), true)
			if err != nil {
				return nil, err
			}
			s := slices.Insert(c, i, v)
			a.owned.add(s) // a no-op unless Insert had to grow the array
			return s, nil
		}
		return nil, notContainer(c)
	})
}

// replace implements "replace": the target must already exist.
func (a *applier) replace(path []string, v any) error {
	if len(path) == 0 {
		a.doc = v
		return nil
	}
	return a.edit(path, func(c any, tok string) (any, error) {
		switch c := c.(type) {
		case map[string]any:
			if _, ok := c[tok]; !ok {
				return nil, noMember(tok)
			}
			c[tok] = v
			return c, nil
		case []any:
			i, err := arrayIndex(tok, len(c), false)
			if err != nil {
				return nil, err
			}
			c[i] = v
			return c, nil
		}
		return nil, notContainer(c)
	})
}

// remove implements "remove" and returns the value removed.
func (a *applier) remove(path []string) (any, error) {
	if len(path) == 0 {
		return nil, fmt.Errorf("%w: cannot remove the document root", ErrInvalidOp)
	}
	var removed any
	err := a.edit(path, func(c any, tok string) (any, error) {
		switch c := c.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, noMember(tok)
			}
			removed = v
			delete(c, tok)
			return c, nil
		case []any:
			i, err := arrayIndex(tok, len(c), false)
			if err != nil {
				return nil, err
			}
			removed = c[i]
			return slices.Delete(c, i, i+1), nil // Delete clears the vacated slot
		}
		return nil, notContainer(c)
	})
	return removed, err
}

// edit makes every container on the way to path's parent writable, copying
// those this applier does not own yet, then lets fn change the parent in
// place. fn returns the parent to store, since changing an array's length
// yields a new slice header. path must not be empty.
func (a *applier) edit(path []string, fn func(parent any, tok string) (any, error)) error {
	doc, err := a.editAt(a.doc, path, fn)
	if err != nil {
		return err
	}
	a.doc = doc
	return nil
}

func (a *applier) editAt(node any, path []string, fn func(parent any, tok string) (any, error)) (any, error) {
	if len(path) == 1 {
		w, err := a.writable(node)
		if err != nil {
			return nil, err
		}
		return fn(w, path[0])
	}
	child, err := lookup(node, path[0])
	if err != nil {
		return nil, err
	}
	child, err = a.editAt(child, path[1:], fn)
	if err != nil {
		return nil, err
	}
	w, err := a.writable(node)
	if err != nil {
		return nil, err
	}
	switch w := w.(type) {
	case map[string]any:
		w[path[0]] = child
	case []any:
		i, _ := arrayIndex(path[0], len(w), false) // lookup accepted it
		w[i] = child
	}
	return w, nil
}

// writable returns c itself if this applier owns it, else a shallow copy that
// it then owns.
func (a *applier) writable(c any) (any, error) {
	if a.owned.has(c) {
		return c, nil
	}
	switch c := c.(type) {
	case map[string]any:
		m := maps.Clone(c) // copies the table wholesale, far faster than re-inserting
		if m == nil {
			m = map[string]any{}
		}
		a.owned.add(m)
		return m, nil
	case []any:
		s := make([]any, len(c), len(c)+1) // room for one "add" without growing
		copy(s, c)
		a.owned.add(s)
		return s, nil
	}
	return nil, notContainer(c)
}

// get resolves path in doc without changing anything.
func get(doc any, path []string) (any, error) {
	v := doc
	for _, tok := range path {
		var err error
		if v, err = lookup(v, tok); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// lookup returns the child of node named by tok.
func lookup(node any, tok string) (any, error) {
	switch c := node.(type) {
	case map[string]any:
		v, ok := c[tok]
		if !ok {
			return nil, noMember(tok)
		}
		return v, nil
	case []any:
		i, err := arrayIndex(tok, len(c), false)
		if err != nil {
			return nil, err
		}
		return c[i], nil
	}
	return nil, notContainer(node)
}

func noMember(tok string) error {
	return fmt.Errorf("%w: no member %s", ErrPathNotFound, strconv.Quote(clip(tok)))
}

// notContainer explains why a path cannot go through a scalar.
func notContainer(v any) error {
	var kind string
	switch v.(type) {
	case nil:
		kind = "null"
	case bool:
		kind = "a boolean"
	case json.Number:
		kind = "a number"
	case string:
		kind = "a string"
	default:
		kind = fmt.Sprintf("a %T", v)
	}
	return fmt.Errorf("%w: cannot index into %s", ErrPathNotFound, kind)
}
