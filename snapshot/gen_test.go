package snapshot

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Generators of JSON documents and trees for the property and differential
// tests. Trees use the shapes Node.Value returns (nil, bool, json.Number,
// string, []any, map[string]any), so encoding/json can serve as an oracle.

var genNumbers = []string{
	"0", "-0", "1", "-1", "1.0", "1.00", "0.5", "-0.0", "1e5", "1E5", "1e+5", "1e-5", "2.5E-3",
	"12345678901234567890", "-12345678901234567890", "1e400", "-1e-400", "9007199254740993",
	"3.141592653589793238462643383279", "1e007", "0e0", "100",
}

var genStrings = []string{
	"", "a", "Id", "Name", "running", "Up 3 minutes", "/var/lib/docker", "é", "日本", "😀",
	"tab\there", "quote\"in", "back\\slash", "nul\x00byte", "\u2028\u2029", "\x1f\x7f",
	"line\nbreak", "\uFFFD", "<&>", "a/b",
}

var genKeys = []string{"Id", "Name", "State", "Labels", "metadata", "uid", "a", "b", "B", "", "é", "k\"ey", "sp ace", "x\ny"}

// genTree returns a random tree at most depth levels deep.
func genTree(r *rand.Rand, depth int) any {
	k := r.IntN(10)
	if depth <= 0 {
		k = r.IntN(5)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		if r.IntN(3) == 0 {
			return json.Number(strconv.FormatInt(r.Int64N(1<<40)-1<<39, 10))
		}
		return json.Number(genNumbers[r.IntN(len(genNumbers))])
	case 3, 4:
		if r.IntN(4) == 0 {
			return randString(r)
		}
		return genStrings[r.IntN(len(genStrings))]
	case 5, 6, 7:
		n := r.IntN(5)
		a := make([]any, n)
		for i := range a {
			a[i] = genTree(r, depth-1)
		}
		return a
	default:
		n := r.IntN(5)
		m := make(map[string]any, n)
		for range n {
			key := genKeys[r.IntN(len(genKeys))]
			if r.IntN(3) == 0 {
				key = randString(r)
			}
			m[key] = genTree(r, depth-1)
		}
		return m
	}
}

// randString returns a short string mixing ASCII, control characters and
// multi-byte runes.
func randString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(8) {
		switch r.IntN(6) {
		case 0:
			b.WriteByte(byte(r.IntN(0x20)))
		case 1:
			b.WriteRune(rune(0x80 + r.IntN(0x800)))
		case 2:
			b.WriteRune(rune(0x10000 + r.IntN(0x1000)))
		default:
			b.WriteByte(byte(0x20 + r.IntN(0x5f)))
		}
	}
	return b.String()
}

// writeJSON writes v as JSON text with members in a random order, random
// whitespace and randomly chosen string escapes, so that many texts map to
// the same value.
func writeJSON(r *rand.Rand, b *strings.Builder, v any) {
	ws := func() {
		if r.IntN(3) == 0 {
			b.WriteString([]string{" ", "\n", "\t", "\r\n", "  "}[r.IntN(5)])
		}
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(string(v))
	case string:
		writeString(r, b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			ws()
			writeJSON(r, b, e)
			ws()
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			ws()
			writeString(r, b, k)
			ws()
			b.WriteByte(':')
			ws()
			writeJSON(r, b, v[k])
			ws()
		}
		b.WriteByte('}')
	default:
		panic(fmt.Sprintf("writeJSON: %T", v))
	}
}

func writeString(r *rand.Rand, b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20 || r.IntN(8) == 0:
			// Escape: short form when there is one, else \u (a surrogate
			// pair above the BMP).
			if short, ok := map[rune]string{'\n': `\n`, '\t': `\t`, '\r': `\r`, '\b': `\b`, '\f': `\f`, '/': `\/`}[c]; ok && r.IntN(2) == 0 {
				b.WriteString(short)
			} else if c > 0xffff {
				c -= 0x10000
				fmt.Fprintf(b, `\u%04x\u%04X`, 0xd800+(c>>10), 0xdc00+(c&0x3ff))
			} else {
				fmt.Fprintf(b, `\u%04x`, c)
			}
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
}

// genDoc returns the JSON text of a random tree.
func genDoc(r *rand.Rand, v any) string {
	var b strings.Builder
	writeJSON(r, &b, v)
	return b.String()
}

// corrupt returns doc with one random edit, often making it invalid: a byte
// changed, removed or inserted, or a tricky fragment spliced in.
func corrupt(r *rand.Rand, doc string) string {
	fragments := []string{",", "]", "}", "[", "{", `"`, `\`, ":", "0", "-", ".", "e", "+", "01", "1.", "NaN", "\x00",
		"\xff", "\xc3", "\xed\xa0\x80", `\u`, `\ud800`, `\udc00`, `\u0000`, "\t", "\n", " ", "true", "nul", `"a":1,"a":2`, `,"Id":"x"`}
	i := 0
	if len(doc) > 0 {
		i = r.IntN(len(doc) + 1)
	}
	switch r.IntN(3) {
	case 0:
		if i < len(doc) {
			return doc[:i] + doc[i+1:]
		}
		return doc + fragments[r.IntN(len(fragments))]
	case 1:
		if i < len(doc) {
			return doc[:i] + string(rune(r.IntN(128))) + doc[i+1:]
		}
		return doc
	default:
		return doc[:i] + fragments[r.IntN(len(fragments))] + doc[i:]
	}
}

// cloneTree returns a deep copy of a generated tree.
func cloneTree(v any) any {
	switch v := v.(type) {
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = cloneTree(e)
		}
		return a
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = cloneTree(e)
		}
		return m
	}
	return v
}
