package snapshot

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Snapshot is one parsed JSON document with its content hashes. It is
// immutable and safe for concurrent use; its root hash names it.
type Snapshot struct {
	root *Node
	cfg  *Config
	// For ParseNext: the items of the lists near the root, by text hash
	// and by place.
	spans map[spanKey]spanRef
	lists [][]span
	// For CompactSharing: the items kept parsed, and for how many polls
	// they have gone unchanged.
	warm map[*Node]uint8
}

// New returns the snapshot whose document is root, built under cfg (nil for
// the default configuration).
func New(root *Node, cfg *Config) *Snapshot {
	if cfg == nil {
		cfg = defaultConfig
	}
	if root == nil {
		root = nullNode
	}
	return &Snapshot{root: root, cfg: cfg}
}

// Root returns the document's root node.
func (s *Snapshot) Root() *Node { return s.root }

// Hash returns the root hash, the snapshot's name.
func (s *Snapshot) Hash() uint64 { return s.root.hash }

// Config returns the configuration the snapshot was built with.
func (s *Snapshot) Config() *Config { return s.cfg }

// Equal reports whether two snapshots hold the same JSON value.
func (s *Snapshot) Equal(o *Snapshot) bool { return Equal(s.root, o.root) }

// MarshalCanonical returns the document as canonical JSON: members sorted by
// key (bytewise), no insignificant whitespace, numbers as their literal text,
// strings escaping only '"', '\\' and control characters.
func (s *Snapshot) MarshalCanonical() []byte { return AppendCanonical(nil, s.root) }

// WriteCanonical writes the canonical JSON of the document to w.
func (s *Snapshot) WriteCanonical(w io.Writer) error {
	_, err := w.Write(s.MarshalCanonical())
	return err
}

// FormatHash formats a content hash as 16 lowercase hex digits, the form
// used on the command line and in the HTTP API.
func FormatHash(h uint64) string {
	return fmt.Sprintf("%016x", h)
}

// ParseHash parses the 16-hex-digit form of a content hash.
func ParseHash(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("snapshot: hash %q is not 16 hex digits: %w", truncate(s, 40), ErrInvalidValue)
	}
	h, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("snapshot: hash %q is not 16 hex digits: %w", s, ErrInvalidValue)
	}
	return h, nil
}

// AppendCanonical appends the canonical JSON of n to dst.
func AppendCanonical(dst []byte, n *Node) []byte {
	if c := n.c; c != nil && c.lazy != nil {
		// A compact item holds its canonical JSON: inflating it is
		// cheaper than parsing it to write it again.
		if out, err := itemZstd.decoder().DecodeAll(c.lazy.text, dst); err == nil {
			return out
		}
	}
	switch n.kind {
	case Null:
		return append(dst, "null"...)
	case Bool:
		if n.bval {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Number:
		return append(dst, n.text...)
	case String:
		return appendString(dst, n.text)
	case Array:
		dst = append(dst, '[')
		for i, e := range n.body().kids {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendCanonical(dst, e)
		}
		return append(dst, ']')
	case Object:
		dst = append(dst, '{')
		for i, k := range n.body().keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			dst = AppendCanonical(dst, n.body().kids[i])
		}
		return append(dst, '}')
	}
	return dst
}

const hexDigits = "0123456789abcdef"

func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Value returns n as the Go value encoding/json's Decoder.UseNumber would
// produce: nil, bool, json.Number, string, []any, map[string]any. The result
// is a fresh tree the caller may modify.
func (n *Node) Value() any {
	switch n.kind {
	case Bool:
		return n.bval
	case Number:
		return json.Number(n.text)
	case String:
		return n.text
	case Array:
		a := make([]any, len(n.body().kids))
		for i, e := range n.body().kids {
			a[i] = e.Value()
		}
		return a
	case Object:
		m := make(map[string]any, len(n.body().keys))
		for i, k := range n.body().keys {
			m[k] = n.body().kids[i].Value()
		}
		return m
	}
	return nil
}

// FromValue builds a Node from a Go value of the shape Value returns (also
// accepting float64 and integer types, written in Go's shortest form). depth
// bounds the nesting; arrays are keyed with cfg's rules.
func (c *Config) FromValue(v any) (*Node, error) {
	return c.fromValue(v, 0)
}

func (c *Config) fromValue(v any, depth int) (*Node, error) {
	switch v := v.(type) {
	case nil:
		return nullNode, nil
	case bool:
		return NewBool(v), nil
	case json.Number:
		return NewNumber(string(v))
	case string:
		return NewString(v)
	case float64:
		return NewNumber(strconv.FormatFloat(v, 'g', -1, 64))
	case int:
		return newNumber(strconv.Itoa(v)), nil
	case int8:
		return newNumber(strconv.FormatInt(int64(v), 10)), nil
	case int16:
		return newNumber(strconv.FormatInt(int64(v), 10)), nil
	case int32:
		return newNumber(strconv.FormatInt(int64(v), 10)), nil
	case int64:
		return newNumber(strconv.FormatInt(v, 10)), nil
	case uint:
		return newNumber(strconv.FormatUint(uint64(v), 10)), nil
	case uint8:
		return newNumber(strconv.FormatUint(uint64(v), 10)), nil
	case uint16:
		return newNumber(strconv.FormatUint(uint64(v), 10)), nil
	case uint32:
		return newNumber(strconv.FormatUint(uint64(v), 10)), nil
	case uint64:
		return newNumber(strconv.FormatUint(v, 10)), nil
	case []any:
		if depth >= c.maxDepth {
			return nil, fmt.Errorf("snapshot: value nests deeper than %d levels: %w", c.maxDepth, ErrTooDeep)
		}
		elems := make([]*Node, len(v))
		for i, e := range v {
			n, err := c.fromValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			elems[i] = n
		}
		return NewArray(elems, c), nil
	case map[string]any:
		if depth >= c.maxDepth {
			return nil, fmt.Errorf("snapshot: value nests deeper than %d levels: %w", c.maxDepth, ErrTooDeep)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			if !utf8.ValidString(k) {
				return nil, fmt.Errorf("snapshot: object key is not valid UTF-8: %w", ErrInvalidValue)
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		vals := make([]*Node, len(keys))
		for i, k := range keys {
			n, err := c.fromValue(v[k], depth+1)
			if err != nil {
				return nil, err
			}
			vals[i] = n
		}
		return newObjectSorted(keys, vals), nil
	}
	return nil, fmt.Errorf("snapshot: cannot hold a %T as JSON: %w", v, ErrInvalidValue)
}
