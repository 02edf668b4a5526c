package jsonpatch

import (
	"bytes"
	"encoding/json"
	"testing"
)

// decode parses JSON into a value tree the way the package expects.
func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := decodeValue([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func decodeValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return v, nil
}

// canonical prints v as compact JSON with sorted keys and number literals
// exactly as stored, so comparing two canonical strings is a strict test.
func canonical(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

func decodePatch(t testing.TB, s string) []Op {
	t.Helper()
	ops, err := DecodePatch([]byte(s))
	if err != nil {
		t.Fatalf("DecodePatch(%s): %v", s, err)
	}
	return ops
}
