package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpusDir holds real Docker and Kubernetes API responses; it lives beside
// the repository and may be absent.
const corpusDir = "../../shared/corpus/real"

// oracle says what encoding/json makes of doc, adjusted for the two places
// where snapdelta is deliberately stricter: it refuses invalid UTF-8 (which
// encoding/json replaces by U+FFFD) and repeated object keys (where
// encoding/json keeps the last value).
type oracle struct {
	valid   bool // encoding/json accepts doc
	badUTF8 bool // doc is not UTF-8 (only possible inside strings once valid)
	dupKey  bool // an object repeats a key, after unescaping
	value   any  // what json.Decoder with UseNumber decodes
}

func (o oracle) wantOK() bool { return o.valid && !o.badUTF8 && !o.dupKey }

func consult(doc []byte) oracle {
	var o oracle
	o.valid = json.Valid(doc)
	if !o.valid {
		return o
	}
	o.badUTF8 = !utf8.Valid(doc)
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	if err := d.Decode(&o.value); err != nil {
		panic("json.Valid accepted what Decode refused: " + err.Error())
	}
	d = json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	o.dupKey = hasDupKey(d)
	return o
}

// hasDupKey walks one value from d's token stream and reports whether an
// object in it repeats a key.
func hasDupKey(d *json.Decoder) bool {
	tok, err := d.Token()
	if err != nil {
		return false
	}
	switch tok {
	case json.Delim('['):
		for d.More() {
			if hasDupKey(d) {
				return true
			}
		}
		_, _ = d.Token()
	case json.Delim('{'):
		seen := map[string]bool{}
		for d.More() {
			k, _ := d.Token()
			ks, _ := k.(string)
			if seen[ks] {
				return true
			}
			seen[ks] = true
			if hasDupKey(d) {
				return true
			}
		}
		_, _ = d.Token()
	}
	return false
}

// differential checks Parse against encoding/json on doc and returns the
// oracle's verdict. It reports a mismatch through t.
func differential(t testing.TB, doc []byte) oracle {
	t.Helper()
	o := consult(doc)
	s, err := Parse(doc)
	if o.wantOK() != (err == nil) {
		t.Fatalf("Parse(%.200q): err = %v; encoding/json valid=%v badUTF8=%v dupKey=%v", doc, err, o.valid, o.badUTF8, o.dupKey)
	}
	if err != nil {
		if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooDeep) {
			t.Fatalf("Parse(%.200q): error %v is neither ErrSyntax nor ErrTooDeep", doc, err)
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset < 0 || se.Offset > int64(len(doc)) || se.Line < 1 || se.Column < 1 {
			t.Fatalf("Parse(%.200q): error %#v has no sound position", doc, err)
		}
		if o.valid && o.dupKey && !o.badUTF8 && !strings.Contains(err.Error(), "repeats member") {
			t.Fatalf("Parse(%.200q): error %v does not name the repeated key", doc, err)
		}
		return o
	}
	if got := s.Root().Value(); !reflect.DeepEqual(got, o.value) {
		t.Fatalf("Parse(%.200q).Value() = %#v, encoding/json decodes %#v", doc, got, o.value)
	}
	checkCanonical(t, s)
	return o
}

// checkCanonical checks that s's canonical JSON is valid JSON, parses back to
// an equal node with the same hash, and is a fixed point.
func checkCanonical(t testing.TB, s *Snapshot) {
	t.Helper()
	c := s.MarshalCanonical()
	if !json.Valid(c) {
		t.Fatalf("canonical output is not valid JSON: %.200q", c)
	}
	s2, err := Parse(c)
	if err != nil {
		t.Fatalf("canonical output %.200q does not parse: %v", c, err)
	}
	if s2.Hash() != s.Hash() || !Equal(s2.Root(), s.Root()) || !s2.Equal(s) {
		t.Fatalf("canonical output %.200q parses to a different value (hash %x, want %x)", c, s2.Hash(), s.Hash())
	}
	if c2 := s2.MarshalCanonical(); !bytes.Equal(c, c2) {
		t.Fatalf("canonical output is not a fixed point:\n%.200q\n%.200q", c, c2)
	}
	if got, want := s.Root().Size(), len(c); got > want {
		// Size ignores escapes, so it may fall short, never exceed.
		t.Fatalf("Size() = %d exceeds the canonical length %d", got, want)
	}
}

func TestDifferentialGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ok, refused, invalid int
	for i := range 600 {
		doc := genDoc(r, genTree(r, 5))
		if i%2 == 1 {
			doc = corrupt(r, doc)
		}
		o := differential(t, []byte(doc))
		switch {
		case o.wantOK():
			ok++
		case o.valid:
			refused++
		default:
			invalid++
		}
	}
	t.Logf("%d parsed, %d refused (repeated key or invalid UTF-8), %d invalid", ok, refused, invalid)
	if ok < 300 || invalid < 50 {
		t.Errorf("generator is unbalanced: %d valid, %d invalid", ok, invalid)
	}
}

func TestDifferentialSpecialCases(t *testing.T) {
	for _, doc := range []string{
		`"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800\udc00"`, `{"\ud800":1}`, `{"\ud800":1,"\udfff":2}`,
		"\"\xff\"", `{"a":1,"a":2}`, `[1e400,-0,12345678901234567890]`, `"\u0000"`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	} {
		differential(t, []byte(doc))
	}
}

// corpusFiles returns the JSON files of the shared corpus, skipping the test
// when it is absent.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus %s not available: %v", corpusDir, err)
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no JSON files under %s", corpusDir)
	}
	return files
}

func TestDifferentialCorpus(t *testing.T) {
	files := corpusFiles(t)
	var parsed, dup, badUTF8, invalid, collections int
	for _, f := range files {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		o := differential(t, doc)
		switch {
		case o.wantOK():
			parsed++
			collections += countCollections(mustNode(t, string(doc)))
		case o.valid && o.dupKey:
			dup++
			t.Logf("refused (repeated key): %s", f)
		case o.valid && o.badUTF8:
			badUTF8++
			t.Logf("refused (invalid UTF-8): %s", f)
		default:
			invalid++
			t.Logf("invalid JSON: %s", f)
		}
	}
	t.Logf("corpus: %d files, %d parsed (%d keyed collections), %d refused for a repeated key, %d for invalid UTF-8, %d invalid JSON",
		len(files), parsed, collections, dup, badUTF8, invalid)
}

func countCollections(n *Node) int {
	c := 0
	if n.Collection() != nil {
		c++
	}
	for _, e := range n.Elems() {
		c += countCollections(e)
	}
	for _, v := range n.Values() {
		c += countCollections(v)
	}
	return c
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "null", "0", "-0", "1.0", "1e400", "12345678901234567890", `"a"`, "[]", "{}",
		`{"b":[1,{"a":null}],"a":"\u00e9\ud83d\ude00"}`, `[{"Id":"x"},{"Id":"y"}]`,
		`{"a":1,"a":2}`, `"\ud800"`, "\"\xff\"", "01", "[1,]", `"\u0000"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		differential(t, doc)
		// ParseReader sees the same document.
		s1, err1 := Parse(doc)
		s2, err2 := ParseReader(iotestOneByte(doc))
		if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
			t.Fatalf("Parse and ParseReader disagree: %v / %v", err1, err2)
		}
		if err1 == nil && s1.Hash() != s2.Hash() {
			t.Fatalf("Parse and ParseReader hash differently")
		}
	})
}

// iotestOneByte returns a reader that hands out doc one byte at a time.
func iotestOneByte(doc []byte) io.Reader { return &oneByteReader{doc} }

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}
