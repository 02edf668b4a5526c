package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// ErrTooFewPolls is returned by Compare for fewer than two polls: a
// comparison measures the steady state, the deltas after the first poll.
var ErrTooFewPolls = errors.New("bench: need at least two polls")

// Strategies returns snapdelta, snapdelta at zstd's "better" level
// (NewSnapdeltaBetter), then the Baselines: what Compare is usually given.
// Each call returns new instances.
func Strategies() []Strategy {
	return append([]Strategy{NewSnapdelta(), NewSnapdeltaBetter()}, Baselines()...)
}

// IsBaseline reports whether name is one of the Baselines': what snapdelta
// is measured against, not snapdelta itself at another setting.
func IsBaseline(name string) bool {
	for _, b := range Baselines() {
		if b.Name() == name {
			return true
		}
	}
	return false
}

// Comparison is every strategy run over the same polls by Compare.
type Comparison struct {
	Source   string   // what the polls are: a profile, a folder, a corpus pair
	Polls    int      // how many polls were sent
	RawBytes int64    // JSON size of all polls together
	Results  []Result // one per strategy, in the order given to Compare
}

// Compare sends polls through every strategy, as Run does for one: poll 0
// without a base, each later poll against the previous one, each decode
// against what the strategy rebuilt the poll before, and every decode must
// rebuild its poll exactly as a JSON value (else ErrMismatch). The
// strategies take turns poll by poll, starting with a different one each
// time, so that a machine whose load changes during the run slows them
// alike and the ratios of their times stay meaningful.
func Compare(source string, polls [][]byte, strategies []Strategy) (*Comparison, error) {
	if len(polls) < 2 {
		return nil, fmt.Errorf("bench: compare %s: %d polls: %w", source, len(polls), ErrTooFewPolls)
	}
	c := &Comparison{Source: source, Polls: len(polls), Results: make([]Result, len(strategies))}
	for _, p := range polls {
		c.RawBytes += int64(len(p))
	}
	for j, s := range strategies {
		if r, ok := s.(Resetter); ok {
			r.Reset()
		}
		c.Results[j] = Result{Strategy: s.Name(), Cycles: make([]Cycle, 0, len(polls))}
	}
	rebuilt := make([][]byte, len(strategies))
	for i, next := range polls {
		var prev []byte
		if i > 0 {
			prev = polls[i-1]
		}
		for k := range strategies {
			j := (i + k) % len(strategies)
			s := strategies[j]
			fail := func(err error) error {
				return fmt.Errorf("bench: compare %s: %s: poll %d: %w", source, s.Name(), i, err)
			}
			t0 := time.Now()
			wire, err := s.Encode(prev, next)
			enc := time.Since(t0)
			if err != nil {
				return nil, fail(err)
			}
			t1 := time.Now()
			got, err := s.Decode(rebuilt[j], wire)
			dec := time.Since(t1)
			if err != nil {
				return nil, fail(err)
			}
			if eq, err := JSONEqual(got, next); err != nil {
				return nil, fail(err)
			} else if !eq {
				return nil, fail(ErrMismatch)
			}
			rebuilt[j] = got
			c.Results[j].Cycles = append(c.Results[j].Cycles, Cycle{Poll: i, Full: prev == nil, RawBytes: len(next), WireBytes: len(wire), Encode: enc, Decode: dec})
		}
	}
	for j := range c.Results {
		r := &c.Results[j]
		r.All, r.Deltas = summarize(r.Cycles), summarize(r.Cycles[1:])
	}
	return c, nil
}

// CompareProfile simulates n polls of p with seed and compares Strategies()
// over them.
func CompareProfile(p Profile, seed int64, n int) (*Comparison, error) {
	polls, err := Polls(p, seed, n)
	if err != nil {
		return nil, err
	}
	return Compare(string(p), polls, Strategies())
}

// ReadPolls reads the successive polls a folder holds as snap-*.json files
// (what WriteReplay writes and the CLI agent's --replay reads), in name
// order. A folder without such files gives an error wrapping
// fs.ErrNotExist; a file that is not JSON, an error naming it.
func ReadPolls(dir string) ([][]byte, error) {
	names, err := filepath.Glob(filepath.Join(dir, "snap-*.json"))
	if err != nil {
		return nil, fmt.Errorf("bench: read polls: %w", err)
	}
	if len(names) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("bench: read polls: %w", err)
		}
		return nil, fmt.Errorf("bench: read polls: no snap-*.json file in %s: %w", dir, fs.ErrNotExist)
	}
	slices.Sort(names)
	polls := make([][]byte, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("bench: read polls: %w", err)
		}
		if !json.Valid(b) {
			return nil, fmt.Errorf("bench: read polls: %s: not a JSON document", n)
		}
		polls = append(polls, b)
	}
	return polls, nil
}

// Summary is a Comparison in numbers, as `snapdelta bench --json` prints it.
type Summary struct {
	Source string `json:"source"`
	// Cycles counts every poll sent, the first (full) one included.
	Cycles int `json:"cycles"`
	// SnapshotBytes is the mean JSON size of a poll.
	SnapshotBytes int64             `json:"snapshot_bytes"`
	Strategies    []StrategySummary `json:"strategies"`
}

// StrategySummary is one strategy's line of a Summary. Per-cycle figures are
// over the steady state: the cycles after the first, which every strategy
// sends whole.
type StrategySummary struct {
	Name           string  `json:"name"`
	Bytes          int64   `json:"bytes"`       // every cycle, the first included
	FirstBytes     int     `json:"first_bytes"` // the first, full cycle
	BytesPerCycle  float64 `json:"bytes_per_cycle"`
	EncodeNsMedian int64   `json:"encode_ns_median"`
	DecodeNsMedian int64   `json:"decode_ns_median"`
	// Ratio is BytesPerCycle over the reference strategy's (snapdelta's
	// when it ran, else the first's): how many times more it sends.
	Ratio float64 `json:"ratio"`
}

// reference returns the index of the result the others are compared with.
func (c *Comparison) reference() int {
	for i, r := range c.Results {
		if r.Strategy == SnapdeltaName {
			return i
		}
	}
	return 0
}

// Summary returns c's figures.
func (c *Comparison) Summary() Summary {
	s := Summary{Source: c.Source, Cycles: c.Polls, Strategies: make([]StrategySummary, 0, len(c.Results))}
	if c.Polls > 0 {
		s.SnapshotBytes = c.RawBytes / int64(c.Polls)
	}
	var ref float64
	if len(c.Results) > 0 {
		ref = c.Results[c.reference()].Deltas.MeanBytes
	}
	for _, r := range c.Results {
		ss := StrategySummary{
			Name:           r.Strategy,
			Bytes:          r.All.WireBytes,
			BytesPerCycle:  r.Deltas.MeanBytes,
			EncodeNsMedian: r.Deltas.EncodeMedian.Nanoseconds(),
			DecodeNsMedian: r.Deltas.DecodeMedian.Nanoseconds(),
		}
		if len(r.Cycles) > 0 {
			ss.FirstBytes = r.Cycles[0].WireBytes
		}
		if ref > 0 {
			ss.Ratio = r.Deltas.MeanBytes / ref
		}
		s.Strategies = append(s.Strategies, ss)
	}
	return s
}

// Heading says what a table of c shows, in one sentence.
func (c *Comparison) Heading() string {
	s := c.Summary()
	over := fmt.Sprintf("the %d steady-state cycles", c.Polls-1)
	if c.Polls == 2 {
		over = "the one steady-state cycle"
	}
	return fmt.Sprintf("%s: %d polls of %s of JSON on average; bytes/cycle and medians are over %s (poll 0 is sent whole by every strategy and counts only in total bytes)",
		c.Source, c.Polls, formatBytes(s.SnapshotBytes), over)
}

// TimeRatios returns snapdelta's median encode and decode times over
// full-zstd's, measured in the same run; ok is false when either did not run.
// The design's target is at most 1 for both.
func (c *Comparison) TimeRatios() (encode, decode float64, ok bool) {
	return c.TimeRatiosOf(SnapdeltaName)
}

// TimeRatiosOf is TimeRatios for the strategy named name.
func (c *Comparison) TimeRatiosOf(name string) (encode, decode float64, ok bool) {
	var sd, zs *Result
	for i := range c.Results {
		switch c.Results[i].Strategy {
		case name:
			sd = &c.Results[i]
		case "full-zstd":
			zs = &c.Results[i]
		}
	}
	if sd == nil || zs == nil || zs.Deltas.EncodeMedian <= 0 || zs.Deltas.DecodeMedian <= 0 {
		return 0, 0, false
	}
	return float64(sd.Deltas.EncodeMedian) / float64(zs.Deltas.EncodeMedian),
		float64(sd.Deltas.DecodeMedian) / float64(zs.Deltas.DecodeMedian), true
}

var tableHeader = []string{"strategy", "total bytes", "first poll", "bytes/cycle", "encode (median)", "decode (median)", "vs snapdelta"}

func (c *Comparison) rows() [][]string {
	s := c.Summary()
	rows := make([][]string, 0, len(s.Strategies))
	for _, st := range s.Strategies {
		rows = append(rows, []string{
			st.Name,
			fmt.Sprint(st.Bytes),
			fmt.Sprint(st.FirstBytes),
			fmt.Sprintf("%.0f", st.BytesPerCycle),
			formatNs(st.EncodeNsMedian),
			formatNs(st.DecodeNsMedian),
			fmt.Sprintf("%.1fx", st.Ratio),
		})
	}
	return rows
}

func (c *Comparison) timeLine() string {
	enc, dec, ok := c.TimeRatios()
	if !ok {
		return ""
	}
	return fmt.Sprintf("snapdelta's median time over full-zstd's, same run: encode %.2fx, decode %.2fx", enc, dec)
}

// WriteTable writes c as an aligned text table under its heading.
func (c *Comparison) WriteTable(w io.Writer) error {
	var b strings.Builder
	b.WriteString(c.Heading() + ".\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, row := range append([][]string{tableHeader}, c.rows()...) {
		// Numbers align right; names read better flush left, so they are
		// padded by hand to more than the longest name.
		fmt.Fprintf(tw, "%-16s\t%s\t\n", row[0], strings.Join(row[1:], "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if l := c.timeLine(); l != "" {
		b.WriteString(l + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes c as a Markdown table under its heading.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString(c.Heading() + ".\n\n")
	b.WriteString("| " + strings.Join(tableHeader, " | ") + " |\n|---|")
	b.WriteString(strings.Repeat("---:|", len(tableHeader)-1) + "\n")
	for _, row := range c.rows() {
		if row[0] == SnapdeltaName {
			row[0] = "**" + row[0] + "**"
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	if l := c.timeLine(); l != "" {
		b.WriteString("\n" + l + ".\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// formatBytes writes n bytes with a decimal unit: 950 B, 60.1 KB, 8.02 MB.
func formatBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1e3)
	default:
		return fmt.Sprintf("%.2f MB", float64(n)/1e6)
	}
}

// formatNs writes a duration with three significant digits.
func formatNs(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", ns)
	case d < time.Millisecond:
		return sig3(float64(ns)/1e3) + "µs"
	case d < time.Second:
		return sig3(float64(ns)/1e6) + "ms"
	default:
		return sig3(float64(ns)/1e9) + "s"
	}
}

func sig3(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
