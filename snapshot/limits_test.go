package snapshot

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func nestedArrays(n int) string  { return strings.Repeat("[", n) + strings.Repeat("]", n) }
func nestedObjects(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }

func TestDeepNestingWithinBound(t *testing.T) {
	for _, doc := range []string{nestedArrays(1000), nestedObjects(1000), nestedArrays(DefaultMaxDepth)} {
		s := mustParse(t, doc)
		if got := string(s.MarshalCanonical()); got != doc {
			t.Errorf("canonical of a deep document differs from its input (%d vs %d bytes)", len(got), len(doc))
		}
		if v, err := DefaultConfig().FromValue(s.Root().Value()); err != nil || v.Hash() != s.Hash() {
			t.Errorf("FromValue(Value()) of a deep document: %v", err)
		}
	}
}

func TestTooDeep(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		offset int64
	}{
		{"100,000 open brackets", strings.Repeat("[", 100000), DefaultMaxDepth},
		{"100,000 nested arrays", nestedArrays(100000), DefaultMaxDepth},
		{"100,000 nested objects", nestedObjects(100000), DefaultMaxDepth * 5},
		{"one past the bound", nestedArrays(DefaultMaxDepth + 1), DefaultMaxDepth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if !errors.Is(err, ErrTooDeep) {
				t.Fatalf("error = %v, want ErrTooDeep", err)
			}
			if errors.Is(err, ErrSyntax) {
				t.Errorf("ErrTooDeep error %v also matches ErrSyntax", err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset != tt.offset || se.Line != 1 || se.Column != int(tt.offset)+1 {
				t.Errorf("error %v, want offset %d", err, tt.offset)
			}
		})
	}
}

func TestWithMaxDepth(t *testing.T) {
	cfg, err := NewConfig(WithMaxDepth(2))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxDepth() != 2 {
		t.Errorf("MaxDepth() = %d", cfg.MaxDepth())
	}
	for doc, wantErr := range map[string]bool{
		"1": false, "[]": false, "[[]]": false, `{"a":[1]}`: false, "[[1],[2],{},[3]]": false,
		`[{"a":{"b":1}}]`: true, "[[[]]]": true, `{"a":{"b":{}}}`: true, "[[1],[[2]]]": true, `[{"a":[]}]`: true,
	} {
		_, err := cfg.Parse([]byte(doc))
		if wantErr != errors.Is(err, ErrTooDeep) || (!wantErr && err != nil) {
			t.Errorf("Parse(%s) with max depth 2: %v, want ErrTooDeep: %v", doc, err, wantErr)
		}
	}
	// FromValue honours the same bound.
	if _, err := cfg.FromValue([]any{[]any{}}); err != nil {
		t.Errorf("FromValue at the bound: %v", err)
	}
	if _, err := cfg.FromValue([]any{map[string]any{"a": []any{}}}); !errors.Is(err, ErrTooDeep) {
		t.Errorf("FromValue past the bound: %v, want ErrTooDeep", err)
	}
	for _, n := range []int{0, -1, math.MinInt} {
		if _, err := NewConfig(WithMaxDepth(n)); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("WithMaxDepth(%d): %v, want ErrInvalidOption", n, err)
		}
	}
}

func TestWithMaxSize(t *testing.T) {
	cfg, err := NewConfig(WithMaxSize(10))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Parse([]byte(`[1,2,3,45]`)); err != nil {
		t.Errorf("10 bytes with a 10-byte bound: %v", err)
	}
	if _, err := cfg.Parse([]byte(`[1,2,3,456]`)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("11 bytes with a 10-byte bound: %v, want ErrTooLarge", err)
	}
	if _, err := cfg.Parse([]byte(`[1,2,3,4]  `)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("surrounding whitespace counts: %v, want ErrTooLarge", err)
	}
	for _, n := range []int64{0, -1} {
		if _, err := NewConfig(WithMaxSize(n)); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("WithMaxSize(%d): %v, want ErrInvalidOption", n, err)
		}
	}
}

// endless is a reader that never ends.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestParseReader(t *testing.T) {
	s, err := ParseReader(strings.NewReader(` {"b":[1,2],"a":"x"} `))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.MarshalCanonical()); got != `{"a":"x","b":[1,2]}` {
		t.Errorf("ParseReader = %s", got)
	}

	cfg, err := NewConfig(WithMaxSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte(" "), 1001)
	big[0] = '1'
	if _, err := cfg.ParseReader(bytes.NewReader(big)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ParseReader of 1001 bytes, bound 1000: %v, want ErrTooLarge", err)
	}
	if _, err := cfg.ParseReader(bytes.NewReader(big[:1000])); err != nil {
		t.Errorf("ParseReader of 1000 bytes, bound 1000: %v", err)
	}
	// A reader that never ends must not be read to the end.
	e := &endless{}
	if _, err := cfg.ParseReader(e); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ParseReader of an endless reader: %v, want ErrTooLarge", err)
	}
	if e.read > 1<<20 {
		t.Errorf("ParseReader read %d bytes of an endless reader with a 1000-byte bound", e.read)
	}

	errBoom := errors.New("connection reset")
	_, err = ParseReader(io.MultiReader(strings.NewReader("[1,"), iotestErrReader{errBoom}))
	if !errors.Is(err, errBoom) {
		t.Errorf("ParseReader with a failing reader: %v, want %v", err, errBoom)
	}

	// The largest bound must not overflow into refusing everything.
	huge, err := NewConfig(WithMaxSize(math.MaxInt64))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := huge.ParseReader(strings.NewReader(`[true]`)); err != nil || string(s.MarshalCanonical()) != "[true]" {
		t.Errorf("ParseReader with max size MaxInt64: %v", err)
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }
