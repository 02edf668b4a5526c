package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the time shift cases run under zones with daylight saving time
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// These tests hold docs/wire-format.md to the code: they re-implement what
// the document says independently of package snapshot, and check that the
// examples printed in it are what the code produces.

const specPath = "../docs/wire-format.md"

func readSpec(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatalf("wire format document: %v", err)
	}
	return string(b)
}

// specHash is the content hash exactly as section 3 states it, over a value
// tree from encoding/json with UseNumber.
func specHash(t *testing.T, v any) uint64 {
	var b []byte
	switch v := v.(type) {
	case nil:
		b = []byte{'n'}
	case bool:
		b = []byte{'f'}
		if v {
			b = []byte{'t'}
		}
	case json.Number:
		b = append([]byte{'d'}, v...)
	case string:
		b = append([]byte{'s'}, v...)
	case []any:
		b = binary.AppendUvarint([]byte{'a'}, uint64(len(v)))
		for _, e := range v {
			b = binary.LittleEndian.AppendUint64(b, specHash(t, e))
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys) // bytewise, as the document requires
		b = binary.AppendUvarint([]byte{'o'}, uint64(len(v)))
		for _, k := range keys {
			b = binary.AppendUvarint(b, uint64(len(k)))
			b = append(b, k...)
			b = binary.LittleEndian.AppendUint64(b, specHash(t, v[k]))
		}
	default:
		t.Fatalf("unexpected %T", v)
	}
	return xxhash.Sum64(b)
}

func decodeJSON(t *testing.T, doc []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %.60q: %v", doc, err)
	}
	return v
}

func TestSpecContentHash(t *testing.T) {
	docs := []string{
		`null`, `true`, `false`, `0`, `-0`, `1.0`, `1e400`, `12345678901234567890`, `""`, `"é😀"`,
		`[]`, `{}`, `[[[]]]`, `[1,"1",null,true]`,
		`{"b":1,"a":2,"":3}`,
		// Bytewise order puts U+FFFF before U+1F600; UTF-16 order would not.
		`{"\uffff":1,"😀":2,"a":3}`,
		`{"long":"` + strings.Repeat("x", 300) + `","` + strings.Repeat("k", 200) + `":[` + strings.Repeat("1,", 200) + `1]}`,
	}
	for _, v := range loadVectors(t) {
		docs = append(docs, string(v.next.MarshalCanonical()))
		if v.base != nil {
			docs = append(docs, string(v.base.MarshalCanonical()))
		}
	}
	for _, doc := range docs {
		got := mustParse(t, doc).Hash()
		want := specHash(t, decodeJSON(t, []byte(doc)))
		if got != want {
			t.Errorf("hash of %.80s: snapshot %016x, document %016x", doc, got, want)
		}
	}
}

// TestSpecExamples checks the examples printed in the document.
func TestSpecExamples(t *testing.T) {
	spec := readSpec(t)
	hashes := []struct{ doc, hash string }{
		{`null`, "017397ff2676b47e"},
		{`true`, "938d507d8517a864"},
		{`false`, "d00dba5cf02aee4d"},
		{`1`, "ac086d27f621990f"},
		{`1.0`, "c23ab42a3cf14f24"},
		{`"c1"`, "17f4e8ba1a2aa7d6"},
		{`""`, "7a08a8f914cc241d"},
		{`[]`, "e513e02c99167f96"},
		{`{}`, "8c9c585590037f9d"},
		{`{"n":1}`, "071c0cb321a35a89"},
		{`{"Id":"c1","State":"running","Status":"Up 3 minutes"}`, "364788a09afcef3d"},
		{`[{"Id":"c1","State":"running","Status":"Up 3 minutes"}]`, "fd883c7a2ee0894b"},
		{`{"containers":[{"Id":"c1","State":"running","Status":"Up 3 minutes"}],"n":1}`, "440799ff49b41a48"},
		{`{"containers":[{"Id":"c1","State":"running","Status":"Up 4 minutes"}],"n":1.0}`, "24e10562ec4e3fca"},
	}
	for _, h := range hashes {
		if got := fmt.Sprintf("%016x", mustParse(t, h.doc).Hash()); got != h.hash {
			t.Errorf("hash of %s is %s, the document says %s", h.doc, got, h.hash)
		}
		if !strings.Contains(spec, h.hash) {
			t.Errorf("the document does not show the hash %s of %s", h.hash, h.doc)
		}
	}
	// The bytes hashed for the worked root.
	arr := mustParse(t, `[{"Id":"c1","State":"running","Status":"Up 3 minutes"}]`).Hash()
	b := append([]byte{'o', 2, 10}, "containers"...)
	b = binary.LittleEndian.AppendUint64(b, arr)
	b = append(b, 1, 'n')
	b = binary.LittleEndian.AppendUint64(b, mustParse(t, `1`).Hash())
	if !strings.Contains(spec, hexBytes(b)) {
		t.Errorf("the document does not show the root's hashed bytes %s", hexBytes(b))
	}

	// The msgpack encodings of number literals (section 7.2).
	for lit, want := range map[string]string{
		"1": "01", "-1": "ff", "200": "cc c8", "-129": "d1 ff 7f",
		"9223372036854775807":  "cf 7f ff ff ff ff ff ff ff",
		"-9223372036854775808": "d3 80 00 00 00 00 00 00 00",
		"-0":                   "d5 01 2d 30",
		"1.00":                 "d6 01 31 2e 30 30",
		"1.0":                  "c7 03 01 31 2e 30",
		"1e400":                "c7 05 01 31 65 34 30 30",
	} {
		if got := hexBytes(valueBytes(t, lit)); got != want {
			t.Errorf("literal %s encodes as %s, the document says %s", lit, got, want)
		}
		if row := fmt.Sprintf("| `%s` | `%s` |", lit, want); !strings.Contains(spec, row) {
			t.Errorf("the document lacks the row %s", row)
		}
	}
}

// TestSpecWorkedExample checks the hex dump of section 11 against the
// golden vector it describes.
func TestSpecWorkedExample(t *testing.T) {
	spec := readSpec(t)
	const open, end = "<!-- worked-example-hex -->\n```\n", "```\n<!-- /worked-example-hex -->"
	i, j := strings.Index(spec, open), strings.Index(spec, end)
	if i < 0 || j < i {
		t.Fatal("the document has no worked example hex dump")
	}
	dump, err := hex.DecodeString(strings.Join(strings.Fields(spec[i+len(open):j]), ""))
	if err != nil {
		t.Fatalf("worked example hex: %v", err)
	}
	want, err := os.ReadFile(vectorsDir + "/worked-example/frame.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dump, want) {
		t.Fatalf("the document's worked example differs from the vector:\n doc    %s\n vector %s", hexBytes(dump), hexBytes(want))
	}
	if !strings.Contains(spec, fmt.Sprintf("the frame is %d bytes", len(want))) {
		t.Errorf("the document does not give the worked example's length %d", len(want))
	}
	noChange, err := os.ReadFile(vectorsDir + "/no-change/frame.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(spec, fmt.Sprintf("is %d bytes: `%s`", len(noChange), hexBytes(noChange[:5]))) {
		t.Errorf("the document misdescribes the no-change frame % x", noChange)
	}
}

// valueBytes returns the msgpack encoding of the JSON value doc, taken
// from a full frame's body: [root, value], the root always 9 bytes.
func valueBytes(t *testing.T, doc string) []byte {
	t.Helper()
	frame := mustEncodeFull(t, mustParse(t, doc))
	h, err := ParseHeader(frame)
	if err != nil || h.Compression != None {
		t.Fatalf("full frame of %s: %+v, %v: want a raw body", doc, h, err)
	}
	return frame[h.HeaderSize+1+9:]
}

func hexBytes(b []byte) string {
	var s strings.Builder
	for i, c := range b {
		if i > 0 {
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "%02x", c)
	}
	return s.String()
}

// The scalar transforms exactly as section 8.4 states them, written from the
// text and independent of package delta and of Go's time formatting (time is
// used only for calendar arithmetic in UTC).

// specIncrement adds d to the canonical decimal integer s.
func specIncrement(s string, d int64) (string, bool) {
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(i, 10) != s {
		return "", false
	}
	if (d > 0 && i > math.MaxInt64-d) || (d < 0 && i < math.MinInt64-d) {
		return "", false
	}
	return strconv.FormatInt(i+d, 10), true
}

// specSplice keeps prefix and suffix bytes of s around text.
func specSplice(s string, prefix, suffix int, text string) (string, bool) {
	if prefix < 0 || suffix < 0 || prefix+suffix > len(s) || !utf8.ValidString(text) {
		return "", false // a frame's strings are valid UTF-8
	}
	out := s[:prefix] + text + s[len(s)-suffix:]
	return out, utf8.ValidString(out)
}

var specDigitsRE = regexp.MustCompile(`[0-9]+`)

// specIncrementText adds d to the run-th run of ASCII digits of s.
func specIncrementText(s string, run int, d int64) (string, bool) {
	runs := specDigitsRE.FindAllStringIndex(s, -1)
	if run < 0 || run >= len(runs) {
		return "", false
	}
	r := runs[run]
	sum, ok := specIncrement(s[r[0]:r[1]], d)
	if !ok || strings.HasPrefix(sum, "-") {
		return "", false
	}
	return s[:r[0]] + sum + s[r[1]:], true
}

var specTimeRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// specShift shifts the RFC 3339 timestamp s by nanos and writes it in
// layout, keeping its UTC offset.
func specShift(s string, nanos int64, layout int) (string, bool) {
	m := specTimeRE.FindStringSubmatch(s)
	if m == nil || layout < 0 || layout > 10 {
		return "", false
	}
	num := func(x string) int { n, _ := strconv.Atoi(x); return n }
	y, mo, d, h, mi, se := num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6])
	daysIn := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if mo < 1 || mo > 12 || d < 1 || d > daysIn || h > 23 || mi > 59 || se > 59 {
		return "", false
	}
	ns := 0
	if m[7] != "" {
		frac := (m[7][1:] + "000000000")[:9] // digits after the ninth are ignored
		ns = num(frac)
	}
	off := 0
	if z := m[8]; z != "Z" {
		oh, om := num(z[1:3]), num(z[4:6])
		if oh > 23 || om > 59 {
			return "", false
		}
		off = (oh*60 + om) * 60
		if z[0] == '-' {
			off = -off
		}
	}
	// The local wall time shifted, which keeps the offset.
	t := time.Date(y, time.Month(mo), d, h, mi, se, ns, time.UTC).Add(time.Duration(nanos))
	if t.Year() < 0 || t.Year() > 9999 {
		return "", false
	}
	out := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second())
	digits := fmt.Sprintf("%09d", t.Nanosecond())
	switch {
	case layout == 0:
		if digits = strings.TrimRight(digits, "0"); digits != "" {
			out += "." + digits
		}
	case layout > 1:
		out += "." + digits[:layout-1]
	}
	if off == 0 {
		return out + "Z", true
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return out + fmt.Sprintf("%c%02d:%02d", sign, off/3600, off/60%60), true
}

// scalarCase is one scalar transform applied to the member "v" of a
// snapshot; want is "" when the document says the transform fails.
type scalarCase struct {
	value string // JSON
	op    delta.Op
}

func scalarCases() []scalarCase {
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	inc := func(v string, d int64) scalarCase {
		return scalarCase{v, delta.Op{Kind: delta.OpIncrement, Int: d}}
	}
	spl := func(v string, p, s int, text string) scalarCase {
		return scalarCase{str(v), delta.Op{Kind: delta.OpSplice, Prefix: p, Suffix: s, Text: text}}
	}
	it := func(v string, run int, d int64) scalarCase {
		return scalarCase{str(v), delta.Op{Kind: delta.OpIncrementText, Run: run, Int: d}}
	}
	sh := func(v string, d time.Duration, l int) scalarCase {
		return scalarCase{str(v), delta.Op{Kind: delta.OpShiftTime, Int: int64(d), Layout: delta.TimeLayout(l)}}
	}
	return []scalarCase{
		inc(`41`, 1), inc(`0`, -1), inc(`-5`, 5), inc(`"412345"`, 789), inc(`"0"`, 0),
		inc(`9223372036854775806`, 1), inc(`9223372036854775807`, 1), inc(`-9223372036854775808`, -1),
		inc(`1.0`, 1), inc(`-0`, 1), inc(`1e3`, 1), inc(`10E0`, 1), inc(`"007"`, 1), inc(`"+1"`, 1), inc(`" 1"`, 1),
		inc(`""`, 1), inc(`"12345678901234567890"`, 1), inc(`true`, 1), inc(`null`, 1), inc(`[1]`, 1),
		spl("Up 3 minutes", 3, 8, "4"), spl("Up 3 minutes", 0, 0, "x"), spl("abc", 3, 0, ""), spl("abc", 1, 2, "Z"),
		spl("abc", 2, 2, ""), spl("abc", -1, 0, ""), spl("héllo", 2, 0, ""), spl("héllo", 2, 3, "\xa9"), spl("héllo", 2, 4, ""), spl("héllo", 2, 3, ""), spl("", 0, 0, ""),
		{`7`, delta.Op{Kind: delta.OpSplice, Text: "x"}},
		it("Up 3 minutes", 0, 1), it("Up 9 minutes", 0, 1), it("Exited (0) 5 minutes ago", 1, 2), it("Exited (0) 5 minutes ago", 0, 137),
		it("Up 10 minutes", 0, -1), it("Up 1 minutes", 0, -1), it("Up 1 minutes", 0, -2), it("Up 3 minutes", 1, 1), it("Up 3 minutes", -1, 1),
		it("no digits", 0, 1), it("", 0, 0), it("v007", 0, 1), it("v0", 0, 0), it("a-5", 0, -4), it("a-5", 0, -6), it("x9223372036854775807", 0, 1),
		it("x99999999999999999999", 0, 1), it("١٢٣ 4", 0, 1), it("é7é", 0, 3),
		{`17`, delta.Op{Kind: delta.OpIncrementText, Int: 1}},
		sh("2026-03-14T09:26:00.118273113Z", 60500*time.Millisecond, 0),
		sh("2026-03-14T09:26:00.1Z", 400*time.Millisecond, 0),
		sh("2026-03-14T09:26:00.1Z", 900*time.Millisecond, 0),
		sh("2026-03-14T09:26:00.9Z", time.Second, 1),
		sh("2026-03-14T09:26:00.5Z", 0, 4),
		sh("2026-03-14T09:26:05.123456Z", 10*time.Second+333*time.Microsecond, 7),
		sh("2026-03-14T09:26:05Z", 1, 10),
		sh("2026-03-14T09:26:05.1234567891Z", 0, 0),
		sh("2026-03-14T09:26:05+05:30", time.Minute, 1),
		sh("2026-03-14T09:26:05-08:00", -10*time.Hour, 1),
		sh("2026-03-14T09:26:05+00:00", time.Second, 1),
		sh("2026-03-14T09:26:05-00:00", time.Second, 1),
		// Across daylight saving changes in Europe (29 March 2026) and the
		// US (8 March, 1 November 2026): the offset stays as written.
		sh("2026-03-28T12:00:00+01:00", 48*time.Hour, 1),
		sh("2026-01-10T12:00:00-05:00", 180*24*time.Hour, 1),
		sh("2026-10-31T12:00:00-04:00", 48*time.Hour, 0),
		sh("2026-01-01T00:00:00Z", -time.Second, 1),
		sh("2024-02-28T12:00:00Z", 24*time.Hour, 1),
		sh("0000-01-01T00:00:00Z", time.Hour, 1),
		sh("9999-12-31T23:59:59Z", time.Second, 1),
		sh("0000-01-01T00:00:00Z", -time.Second, 1),
		sh("2026-03-14T9:26:00Z", 0, 1),
		sh("2026-03-14T09:26:00,5Z", 0, 0),
		sh("2026-03-14T09:26:00+24:00", 0, 1),
		sh("2026-03-14T09:26:00+05:60", 0, 1),
		sh("2026-03-14t09:26:00Z", 0, 1),
		sh("2026-03-14T09:26:00z", 0, 1),
		sh("2026-03-14T09:26:60Z", 0, 1),
		sh("2026-02-29T00:00:00Z", 0, 1),
		sh("2026-03-14T09:26:00", 0, 1),
		sh("2026-03-14T09:26:00.Z", 0, 1),
		sh("2026-03-14T09:26:00+0100", 0, 1),
		sh(" 2026-03-14T09:26:00Z", 0, 1),
		sh("2026-03-14T09:26:00Z", 0, 11),
		{`1773478800`, delta.Op{Kind: delta.OpShiftTime, Int: int64(time.Second), Layout: 1}},
	}
}

// specScalar applies c as the document says; ok false means corrupt.
func specScalar(c scalarCase) (string, bool) {
	var v any
	if err := json.Unmarshal([]byte(c.value), &v); err != nil {
		return "", false
	}
	s, isStr := v.(string)
	o := c.op
	switch o.Kind {
	case delta.OpIncrement:
		if isStr {
			out, ok := specIncrement(s, o.Int)
			b, _ := json.Marshal(out)
			return string(b), ok
		}
		if _, isNum := v.(float64); isNum {
			return specIncrement(c.value, o.Int)
		}
	case delta.OpSplice:
		if isStr {
			out, ok := specSplice(s, o.Prefix, o.Suffix, o.Text)
			b, _ := json.Marshal(out)
			return string(b), ok
		}
	case delta.OpIncrementText:
		if isStr {
			out, ok := specIncrementText(s, o.Run, o.Int)
			b, _ := json.Marshal(out)
			return string(b), ok
		}
	case delta.OpShiftTime:
		if isStr {
			out, ok := specShift(s, o.Int, int(o.Layout))
			b, _ := json.Marshal(out)
			return string(b), ok
		}
	}
	return "", false
}

// TestSpecScalarTransforms checks the scalar transforms against
// the document through the wire: each case is encoded, decoded and applied.
// Time shifts must not depend on the receiver's time zone, so the cases run
// again in child processes under zones with daylight saving time.
func TestSpecScalarTransforms(t *testing.T) {
	if tz := os.Getenv("SNAPDELTA_SPEC_TZ"); tz != "" {
		if _, off := time.Date(2026, 1, 15, 12, 0, 0, 0, time.Local).Zone(); off == 0 {
			t.Fatalf("TZ=%s did not take effect", tz)
		}
	}
	for _, c := range scalarCases() {
		name := fmt.Sprintf("%s %.40s %+v", c.op.Kind, c.value, c.op)
		base := mustParse(t, `{"v":`+c.value+`}`)
		want, ok := specScalar(c)
		d := &delta.Delta{Base: base.Hash(), Target: base.Hash(), Edits: []delta.Edit{{
			Kind: delta.Patch, Path: []string{"v"}, Ops: []delta.Op{c.op},
		}}}
		var next *snapshot.Snapshot
		if ok {
			next = mustParse(t, `{"v":`+want+`}`)
			d.Target = next.Hash()
		}
		frame, err := EncodeDelta(d)
		if err != nil {
			t.Fatalf("%s: EncodeDelta: %v", name, err)
		}
		got, err := defaultDecoder.Apply(base, frame)
		switch {
		case !ok && !errors.Is(err, ErrCorrupt):
			if err == nil {
				t.Errorf("%s: applies, giving %s; the document says it is corrupt", name, canon(got))
			} else {
				t.Errorf("%s: %v; the document says it is corrupt", name, err)
			}
		case ok && err != nil:
			t.Errorf("%s: %v; the document says it gives %s", name, err, want)
		case ok:
			sameSnapshot(t, got, next)
		}
	}
	if os.Getenv("SNAPDELTA_SPEC_TZ") != "" {
		return
	}
	for _, tz := range []string{"Europe/Berlin", "America/New_York"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSpecScalarTransforms$", "-test.count=1")
		cmd.Env = append(os.Environ(), "TZ="+tz, "SNAPDELTA_SPEC_TZ="+tz)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("with TZ=%s: %v\n%s", tz, err, out)
		}
	}
}

// TestSpecTransformExamples checks the examples of section 8.3 against the
// re-implementation above and against the code.
func TestSpecTransformExamples(t *testing.T) {
	spec := readSpec(t)
	examples := []struct {
		c      scalarCase
		result string
	}{
		{scalarCase{`41`, delta.Op{Kind: delta.OpIncrement, Int: 1}}, `42`},
		{scalarCase{`"412345"`, delta.Op{Kind: delta.OpIncrement, Int: 46}}, `"412391"`},
		{scalarCase{`"Up 3 minutes"`, delta.Op{Kind: delta.OpSplice, Prefix: 3, Suffix: 8, Text: "4"}}, `"Up 4 minutes"`},
		{scalarCase{`"Up 9 minutes"`, delta.Op{Kind: delta.OpIncrementText, Run: 0, Int: 1}}, `"Up 10 minutes"`},
		{scalarCase{`"Exited (0) 5 minutes ago"`, delta.Op{Kind: delta.OpIncrementText, Run: 1, Int: 2}}, `"Exited (0) 7 minutes ago"`},
		{scalarCase{`"2026-03-28T12:00:00+01:00"`, delta.Op{Kind: delta.OpShiftTime, Int: int64(48 * time.Hour), Layout: 1}}, `"2026-03-30T12:00:00+01:00"`},
		{scalarCase{`"2026-03-14T09:26:00.118273113Z"`, delta.Op{Kind: delta.OpShiftTime, Int: 59999999987, Layout: 0}}, `"2026-03-14T09:27:00.1182731Z"`},
		{scalarCase{`"2026-03-14T09:26:00.5Z"`, delta.Op{Kind: delta.OpShiftTime, Int: 2e9, Layout: 1}}, `"2026-03-14T09:26:02Z"`},
		{scalarCase{`"2026-03-14T09:25:57.482113Z"`, delta.Op{Kind: delta.OpShiftTime, Int: 10018017000, Layout: 7}}, `"2026-03-14T09:26:07.500130Z"`},
	}
	for _, e := range examples {
		if got, ok := specScalar(e.c); !ok || got != e.result {
			t.Errorf("%s of %s: the document's rules give %s (%v), its example says %s", e.c.op.Kind, e.c.value, got, ok, e.result)
		}
		base := mustParse(t, `{"v":`+e.c.value+`}`)
		next := mustParse(t, `{"v":`+e.result+`}`)
		frame, err := EncodeDelta(&delta.Delta{Base: base.Hash(), Target: next.Hash(), Edits: []delta.Edit{{
			Kind: delta.Patch, Path: []string{"v"}, Ops: []delta.Op{e.c.op},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := defaultDecoder.Apply(base, frame); err != nil {
			t.Errorf("%s of %s giving %s: %v", e.c.op.Kind, e.c.value, e.result, err)
		}
		for _, s := range []string{e.c.value, e.result} {
			if !strings.Contains(spec, s) {
				t.Errorf("the document does not show %s", s)
			}
		}
	}
}

// TestSpecOperationEncodings checks the operation examples of section 7.7:
// each is the body of a one-operation patch at the root, minus the framing.
func TestSpecOperationEncodings(t *testing.T) {
	spec := readSpec(t)
	rows := []struct {
		wire, hex string
		dict      uint64
		op        delta.Op
	}{
		{`[7, "/n", -1]`, "93 07 a2 2f 6e ff", NoDictionary, delta.Op{Kind: delta.OpIncrement, Path: "/n", Int: -1}},
		{`[8, "/t", 40, 0]`, "94 08 a2 2f 74 28 00", NoDictionary, delta.Op{Kind: delta.OpShiftTime, Path: "/t", Int: 40e9}},
		{`[10, "", 59999999987, 0]`, "94 0a a0 cf 00 00 00 0d f8 47 57 f3 00", NoDictionary, delta.Op{Kind: delta.OpShiftTime, Int: 59999999987}},
		{`[9, "/Status", 3, 8, "4"]`, "95 09 a7 2f 53 74 61 74 75 73 03 08 a1 34", NoDictionary, delta.Op{Kind: delta.OpSplice, Path: "/Status", Prefix: 3, Suffix: 8, Text: "4"}},
		{`[11, "/Status", 1, 0]`, "94 0b a7 2f 53 74 61 74 75 73 01 00", NoDictionary, delta.Op{Kind: delta.OpIncrementText, Path: "/Status", Int: 1}},
		{`[7, 1, 46]`, "93 07 01 2e", BuiltinDictionary, delta.Op{Kind: delta.OpIncrement, Path: "/metadata/resourceVersion", Int: 46}},
	}
	for _, r := range rows {
		if row := fmt.Sprintf("| `%s` | `%s` |", r.wire, r.hex); !strings.Contains(spec, row) {
			t.Errorf("the document lacks the row %s", row)
		}
		enc, err := NewEncoder(WithDictionary(r.dict))
		if err != nil {
			t.Fatal(err)
		}
		frame, err := enc.AppendDelta(nil, &delta.Delta{Edits: []delta.Edit{{Kind: delta.Patch, Path: []string{}, Ops: []delta.Op{r.op}}}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := ParseHeader(frame)
		if err != nil || h.Compression != None || h.Dictionary != r.dict {
			t.Fatalf("%s: header %+v, %v", r.wire, h, err)
		}
		// [base, target, [[3, [], [op]]]]: 1 + 5 + 9 + 1, then 1 + 1 + 1 + 1.
		if got := hexBytes(frame[h.HeaderSize+20:]); got != r.hex {
			t.Errorf("%s encodes as %s, the document says %s", r.wire, got, r.hex)
		}
	}
}

// TestSpecDictionary checks appendix A and section 6 against dictionary 1.
func TestSpecDictionary(t *testing.T) {
	spec := readSpec(t)
	const open, end = "<!-- dictionary-1 -->\n```\n", "```\n<!-- /dictionary-1 -->"
	i, j := strings.Index(spec, open), strings.Index(spec, end)
	if i < 0 || j < i {
		t.Fatal("the document does not list dictionary 1")
	}
	for id, d := range map[int][]byte{1: builtinZstd, 2: builtinZstd2, 3: builtinZstd3} {
		if h := fmt.Sprintf("the %d bytes of `codec/dict%d.zstd`, whose xxhash64 is `%016x`", len(d), id, xxhash.Sum64(d)); !strings.Contains(spec, h) {
			t.Errorf("the document does not describe zstd dictionary %d as %s", id, h)
		}
	}
	lines := strings.Split(strings.TrimSuffix(spec[i+len(open):j], "\n"), "\n")
	if len(lines) != len(builtinNames) {
		t.Fatalf("the document lists %d names, dictionary 1 has %d", len(lines), len(builtinNames))
	}
	for k, line := range lines {
		idx, quoted, _ := strings.Cut(strings.TrimSpace(line), " ")
		var name string
		if err := json.Unmarshal([]byte(quoted), &name); err != nil || idx != strconv.Itoa(k) || name != builtinNames[k] {
			t.Errorf("line %q: want %d %q", line, k, builtinNames[k])
		}
	}
}

// TestSpecWorkedExampleTable checks that the byte column of the worked
// example's table spells out the whole frame.
func TestSpecWorkedExampleTable(t *testing.T) {
	spec := readSpec(t)
	i := strings.Index(spec, "<!-- /worked-example-hex -->")
	if i < 0 {
		t.Fatal("no worked example")
	}
	table := spec[i:]
	table = table[strings.Index(table, "| bytes | meaning |"):]
	table = table[:strings.Index(table, "\n\n")]
	var got []string
	for _, row := range strings.Split(table, "\n")[2:] {
		cell := strings.Split(row, "|")[1]
		got = append(got, strings.Trim(strings.TrimSpace(cell), "`"))
	}
	want, err := os.ReadFile(vectorsDir + "/worked-example/frame.bin")
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(got, " "); g != hexBytes(want) {
		t.Errorf("the worked example's table spells\n %s\nthe frame is\n %s", g, hexBytes(want))
	}
}

// TestSpecItemsStream rebuilds the items stream of every golden vector that
// has one as section 7.8 says, independently of the decoder: the dictionary
// from the frame's zstd dictionary and the models' canonical JSON (written
// by a re-implementation of the canonical form), decompressed with a plain
// zstd reader, must give the inserted items of next.json.
func TestSpecItemsStream(t *testing.T) {
	spec := readSpec(t)
	example := `{"b":[1.0,"a\u0001é"],"a":null}`
	if !strings.Contains(spec, "`"+example+"` is `"+specCanonical(t, example)+"`") {
		t.Errorf("the document's canonical JSON example is not %s -> %s", example, specCanonical(t, example))
	}
	rules := specCopyRules(t, spec)
	streams, copied := 0, 0
	for _, v := range loadVectors(t) {
		f, err := Decode(v.frame)
		if err != nil || f.texts == nil {
			continue
		}
		streams++
		dict := append([]byte(nil), dictionaries[f.Header.Dictionary].zstd...)
		seen := map[[2]int]bool{}
		var want []byte
		for _, pt := range f.texts.items {
			e := f.Delta.Edits[pt.edit]
			baseArr := nodeAtPath(v.base.Root(), e.Path)
			nextArr := nodeAtPath(v.next.Root(), e.Path)
			for _, p := range pt.like {
				if !seen[[2]int{pt.edit, p}] {
					seen[[2]int{pt.edit, p}] = true
					model := specValue(t, string(snapshot.AppendCanonical(nil, baseArr.Elem(p))))
					if f.Header.Version >= 7 && pt.copies != 0 {
						model, _ = specStrip(model, rules, allCopies)
					}
					dict = append(dict, specCanonicalValue(model)...)
				}
			}
			item := specValue(t, string(snapshot.AppendCanonical(nil, nextArr.Elem(e.Collection.Put[pt.put].Index))))
			if f.Header.Version >= 7 {
				// Section 7.9: this implementation strips every rule
				// that applies, and says so in the put.
				var mask uint64
				item, mask = specStrip(item, rules, allCopies)
				if mask != pt.copies {
					t.Errorf("%s: put %d names copies %#x, the document's rules apply %#x", v.name, pt.put, pt.copies, mask)
				}
				copied += bits.OnesCount64(mask)
			}
			want = append(want, specCanonicalValue(item)...)
		}
		opts := []zstd.DOption{}
		if len(dict) > 0 {
			opts = append(opts, zstd.WithDecoderDictRaw(0, dict))
		}
		zr, err := zstd.NewReader(nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		stream := f.texts.blob
		if f.texts.magicless {
			stream = append(zstdMagic[:], stream...) // section 7.8: the magic number is implied
		}
		got, err := zr.DecodeAll(stream, nil)
		zr.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: items stream decoded by the document's rules: %v\n got %.200s\nwant %.200s", v.name, err, got, want)
		}
	}
	if streams < 2 {
		t.Fatalf("only %d golden vectors hold an items stream", streams)
	}
	if copied < len(rules) {
		t.Fatalf("the golden vectors' items leave out %d copied members, fewer than the %d rules", copied, len(rules))
	}
}

// specCopyRule is a row of section 7.9's table.
type specCopyRule struct {
	target, source []string
	prefix         bool
}

// specCopyRules reads section 7.9's table, and checks the implementation's
// is the same.
func specCopyRules(t *testing.T, spec string) []specCopyRule {
	t.Helper()
	row := regexp.MustCompile("(?m)^\\| (\\d+) \\| `([^`]+)` \\| `([^`]+)` \\| (same|prefix) \\|$")
	var rules []specCopyRule
	for i, m := range row.FindAllStringSubmatch(spec, -1) {
		if m[1] != strconv.Itoa(i) {
			t.Fatalf("copied member rule %s in row %d", m[1], i)
		}
		rules = append(rules, specCopyRule{strings.Split(m[2], "."), strings.Split(m[3], "."), m[4] == "prefix"})
	}
	if len(rules) != len(memberCopies) {
		t.Fatalf("the document lists %d copied member rules, the implementation %d", len(rules), len(memberCopies))
	}
	for i, r := range rules {
		c := memberCopies[i]
		if !slices.Equal(r.target, c.target) || !slices.Equal(r.source, c.source) || r.prefix != c.prefix {
			t.Errorf("copied member rule %d: document %v, implementation %+v", i, r, c)
		}
	}
	return rules
}

// specStrip strips v (from specValue, modified in place) by every rule of
// section 7.9 in allowed that applies, in order, and returns the mask of
// those.
func specStrip(v any, rules []specCopyRule, allowed uint64) (any, uint64) {
	get := func(v any, path []string) (any, bool) {
		for _, name := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[name]; !ok {
				return nil, false
			}
		}
		return v, true
	}
	var mask uint64
	for i, r := range rules {
		if allowed&(1<<i) == 0 {
			continue
		}
		src, ok := get(v, r.source)
		switch src.(type) {
		case nil, bool, json.Number:
			ok = ok && !r.prefix
		case string:
		default:
			ok = false
		}
		if !ok {
			continue
		}
		same := func(x any) bool { return specCanonicalValue(x) == specCanonicalValue(src) }
		if star := slices.Index(r.target, "*"); star >= 0 {
			arr, ok := get(v, r.target[:star])
			elems, isArr := arr.([]any)
			if !ok || !isArr {
				continue
			}
			name := r.target[star+1]
			every, equal := true, 0
			for _, e := range elems {
				if m, ok := e.(map[string]any); ok {
					x, has := m[name]
					every = every && has
					if has && same(x) {
						equal++
					}
				}
			}
			if !every || equal == 0 {
				continue
			}
			for _, e := range elems {
				if m, ok := e.(map[string]any); ok && same(m[name]) {
					delete(m, name)
				}
			}
			mask |= 1 << i
			continue
		}
		parent, ok := get(v, r.target[:len(r.target)-1])
		m, isObj := parent.(map[string]any)
		if !ok || !isObj {
			continue
		}
		name := r.target[len(r.target)-1]
		x, has := m[name]
		switch {
		case !has:
			continue
		case r.prefix:
			xs, isStr := x.(string)
			if !isStr || !strings.HasPrefix(xs, src.(string)) {
				continue
			}
			m[name] = strings.TrimPrefix(xs, src.(string))
		case same(x):
			delete(m, name)
		default:
			continue
		}
		mask |= 1 << i
	}
	return v, mask
}

// specCanonical writes a JSON document in the canonical form of section
// 7.8, from encoding/json's reading of it (numbers kept as literals).
func specCanonical(t *testing.T, doc string) string {
	t.Helper()
	return specCanonicalValue(specValue(t, doc))
}

// specValue reads a JSON document with encoding/json, numbers as literals.
func specValue(t *testing.T, doc string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// specCanonicalValue writes v in the canonical form of section 7.8.
func specCanonicalValue(v any) string {
	var b strings.Builder
	var write func(v any)
	str := func(s string) {
		b.WriteByte('"')
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c == '\b':
				b.WriteString(`\b`)
			case c == '\f':
				b.WriteString(`\f`)
			case c < 0x20:
				fmt.Fprintf(&b, `\u%04x`, c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
	}
	write = func(v any) {
		switch x := v.(type) {
		case nil:
			b.WriteString("null")
		case bool:
			fmt.Fprint(&b, x)
		case json.Number:
			b.WriteString(string(x))
		case string:
			str(x)
		case []any:
			b.WriteByte('[')
			for i, e := range x {
				if i > 0 {
					b.WriteByte(',')
				}
				write(e)
			}
			b.WriteByte(']')
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys) // bytewise
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteByte(',')
				}
				str(k)
				b.WriteByte(':')
				write(x[k])
			}
			b.WriteByte('}')
		}
	}
	write(v)
	return b.String()
}
