package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/vmihailenco/msgpack/v5"
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
		var buf bytes.Buffer
		if err := writeValue(writer{msgpack.NewEncoder(&buf), noDictionary}, mustParse(t, lit).Root()); err != nil {
			t.Fatal(err)
		}
		if got := hexBytes(buf.Bytes()); got != want {
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
	if !strings.Contains(spec, fmt.Sprintf("is %d bytes: `%s`", len(noChange), hexBytes(noChange[:6]))) {
		t.Errorf("the document misdescribes the no-change frame % x", noChange)
	}
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
