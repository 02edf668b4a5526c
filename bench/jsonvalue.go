package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"slices"
	"strconv"

	"github.com/snapdelta/snapdelta/internal/jsonpatch"
)

// parseJSON decodes one JSON document into an encoding/json tree whose
// numbers are json.Number, so no number loses its literal text.
func parseJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err == nil {
		return nil, errors.New("trailing data after JSON document")
	}
	return v, nil
}

// JSONEqual reports whether a and b hold the same JSON value: the same
// arrays in the same order, the same members whatever their order, the same
// strings, and numbers of equal value (1.0 equals 1, 1e2 equals 100).
func JSONEqual(a, b []byte) (bool, error) {
	if bytes.Equal(a, b) {
		return json.Valid(a), nil
	}
	va, err := parseJSON(a)
	if err != nil {
		return false, fmt.Errorf("bench: json equal: first document: %w", err)
	}
	vb, err := parseJSON(b)
	if err != nil {
		return false, fmt.Errorf("bench: json equal: second document: %w", err)
	}
	return jsonpatch.Equal(va, vb), nil
}

// canonicalHash is FNV-1a (32 bit) over the canonical form of a JSON value:
// compact, object members sorted by key, numbers as written. Both ends of a
// jsonpatch link compute it from their own parsed copy of the base, so it
// does not depend on how either side happened to format the base's bytes.
func canonicalHash(v any) uint32 {
	h := fnv.New32a()
	var scratch []byte
	hashValue(h, v, &scratch)
	return h.Sum32()
}

func hashValue(h hash.Hash32, v any, scratch *[]byte) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		h.Write([]byte{'{'})
		for i, k := range keys {
			if i > 0 {
				h.Write([]byte{','})
			}
			*scratch = strconv.AppendQuote((*scratch)[:0], k)
			h.Write(*scratch)
			h.Write([]byte{':'})
			hashValue(h, x[k], scratch)
		}
		h.Write([]byte{'}'})
	case []any:
		h.Write([]byte{'['})
		for i, e := range x {
			if i > 0 {
				h.Write([]byte{','})
			}
			hashValue(h, e, scratch)
		}
		h.Write([]byte{']'})
	case string:
		*scratch = strconv.AppendQuote((*scratch)[:0], x)
		h.Write(*scratch)
	case json.Number:
		h.Write([]byte(x))
	case bool:
		if x {
			h.Write([]byte("true"))
		} else {
			h.Write([]byte("false"))
		}
	case nil:
		h.Write([]byte("null"))
	default:
		// Only the types above occur in a parsed tree; anything else still
		// hashes deterministically.
		fmt.Fprintf(h, "%v", x)
	}
}
