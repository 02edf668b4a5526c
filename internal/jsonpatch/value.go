package jsonpatch

import (
	"encoding/json"
	"fmt"
)

const (
	// maxDepth is encoding/json's nesting limit: inserting no deeper keeps
	// every result decodable by the standard library.
	maxDepth = 10000
	// maxCopyNodes bounds what the copy operations of one Apply may
	// duplicate; without it n copy operations could double a document n
	// times and a few hundred bytes of patch could exhaust memory.
	maxCopyNodes = 1 << 20
)

// cloner deep-copies values into a document, checking that they are value
// trees and within the limits.
type cloner struct {
	budget *int        // values left to copy; nil for no limit
	owned  func(c any) // records each container it creates
}

// clone returns a deep copy of v whose containers may nest at most depth
// levels.
func (c cloner) clone(v any, depth int) (any, error) {
	if c.budget != nil {
		if *c.budget <= 0 {
			return nil, fmt.Errorf("%w: copy operations exhaust their budget of duplicated values", ErrTooLarge)
		}
		*c.budget--
	}
	switch v := v.(type) {
	case nil, bool, string:
		return v, nil
	case json.Number:
		if !validNumber(string(v)) {
			return nil, fmt.Errorf("%w: json.Number %s is not a JSON number", ErrInvalidOp, show(string(v)))
		}
		return v, nil
	case []any:
		if depth <= 0 {
			return nil, errTooDeep
		}
		s := make([]any, len(v))
		for i, e := range v {
			var err error
			if s[i], err = c.clone(e, depth-1); err != nil {
				return nil, err
			}
		}
		c.owned(s)
		return s, nil
	case map[string]any:
		if depth <= 0 {
			return nil, errTooDeep
		}
		m := make(map[string]any, len(v))
		for k, e := range v {
			var err error
			if m[k], err = c.clone(e, depth-1); err != nil {
				return nil, err
			}
		}
		c.owned(m)
		return m, nil
	}
	return nil, fmt.Errorf("%w: value of Go type %T is not JSON", ErrInvalidOp, v)
}

var errTooDeep = fmt.Errorf("%w: nesting deeper than %d", ErrTooLarge, maxDepth)

// check reports whether v is a value tree nesting at most depth levels,
// like clone without copying.
func check(v any, depth int) error {
	switch v := v.(type) {
	case nil, bool, string:
		return nil
	case json.Number:
		if !validNumber(string(v)) {
			return fmt.Errorf("%w: json.Number %s is not a JSON number", ErrInvalidOp, show(string(v)))
		}
		return nil
	case []any:
		if depth <= 0 {
			return errTooDeep
		}
		for _, e := range v {
			if err := check(e, depth-1); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if depth <= 0 {
			return errTooDeep
		}
		for _, e := range v {
			if err := check(e, depth-1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: value of Go type %T is not JSON", ErrInvalidOp, v)
}
