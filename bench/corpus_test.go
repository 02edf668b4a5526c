package bench

import (
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const corpusRoot = "../../shared/corpus/real"

func corpusPairs(t *testing.T) []Pair {
	t.Helper()
	ps, err := CorpusPairs(corpusRoot)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("corpus not present:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestCorpusPairs(t *testing.T) {
	ps := corpusPairs(t)
	names := map[string]Pair{}
	for _, p := range ps {
		if !json.Valid(p.Base) || !json.Valid(p.Next) {
			t.Errorf("%s: invalid JSON", p.Name)
		}
		names[p.Name] = p
	}
	for _, want := range []string{
		"sonobuoy/kind-k8s-v1.21.1", "sonobuoy/aws-k8s-v1.8.4",
		"spotify/1.24/info", "spotify/1.25/info", "spotify/1.26/info", "spotify/1.27/info", "spotify/1.29/info",
		"kubectl-edit/testcase-edit-output-patch/0->2",
		"gitops-engine/smd-deploy2", "gitops-engine/ssd-svc-no-label",
	} {
		if _, ok := names[want]; !ok {
			t.Errorf("no pair %q", want)
		}
	}
	// A sonobuoy snapshot maps file paths to their content.
	var snap map[string]json.RawMessage
	if err := json.Unmarshal(names["sonobuoy/kind-k8s-v1.21.1"].Base, &snap); err != nil {
		t.Fatal(err)
	}
	if snap["resources/cluster/core_v1_nodes.json"] == nil || len(snap) < 40 {
		t.Errorf("kind snapshot has %d files", len(snap))
	}
	// In the 1.29 info pair only SystemTime changed.
	var a, b map[string]any
	json.Unmarshal(names["spotify/1.29/info"].Base, &a)
	json.Unmarshal(names["spotify/1.29/info"].Next, &b)
	for k := range a {
		if k != "SystemTime" && !jsonSame(a[k], b[k]) {
			t.Errorf("spotify 1.29: %s changed", k)
		}
	}
	// Every kubectl pair is one object before and after.
	for _, p := range ps {
		if !strings.HasPrefix(p.Name, "kubectl-edit/") {
			continue
		}
		var x, y struct {
			Kind     string
			Metadata struct{ Name string }
		}
		json.Unmarshal(p.Base, &x)
		json.Unmarshal(p.Next, &y)
		if x.Kind != y.Kind || x.Metadata.Name != y.Metadata.Name {
			t.Errorf("%s pairs %s/%s with %s/%s", p.Name, x.Kind, x.Metadata.Name, y.Kind, y.Metadata.Name)
		}
	}
}

func jsonSame(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestCorpusPairsMissingRoot(t *testing.T) {
	_, err := CorpusPairs(filepath.Join(t.TempDir(), "nope"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
	if _, err := CorpusPairs(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("empty root: err = %v, want fs.ErrNotExist", err)
	}
}

func TestBaselinesOnCorpus(t *testing.T) {
	ps := corpusPairs(t)
	for _, s := range Baselines() {
		for i, p := range ps {
			// Under the race detector a sample keeps the run short.
			if raceEnabled && (i%6 != 0 || strings.HasPrefix(p.Name, "sonobuoy/")) {
				continue
			}
			if _, err := Run(s, [][]byte{p.Base, p.Next}); err != nil {
				t.Errorf("%s on %s: %v", s.Name(), p.Name, err)
			}
		}
	}
}
