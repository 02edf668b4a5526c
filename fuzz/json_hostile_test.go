package fuzz

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// TestJSONDeepNesting parses 100,000 levels of arrays, objects and both
// mixed: refused with ErrTooDeep at the limit, from bytes and from a reader,
// without a stack overflow, and the error names where.
func TestJSONDeepNesting(t *testing.T) {
	const levels = 100_000
	docs := map[string]string{
		"arrays":   strings.Repeat("[", levels) + strings.Repeat("]", levels),
		"objects":  strings.Repeat(`{"a":`, levels) + "1" + strings.Repeat("}", levels),
		"mixed":    strings.Repeat(`[{"a":`, levels/2) + "1" + strings.Repeat("}]", levels/2),
		"unclosed": strings.Repeat("[", levels),
	}
	for name, doc := range docs {
		_, err := snapshot.Parse([]byte(doc))
		var se *snapshot.SyntaxError
		if !errors.Is(err, snapshot.ErrTooDeep) || !errors.As(err, &se) {
			t.Errorf("%s: %v, want ErrTooDeep", name, err)
			continue
		}
		// Refused where the limit is crossed, not after reading on.
		if se.Offset > int64(len(`[{"a":`))*snapshot.DefaultMaxDepth {
			t.Errorf("%s: refused at offset %d, past the limit's depth", name, se.Offset)
		}
		if _, err := snapshot.ParseReader(strings.NewReader(doc)); !errors.Is(err, snapshot.ErrTooDeep) {
			t.Errorf("%s from a reader: %v, want ErrTooDeep", name, err)
		}
	}
	// The limit itself is accepted, one more level is not.
	cfg, err := snapshot.NewConfig(snapshot.WithMaxDepth(64))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Parse([]byte(strings.Repeat("[", 64) + strings.Repeat("]", 64))); err != nil {
		t.Errorf("64 levels with a limit of 64: %v", err)
	}
	if _, err := cfg.Parse([]byte(strings.Repeat("[", 65) + strings.Repeat("]", 65))); !errors.Is(err, snapshot.ErrTooDeep) {
		t.Errorf("65 levels with a limit of 64: %v, want ErrTooDeep", err)
	}
}

// endless yields a quote and then letters for ever, counting what it gave:
// a string that claims to be a gigabyte or more.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		if e.n == 0 {
			p[i] = '"'
		} else {
			p[i] = 'a' + byte(e.n%26)
		}
		e.n++
	}
	return len(p), nil
}

// TestJSONEndlessString reads a string that never ends: ParseReader stops
// one byte past the configured size and refuses it with ErrTooLarge,
// without reading on.
func TestJSONEndlessString(t *testing.T) {
	const limit = 4 << 20
	cfg, err := snapshot.NewConfig(snapshot.WithMaxSize(limit))
	if err != nil {
		t.Fatal(err)
	}
	r := &endless{}
	var perr error
	total, _ := memUse(func() { _, perr = cfg.ParseReader(r) })
	if !errors.Is(perr, snapshot.ErrTooLarge) {
		t.Fatalf("endless string: %v, want ErrTooLarge", perr)
	}
	if r.n > limit+64<<10 {
		t.Fatalf("read %d bytes with a limit of %d", r.n, limit)
	}
	if total > 8*limit {
		t.Fatalf("allocated %d MiB reading %d bytes", total>>20, r.n)
	}
	// An input that is exactly the limit and valid is accepted.
	doc := `"` + strings.Repeat("a", limit-2) + `"`
	if _, err := cfg.ParseReader(io.LimitReader(strings.NewReader(doc), int64(len(doc)))); err != nil {
		t.Fatalf("string of exactly the limit: %v", err)
	}
	if _, err := cfg.Parse([]byte(doc + " ")); !errors.Is(err, snapshot.ErrTooLarge) {
		t.Fatalf("one byte past the limit: %v, want ErrTooLarge", err)
	}
}

// TestJSONInvalidUTF8 checks that no invalid UTF-8 gets into a snapshot,
// in a string, a member name or outside both, whatever the sequence.
func TestJSONInvalidUTF8(t *testing.T) {
	bad := map[string]string{
		"lone continuation":         "\x80",
		"truncated 2-byte":          "\xc3",
		"truncated 3-byte":          "\xe2\x82",
		"overlong NUL":              "\xc0\x80",
		"overlong slash":            "\xe0\x80\xaf",
		"UTF-16 surrogate as UTF-8": "\xed\xa0\x80",
		"past U+10FFFF":             "\xf4\x90\x80\x80",
		"byte 0xff":                 "\xff",
		"Latin-1 e acute":           "caf\xe9",
	}
	for name, b := range bad {
		for _, doc := range []string{`"` + b + `"`, `{"` + b + `":1}`, `["ok","` + b + `"]`, b} {
			_, err := snapshot.Parse([]byte(doc))
			if !errors.Is(err, snapshot.ErrSyntax) {
				t.Errorf("%s in %q: %v, want ErrSyntax", name, doc, err)
			}
		}
	}
	// Valid UTF-8 of every length is kept byte for byte.
	s := mustParse(t, `["é","€","𝄞","\u00e9","\ud834\udd1e"]`)
	if got, want := string(s.MarshalCanonical()), `["é","€","𝄞","é","𝄞"]`; got != want {
		t.Fatalf("canonical %s, want %s", got, want)
	}
}

// TestJSONSurrogates pins what escaped UTF-16 surrogates become: a pair is
// its character, a lone or mismatched surrogate is U+FFFD (as in
// encoding/json; UTF-8 cannot hold it), and what follows a lone one is
// kept.
func TestJSONSurrogates(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"\ud834\udd1e"`, "\U0001d11e"},
		{`"\ud800"`, "\ufffd"},
		{`"\udc00"`, "\ufffd"},
		{`"\ud800x"`, "\ufffdx"},
		{`"\ud800\u0041"`, "\ufffdA"},
		{`"\ud800\ud800\udc00"`, "\ufffd\U00010000"},
		{`"\udc00\ud800"`, "\ufffd\ufffd"},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.in)
		if got := s.Root().Text(); got != tt.want {
			t.Errorf("%s: %+q, want %+q", tt.in, got, tt.want)
		}
		// And it travels like any string.
		sameSnapshot(t, tt.in, applyFull(t, s), s)
	}
	// In a member name too.
	s := mustParse(t, `{"\ud800":1}`)
	if _, ok := s.Root().Get("\ufffd"); !ok {
		t.Errorf("member %q not found in %s", "\ufffd", s.MarshalCanonical())
	}
}

// applyFull sends s as a full frame and returns what it decodes to.
func applyFull(t *testing.T, s *snapshot.Snapshot) *snapshot.Snapshot {
	t.Helper()
	got, err := codec.Decode(mustFullFrame(t, s))
	if err != nil {
		t.Fatalf("full frame of %.100s: %v", canon(s), err)
	}
	return got.Snapshot
}

// TestJSONDuplicateKeys checks that an object repeating a member is
// refused, at any depth, whatever the escaping that makes the names equal:
// taking the first or the last would silently drop a value the engine sent.
func TestJSONDuplicateKeys(t *testing.T) {
	docs := []string{
		`{"a":1,"a":2}`,
		`{"a":1,"a":1}`,
		`{"a":1,"b":2,"a":3}`,
		`{"x":{"a":{},"a":{}}}`,
		`[{"Id":"1"},{"Id":"2","b":1,"b":2}]`,
		`{"a":1,"\u0061":2}`,
		`{"é":1,"\u00e9":2}`,
		`{"":1,"":2}`,
		`{"\ud800":1,"\udc00":2}`,
	}
	for _, doc := range docs {
		_, err := snapshot.Parse([]byte(doc))
		var se *snapshot.SyntaxError
		if !errors.Is(err, snapshot.ErrSyntax) || !errors.As(err, &se) || !strings.Contains(se.Msg, "repeats member") {
			t.Errorf("%s: %v, want a repeated-member syntax error", doc, err)
		}
	}
	// Different names that look alike are different members: names are
	// compared as bytes, with no case folding or Unicode normalisation.
	s := mustParse(t, `{"a":1,"A":2,"a ":3,"\u00e9":4,"e\u0301":5}`)
	if n := len(s.Root().Keys()); n != 5 {
		t.Fatalf("%d members, want 5: %s", n, s.MarshalCanonical())
	}
}

// TestJSONLongNumbers checks that numbers of 10,000 digits, and other
// literals no float holds, survive parsing, canonical JSON, a full frame
// and a delta exactly as written.
func TestJSONLongNumbers(t *testing.T) {
	long := strings.Repeat("9", 10_000)
	lits := []string{
		long,
		"-" + long,
		"1." + long,
		"0." + strings.Repeat("0", 9_999) + "1",
		"1e" + strings.Repeat("9", 9_998),
		long + "e-" + long[:100],
		"1.0", "-0", "1E400", "12345678901234567890123", "2.50",
	}
	for _, lit := range lits {
		doc := `{"n":` + lit + `,"a":[` + lit + `]}`
		s := mustParse(t, doc)
		if got := string(s.MarshalCanonical()); got != `{"a":[`+lit+`],"n":`+lit+`}` {
			t.Fatalf("canonical JSON of %.40s... changed it: %.80s", lit, got)
		}
		sameSnapshot(t, "full frame", applyFull(t, s), s)
		// As a change: the old value is a short number.
		base := mustParse(t, `{"n":1,"a":[1]}`)
		d, err := delta.Diff(base, s)
		if err != nil {
			t.Fatal(err)
		}
		frame, err := codec.EncodeDelta(d)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := codec.NewDecoder()
		if err != nil {
			t.Fatal(err)
		}
		got, err := dec.Apply(base, frame)
		if err != nil {
			t.Fatalf("delta to %.40s...: %v", lit, err)
		}
		sameSnapshot(t, "delta", got, s)
		if n, _ := got.Root().Get("n"); n.Text() != lit {
			t.Fatalf("number %.40s... came back as %.40s...", lit, n.Text())
		}
	}
	// Equal values in other spellings are other values: nothing is
	// normalised, so a hash never hides a change of text.
	if a, b := mustParse(t, `1.0`), mustParse(t, `1`); a.Hash() == b.Hash() {
		t.Fatal("1.0 and 1 hash equal")
	}
}

// TestJSONParseNext gives the agent's incremental parser, which reuses the
// previous poll's items whose text is unchanged, the same hostile input
// next to items it can reuse: it refuses what Parse refuses.
func TestJSONParseNext(t *testing.T) {
	const item = `{"Id":"1","s":"ok","a":[[1]]}`
	prev := mustParse(t, `[`+item+`]`)
	bad := map[string]struct {
		doc  string
		want error
	}{
		"duplicate key":  {`[` + item + `,{"Id":"2","b":1,"b":2}]`, snapshot.ErrSyntax},
		"invalid UTF-8":  {`[` + item + `,{"Id":"2","s":"` + "\xff" + `"}]`, snapshot.ErrSyntax},
		"deep nesting":   {`[` + item + `,` + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + `]`, snapshot.ErrTooDeep},
		"unclosed":       {`[` + item + `,` + item, snapshot.ErrSyntax},
		"item then junk": {`[` + item + `]x`, snapshot.ErrSyntax},
	}
	for name, b := range bad {
		if _, err := snapshot.DefaultConfig().ParseNext([]byte(b.doc), prev); !errors.Is(err, b.want) {
			t.Errorf("%s: %v, want %v", name, err, b.want)
		}
	}
	cfg, err := snapshot.NewConfig(snapshot.WithMaxSize(int64(len(`[` + item + `]`))))
	if err != nil {
		t.Fatal(err)
	}
	small := mustParseWith(t, cfg, `[`+item+`]`)
	if _, err := cfg.ParseNext([]byte(`[`+item+`,`+item+`]`), small); !errors.Is(err, snapshot.ErrTooLarge) {
		t.Errorf("past the size limit: %v, want ErrTooLarge", err)
	}
}

func mustParseWith(t *testing.T, cfg *snapshot.Config, doc string) *snapshot.Snapshot {
	t.Helper()
	s, err := cfg.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
