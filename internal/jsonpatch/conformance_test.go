package jsonpatch

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// conformanceDir is the json-patch-tests suite, ../shared/conformance from
// the repository root.
const conformanceDir = "../../../shared/conformance/json-patch-tests"

// record is one case of the suite. Members stay raw so that a missing
// "expected" can be told from an expected null, and so each case can be
// decoded afresh to check that Apply changed nothing.
type record struct {
	Comment  string          `json:"comment"`
	Doc      json.RawMessage `json:"doc"`
	Patch    json.RawMessage `json:"patch"`
	Expected json.RawMessage `json:"expected"`
	Error    json.RawMessage `json:"error"`
	Disabled bool            `json:"disabled"`
}

func loadConformance(t *testing.T) map[string][]record {
	t.Helper()
	suites := map[string][]record{}
	for _, name := range []string{"tests.json", "spec_tests.json"} {
		b, err := os.ReadFile(filepath.Join(conformanceDir, name))
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("conformance suite not available: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		var recs []record
		if err := json.Unmarshal(b, &recs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(recs) == 0 {
			t.Fatalf("%s: no records", name)
		}
		suites[name] = recs
	}
	return suites
}

// outcome is what happened when a record was run.
type outcome int

const (
	passed      outcome = iota
	passedLoose         // expected is Equal to the result but spells a number differently
	failed
)

// run applies one record and reports how it went and, on failure, why.
func (r record) run(t *testing.T) (outcome, string) {
	doc, err := decodeValue(r.Doc)
	if err != nil {
		t.Fatalf("bad doc: %v", err)
	}
	ops, err := DecodePatch(r.Patch)
	var got any
	if err == nil {
		got, err = Apply(doc, ops)
	}
	if r.Error != nil {
		if err == nil {
			return failed, "applied, but the suite expects an error: " + string(r.Error)
		}
		return passed, ""
	}
	if err != nil {
		return failed, err.Error()
	}
	if r.Expected == nil {
		return passed, ""
	}
	want, err := decodeValue(r.Expected)
	if err != nil {
		t.Fatalf("bad expected: %v", err)
	}
	if !Equal(got, want) {
		return failed, "got " + canonical(t, got) + ", want " + canonical(t, want)
	}
	if !reflect.DeepEqual(got, want) {
		return passedLoose, canonical(t, got) + " vs " + canonical(t, want)
	}
	return passed, ""
}

func TestConformance(t *testing.T) {
	for name, recs := range loadConformance(t) {
		t.Run(name, func(t *testing.T) {
			var n, ok, strict, disabled, disabledOK int
			for i, r := range recs {
				res, why := r.run(t)
				if r.Disabled {
					// Not required, but worth knowing how the stricter
					// cases fare.
					disabled++
					if res != failed {
						disabledOK++
					}
					continue
				}
				n++
				switch res {
				case failed:
					t.Errorf("record %d (%s): %s", i, r.Comment, why)
				case passedLoose:
					// Every expected document in the suite spells its
					// numbers as the doc or patch does, so a literal
					// that changed is a bug.
					t.Errorf("record %d (%s): numbers respelled: %s", i, r.Comment, why)
				default:
					ok++
					if r.Expected != nil {
						strict++
					}
				}
			}
			t.Logf("%s: %d/%d records passed (%d compared exactly, number literals included); disabled records: %d/%d also pass",
				name, ok, n, strict, disabledOK, disabled)
		})
	}
}

// TestConformanceInputsUnchanged runs every record, disabled or not, and
// checks that neither the document nor the patch changed.
func TestConformanceInputsUnchanged(t *testing.T) {
	for name, recs := range loadConformance(t) {
		for i, r := range recs {
			doc, err := decodeValue(r.Doc)
			if err != nil {
				t.Fatal(err)
			}
			ops, err := DecodePatch(r.Patch)
			if err != nil {
				continue // refused before Apply: nothing to check
			}
			_, _ = Apply(doc, ops)
			docBefore, _ := decodeValue(r.Doc)
			opsBefore, _ := DecodePatch(r.Patch)
			if !reflect.DeepEqual(doc, docBefore) {
				t.Errorf("%s record %d (%s): document changed", name, i, r.Comment)
			}
			if !reflect.DeepEqual(ops, opsBefore) {
				t.Errorf("%s record %d (%s): patch changed", name, i, r.Comment)
			}
		}
	}
}
