package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/bench"
)

var benchStrategyNames = []string{"snapdelta", "snapdelta-better", "full-gzip", "full-zstd", "jsonpatch-gzip", "jsonpatch-zstd", "patchfrom-zstd"}

func TestBenchJSON(t *testing.T) {
	r := runCLI(t, "bench", "--profile", "docker-small", "--cycles", "4", "--seed", "3", "--json")
	if r.code != 0 {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
	var got struct {
		Cycles     int `json:"cycles"`
		Strategies []struct {
			Name           string   `json:"name"`
			Bytes          *int64   `json:"bytes"`
			BytesPerCycle  *float64 `json:"bytes_per_cycle"`
			EncodeNsMedian *int64   `json:"encode_ns_median"`
			DecodeNsMedian *int64   `json:"decode_ns_median"`
		} `json:"strategies"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if got.Cycles != 4 || len(got.Strategies) != len(benchStrategyNames) {
		t.Fatalf("cycles %d, %d strategies\n%s", got.Cycles, len(got.Strategies), r.stdout)
	}
	for i, s := range got.Strategies {
		if s.Name != benchStrategyNames[i] {
			t.Errorf("strategy %d is %q, want %q", i, s.Name, benchStrategyNames[i])
		}
		if s.Bytes == nil || s.BytesPerCycle == nil || s.EncodeNsMedian == nil || s.DecodeNsMedian == nil {
			t.Fatalf("%s: a field is missing\n%s", s.Name, r.stdout)
		}
		if *s.Bytes <= 0 || *s.BytesPerCycle <= 0 || *s.BytesPerCycle >= float64(*s.Bytes) || *s.EncodeNsMedian <= 0 || *s.DecodeNsMedian <= 0 {
			t.Errorf("%s: implausible figures\n%s", s.Name, r.stdout)
		}
	}
}

func TestBenchTableAndSVG(t *testing.T) {
	old := benchProfiles
	benchProfiles = func() []bench.Profile { return []bench.Profile{bench.DockerSmall, bench.K8sSmall} }
	defer func() { benchProfiles = old }()

	svg := filepath.Join(t.TempDir(), "b.svg")
	r := runCLI(t, "bench", "--profile", "all", "--cycles", "3", "--svg", svg)
	if r.code != 0 {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
	tables := strings.Split(strings.TrimSpace(r.stdout), "\n\n")
	if len(tables) != 2 || !strings.HasPrefix(tables[0], "docker-small: 3 polls") || !strings.HasPrefix(tables[1], "k8s-small: 3 polls") {
		t.Fatalf("want one table per profile, got\n%s", r.stdout)
	}
	for _, tab := range tables {
		if !strings.Contains(tab, "2 steady-state cycles") || !strings.Contains(tab, "bytes/cycle") {
			t.Errorf("table does not say what it measures:\n%s", tab)
		}
		for _, n := range benchStrategyNames {
			if !strings.Contains(tab, "\n  "+n+" ") {
				t.Errorf("no %s row in\n%s", n, tab)
			}
		}
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Panels  []struct {
			Source string `xml:"data-source,attr"`
			Lines  []struct {
				Class    string `xml:"class,attr"`
				Strategy string `xml:"data-strategy,attr"`
			} `xml:"polyline"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	panels := 0
	for _, p := range doc.Panels {
		if p.Source == "" {
			continue
		}
		panels++
		if len(p.Lines) != len(benchStrategyNames) {
			t.Errorf("panel %s: %d series", p.Source, len(p.Lines))
		}
	}
	if panels != 2 {
		t.Fatalf("%d panels, want 2", panels)
	}
}

func TestBenchDir(t *testing.T) {
	dir := t.TempDir()
	if err := bench.WriteReplay(dir, bench.DockerSmall, 1, 4); err != nil {
		t.Fatal(err)
	}
	// Only snap-*.json files count, in name order.
	writeFile(t, dir, "notes.json", `{"not":"a poll"}`)
	r := runCLI(t, "bench", "--dir", dir, "--json")
	if r.code != 0 {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
	var got bench.Summary
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Cycles != 4 || got.Source != dir || len(got.Strategies) != len(benchStrategyNames) {
		t.Fatalf("%+v", got)
	}
	r = runCLI(t, "bench", "--dir", dir, "--cycles", "2", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || got.Cycles != 2 {
		t.Fatalf("--cycles 2: code %d, %v, %+v", r.code, err, got)
	}
}

func TestBenchErrors(t *testing.T) {
	empty := t.TempDir()
	one := t.TempDir()
	writeFile(t, one, "snap-0000.json", `{"a":1}`)
	bad := t.TempDir()
	writeFile(t, bad, "snap-0000.json", `{"a":1}`)
	writeFile(t, bad, "snap-0001.json", `{"a":`)
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown profile", []string{"--profile", "docker-huge"}, 2, `unknown profile "docker-huge" (want docker-small, docker-large, k8s-small, k8s-large or all)`},
		{"profile and dir", []string{"--profile", "k8s-small", "--dir", empty}, 2, "not both"},
		{"too few cycles", []string{"--cycles", "1"}, 2, "--cycles must be at least 2"},
		{"seed with dir", []string{"--dir", empty, "--seed", "2"}, 2, "--seed applies to simulated profiles"},
		{"bad flag", []string{"--cycle", "3"}, 2, "flag provided but not defined"},
		{"stray argument", []string{"docker-small"}, 2, `unexpected argument "docker-small"`},
		{"dir without polls", []string{"--dir", empty}, 1, "no snap-*.json file in " + empty},
		{"missing dir", []string{"--dir", filepath.Join(empty, "nope")}, 1, "no such file or directory"},
		{"one poll", []string{"--dir", one}, 1, "need at least two polls"},
		{"invalid poll", []string{"--dir", bad}, 1, "snap-0001.json: not a JSON document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"bench"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
				t.Fatalf("code %d, want %d; stderr %q does not say %q", r.code, tc.code, r.stderr, tc.msg)
			}
			if r.stdout != "" {
				t.Fatalf("stdout %q", r.stdout)
			}
		})
	}
}
