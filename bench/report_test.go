package bench

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeComparison builds a comparison without running anything: each
// strategy's cycles have the given wire sizes and times (ms).
func fakeComparison(source string, sizes map[string][]int, order ...string) *Comparison {
	c := &Comparison{Source: source}
	for _, name := range order {
		var cs []Cycle
		for i, n := range sizes[name] {
			cs = append(cs, Cycle{Poll: i, Full: i == 0, RawBytes: 1000, WireBytes: n,
				Encode: time.Duration(n) * time.Microsecond, Decode: time.Duration(n) * time.Microsecond / 2})
		}
		c.Polls = len(cs)
		c.RawBytes = int64(1000 * len(cs))
		c.Results = append(c.Results, Result{Strategy: name, Cycles: cs, All: summarize(cs), Deltas: summarize(cs[1:])})
	}
	return c
}

func TestStrategiesNames(t *testing.T) {
	want := []string{"snapdelta", "snapdelta-better", "full-gzip", "full-zstd", "jsonpatch-gzip", "jsonpatch-zstd", "patchfrom-zstd"}
	got := Strategies()
	if len(got) != len(want) {
		t.Fatalf("%d strategies", len(got))
	}
	for i, s := range got {
		if s.Name() != want[i] {
			t.Errorf("strategy %d is %q, want %q", i, s.Name(), want[i])
		}
	}
}

func TestCompare(t *testing.T) {
	ps := polls(t, DockerSmall, 3)
	c, err := Compare("three", ps, Strategies())
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != "three" || c.Polls != 3 || len(c.Results) != 7 || c.RawBytes != int64(len(ps[0])+len(ps[1])+len(ps[2])) {
		t.Fatalf("%+v", c)
	}
	for _, r := range c.Results {
		if len(r.Cycles) != 3 || r.Deltas.Cycles != 2 {
			t.Fatalf("%s: %d cycles", r.Strategy, len(r.Cycles))
		}
	}
	// Taking turns changes nothing in what each strategy sends.
	for j, s := range Strategies() {
		r, err := Run(s, ps)
		if err != nil {
			t.Fatal(err)
		}
		for i, cy := range r.Cycles {
			if got := c.Results[j].Cycles[i]; got.Poll != i || got.Full != (i == 0) || got.WireBytes != cy.WireBytes || got.RawBytes != cy.RawBytes {
				t.Errorf("%s: cycle %d: %+v, Run gave %+v", s.Name(), i, got, cy)
			}
		}
		if c.Results[j].Deltas.WireBytes != r.Deltas.WireBytes || c.Results[j].All.Cycles != 3 {
			t.Errorf("%s: stats %+v, Run gave %+v", s.Name(), c.Results[j].Deltas, r.Deltas)
		}
	}
	if _, err := Compare("one", ps[:1], Strategies()); !errors.Is(err, ErrTooFewPolls) {
		t.Fatalf("one poll: err = %v", err)
	}
	if _, err := Compare("lossy", ps, []Strategy{NewSnapdelta(), lossy{}}); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "lossy: poll 1") {
		t.Fatalf("lossy strategy: err = %v", err)
	}
	if _, err := Compare("failing", ps, []Strategy{failing{}}); err == nil || !strings.Contains(err.Error(), "compare failing: lossy: poll 0: boom") {
		t.Fatalf("failing strategy: err = %v", err)
	}
	if _, err := CompareProfile("docker-tiny", 1, 3); !errors.Is(err, ErrUnknownProfile) {
		t.Fatalf("unknown profile: err = %v", err)
	}
}

func TestSummary(t *testing.T) {
	c := fakeComparison("fake", map[string][]int{
		"full-zstd":    {1000, 1000, 1000},
		SnapdeltaName:  {900, 10, 30},
		"jsonpatch-x":  {1000, 100, 300},
		"not-measured": {1000, 1000},
	}, "full-zstd", SnapdeltaName, "jsonpatch-x")
	s := c.Summary()
	if s.Source != "fake" || s.Cycles != 3 || s.SnapshotBytes != 1000 || len(s.Strategies) != 3 {
		t.Fatalf("%+v", s)
	}
	want := []StrategySummary{
		{Name: "full-zstd", Bytes: 3000, FirstBytes: 1000, BytesPerCycle: 1000, EncodeNsMedian: 1000_000, DecodeNsMedian: 500_000, Ratio: 50},
		{Name: SnapdeltaName, Bytes: 940, FirstBytes: 900, BytesPerCycle: 20, EncodeNsMedian: 20_000, DecodeNsMedian: 10_000, Ratio: 1},
		{Name: "jsonpatch-x", Bytes: 1400, FirstBytes: 1000, BytesPerCycle: 200, EncodeNsMedian: 200_000, DecodeNsMedian: 100_000, Ratio: 10},
	}
	for i, w := range want {
		if s.Strategies[i] != w {
			t.Errorf("strategy %d: %+v\nwant %+v", i, s.Strategies[i], w)
		}
	}
	enc, dec, ok := c.TimeRatios()
	if !ok || enc != 0.02 || dec != 0.02 {
		t.Fatalf("time ratios %v %v %v", enc, dec, ok)
	}

	// Without snapdelta, the first strategy is the reference.
	c = fakeComparison("fake", map[string][]int{"a": {5, 10, 10}, "b": {5, 40, 40}}, "a", "b")
	if s := c.Summary(); s.Strategies[0].Ratio != 1 || s.Strategies[1].Ratio != 4 {
		t.Fatalf("%+v", s.Strategies)
	}
	if _, _, ok := c.TimeRatios(); ok {
		t.Fatal("time ratios without snapdelta and full-zstd")
	}
}

func TestWriteTableAndMarkdown(t *testing.T) {
	c := fakeComparison("docker-fake", map[string][]int{
		SnapdeltaName: {900, 10, 30},
		"full-zstd":   {1000, 1000, 1000},
	}, SnapdeltaName, "full-zstd")
	var tb strings.Builder
	if err := c.WriteTable(&tb); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(tb.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines:\n%s", len(lines), tb.String())
	}
	for i, want := range []string{
		"docker-fake: 3 polls of 1.0 KB of JSON on average; bytes/cycle and medians are over the 2 steady-state cycles (poll 0 is sent whole",
		"  strategy          total bytes  first poll  bytes/cycle  encode (median)  decode (median)  vs snapdelta",
		"  snapdelta                 940         900           20           20.0µs           10.0µs          1.0x",
		"  full-zstd                3000        1000         1000           1.00ms            500µs         50.0x",
		"snapdelta's median time over full-zstd's, same run: encode 0.02x, decode 0.02x",
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d:\n%q\nwant it to start with\n%q", i, lines[i], want)
		}
	}

	var md strings.Builder
	if err := c.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "|") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 4 || !strings.HasPrefix(rows[2], "| **snapdelta** | 940 | 900 | 20 |") {
		t.Fatalf("markdown:\n%s", md.String())
	}
	for _, r := range rows {
		if n := strings.Count(r, "|"); n != len(tableHeader)+1 {
			t.Errorf("row with %d cells: %s", n-1, r)
		}
	}
}

func TestReadPolls(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"snap-0002.json": `{"n":2}`,
		"snap-0000.json": `{"n":0}`,
		"snap-0001.json": `{"n":1}`,
		"other.json":     `{"n":9}`,
		"snap-0003.txt":  `{"n":3}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := ReadPolls(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || string(ps[0]) != `{"n":0}` || string(ps[2]) != `{"n":2}` {
		t.Fatalf("%q", ps)
	}

	if _, err := ReadPolls(t.TempDir()); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no snap-*.json file") {
		t.Fatalf("empty folder: err = %v", err)
	}
	if _, err := ReadPolls(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing folder: err = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "snap-0004.json"), []byte(`{"n":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPolls(dir); err == nil || !strings.Contains(err.Error(), "snap-0004.json: not a JSON document") {
		t.Fatalf("invalid poll: err = %v", err)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{formatBytes(0), "0 B"},
		{formatBytes(999), "999 B"},
		{formatBytes(61234), "61.2 KB"},
		{formatBytes(8_230_000), "8.23 MB"},
		{formatNs(0), "0ns"},
		{formatNs(999), "999ns"},
		{formatNs(1500), "1.50µs"},
		{formatNs(126_000), "126µs"},
		{formatNs(12_900_000), "12.9ms"},
		{formatNs(2_345_000_000), "2.35s"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
