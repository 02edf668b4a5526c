package jsonpatch

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzApply checks, for any document and patch, that Apply neither panics
// nor changes its inputs, fails only with a sentinel error, and gives the
// same result as applying the ops one at a time (which catches a container
// edited in place while still shared).
func FuzzApply(f *testing.F) {
	seeds := [][2]string{
		{`{"a":{"b":[1,2,3]},"c":"x"}`, `[{"op":"add","path":"/a/b/1","value":1.0},{"op":"remove","path":"/c"}]`},
		{`[1,[2,[3]]]`, `[{"op":"copy","from":"/1","path":"/1/1/-"},{"op":"add","path":"/1/1/1/0","value":null}]`},
		{`{"a":{"x":1}}`, `[{"op":"copy","from":"/a","path":"/b"},{"op":"replace","path":"/a/x","value":2}]`},
		{`{"a":[{"k":1}]}`, `[{"op":"move","from":"/a/0","path":"/b"},{"op":"add","path":"/b/k2","value":[]},{"op":"move","from":"/b","path":"/a/-"}]`},
		{`{"":{"~":1}}`, `[{"op":"test","path":"/~1","value":{"~":1e0}},{"op":"move","from":"/","path":"/x~0"}]`},
		{`12345678901234567890`, `[{"op":"replace","path":"","value":{"n":1e400}},{"op":"add","path":"/n2","value":-0.0}]`},
		{`[]`, `[{"op":"add","path":"/01","value":1},{"op":"add","path":"/99999999999999999999","value":1}]`},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	// The conformance suite, when present, makes a good corpus.
	for _, name := range []string{"tests.json", "spec_tests.json"} {
		b, err := os.ReadFile(filepath.Join(conformanceDir, name))
		if err != nil {
			continue
		}
		var recs []record
		if json.Unmarshal(b, &recs) == nil {
			for _, r := range recs {
				f.Add([]byte(r.Doc), []byte(r.Patch))
			}
		}
	}

	f.Fuzz(func(t *testing.T, docJSON, patchJSON []byte) {
		doc, err := decodeValue(docJSON)
		if err != nil {
			return
		}
		ops, err := DecodePatch(patchJSON)
		if err != nil {
			if !errors.Is(err, ErrInvalidOp) {
				t.Fatalf("DecodePatch error %v does not wrap ErrInvalidOp", err)
			}
			return
		}
		got, err := Apply(doc, ops)

		docBefore, _ := decodeValue(docJSON)
		opsBefore, _ := DecodePatch(patchJSON)
		if !reflect.DeepEqual(doc, docBefore) {
			t.Fatalf("Apply changed the document")
		}
		if !reflect.DeepEqual(ops, opsBefore) {
			t.Fatalf("Apply changed the patch")
		}
		if err != nil {
			if got != nil {
				t.Fatalf("failed Apply returned a document")
			}
			for _, s := range []error{ErrInvalidOp, ErrPathNotFound, ErrTestFailed, ErrInvalidPointer, ErrTooLarge} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v wraps no sentinel", err)
		}

		seq := doc
		for i := range ops {
			if seq, err = Apply(seq, ops[i:i+1]); err != nil {
				t.Fatalf("op %d fails alone after the batch succeeded: %v", i, err)
			}
		}
		if !reflect.DeepEqual(got, seq) {
			t.Fatalf("batch and one-at-a-time results differ:\n%s\n%s", canonical(t, got), canonical(t, seq))
		}

		// The result must be JSON that reads back as the same tree.
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
		back, err := decodeValue(b)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("result does not round-trip through JSON: %s (%v)", b, err)
		}
	})
}
