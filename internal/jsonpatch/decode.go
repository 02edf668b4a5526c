package jsonpatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// DecodePatch decodes an RFC 6902 patch document: a JSON array of
// operations. Values keep their numbers as json.Number. Besides JSON syntax
// it checks what Op cannot express: that "op" and "path" are present and
// strings, that "from" is present for move and copy and "value" for add,
// replace and test, and that no member appears twice. Unknown members are
// ignored, as RFC 6902 requires. Errors wrap ErrInvalidOp.
func DecodePatch(data []byte) ([]Op, error) {
	if b := bytes.TrimLeft(data, " \t\r\n"); len(b) == 0 || b[0] != '[' {
		return nil, fmt.Errorf("jsonpatch: decode patch: %w: not a JSON array", ErrInvalidOp)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("jsonpatch: decode patch: %w: %w", ErrInvalidOp, err)
	}
	ops := make([]Op, len(raw))
	for i, r := range raw {
		if err := ops[i].decode(r); err != nil {
			return nil, fmt.Errorf("jsonpatch: decode op %d: %w", i, err)
		}
	}
	return ops, nil
}

// UnmarshalJSON decodes one operation with the checks of DecodePatch.
func (o *Op) UnmarshalJSON(data []byte) error {
	if err := o.decode(data); err != nil {
		return fmt.Errorf("jsonpatch: decode op: %w", err)
	}
	return nil
}

// decode fills o from one JSON operation object. It reads member by member
// because encoding/json's struct decoding would accept null for a string,
// match member names case-insensitively and let a duplicate win silently.
func (o *Op) decode(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("%w: operation is not a JSON object", ErrInvalidOp)
	}
	var op Op
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidOp, err)
		}
		name, _ := t.(string) // inside an object the decoder yields only string keys
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidOp, err)
		}
		var dst *string
		switch name {
		case "op":
			dst = &op.Op
		case "path":
			dst = &op.Path
		case "from":
			dst = &op.From
		case "value":
			op.Value = v
		default:
			continue
		}
		if seen[name] {
			return fmt.Errorf("%w: member %q appears twice", ErrInvalidOp, name)
		}
		seen[name] = true
		if dst != nil {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("%w: member %q is not a string", ErrInvalidOp, name)
			}
			*dst = s
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidOp, err)
	}
	if !seen["op"] {
		return fmt.Errorf("%w: missing \"op\" member", ErrInvalidOp)
	}
	if !seen["path"] {
		return fmt.Errorf("%w: missing \"path\" member", ErrInvalidOp)
	}
	switch op.Op {
	case opAdd, opReplace, opTest:
		if !seen["value"] {
			return fmt.Errorf("%w: %s needs a \"value\" member", ErrInvalidOp, op.Op)
		}
	case opMove, opCopy:
		if !seen["from"] {
			return fmt.Errorf("%w: %s needs a \"from\" member", ErrInvalidOp, op.Op)
		}
	case opRemove:
	default:
		return fmt.Errorf("%w: unknown op %s", ErrInvalidOp, strconv.Quote(clip(op.Op)))
	}
	*o = op
	return nil
}

// MarshalJSON encodes o as an RFC 6902 operation, writing "from" and "value"
// for the operations that read them (and whenever they are set).
func (o Op) MarshalJSON() ([]byte, error) {
	b := []byte(`{"op":`)
	b = appendJSON(b, o.Op)
	b = append(b, `,"path":`...)
	b = appendJSON(b, o.Path)
	if o.Op == opMove || o.Op == opCopy || o.From != "" {
		b = append(b, `,"from":`...)
		b = appendJSON(b, o.From)
	}
	if o.Op == opAdd || o.Op == opReplace || o.Op == opTest || o.Value != nil {
		v, err := json.Marshal(o.Value)
		if err != nil {
			return nil, fmt.Errorf("jsonpatch: encode op value: %w", err)
		}
		b = append(b, `,"value":`...)
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// appendJSON appends s as a JSON string.
func appendJSON(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
