package delta

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/snapdelta/snapdelta/internal/jsonpatch"
	"github.com/snapdelta/snapdelta/snapshot"
)

// TestNodeOpsMatchJSONPatch proves the node applier gives what the general
// applier gives (or fails where it fails) on every record of the JSON Patch
// conformance suite (every operation kind).
func TestNodeOpsMatchJSONPatch(t *testing.T) {
	cfg := snapshot.DefaultConfig()
	compared := 0
	for _, file := range []string{"tests.json", "spec_tests.json"} {
		data, err := os.ReadFile("../../shared/conformance/json-patch-tests/" + file)
		if errors.Is(err, os.ErrNotExist) {
			t.Skip("conformance suite absent")
		}
		if err != nil {
			t.Fatal(err)
		}
		var records []struct {
			Doc      json.RawMessage `json:"doc"`
			Patch    json.RawMessage `json:"patch"`
			Disabled bool            `json:"disabled"`
		}
		if err := json.Unmarshal(data, &records); err != nil {
			t.Fatal(err)
		}
		for i, rec := range records {
			if rec.Disabled {
				continue
			}
			jops, err := jsonpatch.DecodePatch(rec.Patch)
			if err != nil {
				continue
			}
			doc, err := cfg.ParseValue(rec.Doc)
			if err != nil {
				continue
			}
			ops, ok := toOps(t, cfg, jops)
			if !ok {
				continue
			}
			got, gotErr := applyOnNodes(cfg, doc, ops)
			want, wantErr := jsonpatch.Apply(doc.Value(), jops)
			switch {
			case (gotErr == nil) != (wantErr == nil):
				t.Errorf("%s record %d: node applier error %v, jsonpatch error %v", file, i, gotErr, wantErr)
			case gotErr == nil:
				w, err := cfg.FromValue(want)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(snapshot.AppendCanonical(nil, got), snapshot.AppendCanonical(nil, w)) || got.Hash() != w.Hash() {
					t.Errorf("%s record %d: node applier gave %s, jsonpatch %s", file, i, snapshot.AppendCanonical(nil, got), snapshot.AppendCanonical(nil, w))
				}
			}
			compared++
		}
	}
	t.Logf("%d records compared", compared)
	if compared < 40 {
		t.Fatalf("only %d records compared", compared)
	}
}

func toOps(t *testing.T, cfg *snapshot.Config, jops []jsonpatch.Op) ([]Op, bool) {
	ops := make([]Op, len(jops))
	for i, j := range jops {
		var k OpKind
		switch j.Op {
		case "add":
			k = OpAdd
		case "remove":
			k = OpRemove
		case "replace":
			k = OpReplace
		case "move":
			k = OpMove
		case "copy":
			k = OpCopy
		case "test":
			k = OpTest
		default:
			return nil, false
		}
		ops[i] = Op{Kind: k, Path: j.Path, From: j.From}
		if k != OpRemove && k != OpMove && k != OpCopy {
			v, err := cfg.FromValue(j.Value)
			if err != nil {
				return nil, false
			}
			ops[i].Value = v
		}
	}
	return ops, true
}

func TestNilSnapshots(t *testing.T) {
	s, err := snapshot.Parse([]byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Diff(nil, s); err == nil {
		t.Error("Diff(nil, s) succeeded")
	}
	if _, err := Diff(s, nil); err == nil {
		t.Error("Diff(s, nil) succeeded")
	}
	if _, err := Apply(nil, &Delta{Base: s.Hash(), Target: s.Hash()}); !errors.Is(err, ErrUnknownBase) {
		t.Errorf("Apply(nil, d) = %v, want ErrUnknownBase", err)
	}
}
