package main

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/bench"
)

const goTestOutput = `goos: linux
goarch: amd64
pkg: github.com/snapdelta/snapdelta/bench
cpu: AMD EPYC
BenchmarkBaselines/docker-small/full-gzip-2   	       1	   1271356 ns/op	     11936 B/cycle
BenchmarkSnapdelta/docker-small/encode-2  	       1	    473616 ns/op	 129.05 MB/s	       101.9 B/cycle	  494632 B/op	    8185 allocs/op
BenchmarkRatio/docker-small-2             	       1	   1016416 ns/op	         0.7395 decode/full-zstd	         1.574 encode/full-zstd
BenchmarkRatio/docker-small
PASS
`

func TestReport(t *testing.T) {
	dir := t.TempDir()
	gotest := filepath.Join(dir, "bench.txt")
	if err := os.WriteFile(gotest, []byte(goTestOutput), 0o644); err != nil {
		t.Fatal(err)
	}
	md, svg := filepath.Join(dir, "docs", "b.md"), filepath.Join(dir, "docs", "b.svg")
	if err := os.Mkdir(filepath.Dir(md), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"-cycles", "3", "-profiles", "docker-small", "-corpus", filepath.Join(dir, "no-corpus"), "-gotest", gotest, "-md", md, "-svg", svg}
	if err := run(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{
		"# Benchmarks\n",
		"| docker-small | ",
		"### docker-small\n\ndocker-small: 3 polls",
		"| **snapdelta** | ",
		"![Wire bytes of every poll per strategy, log scale, one panel per profile](b.svg)",
		"was not present when this file was generated",
		"BenchmarkSnapdelta/docker-small/encode-2",
		"BenchmarkRatio/docker-small-2 ",
		"cpu: AMD EPYC",
		"go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da old.txt new.txt",
		"go test -run '^$' -bench . -benchtime 1x ./bench/",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q", want)
		}
	}
	if strings.Contains(doc, "BenchmarkBaselines/docker-small/full-gzip") || strings.Contains(doc, "BenchmarkRatio/docker-small\n") {
		t.Error("document quotes lines it should not")
	}
	s, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(s, new(struct{})); err != nil {
		t.Fatalf("chart: %v", err)
	}

	for _, bad := range [][]string{{"-cycles", "1"}, {"-profiles", "docker-huge", "-cycles", "2"}, {"stray"}} {
		if err := run(append(bad, "-md", md, "-svg", svg), io.Discard); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// The real corpus, when present, gives one 2-poll run per sonobuoy cluster.
func TestCorpusRuns(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..", "shared", "corpus", "real")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no corpus: %v", err)
	}
	if testing.Short() {
		t.Skip("short")
	}
	cs, err := corpusRuns(root, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Fatal("no sonobuoy pair")
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.Source, "sonobuoy/") || c.Polls != 2 || len(c.Results) != len(bench.Strategies()) {
			t.Errorf("%s: %d polls, %d results", c.Source, c.Polls, len(c.Results))
		}
	}
}
