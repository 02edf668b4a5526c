package snapshot

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
)

func TestNumbersHashByLiteral(t *testing.T) {
	// The same mathematical value written differently is a different
	// literal, and the model is lossless: the hashes must differ.
	groups := [][]string{
		{"1", "1.0", "1.00", "1e0", "1E0", "10e-1", "1e+0"},
		{"0", "-0", "0.0", "-0.0", "0e0"},
		{"100", "1e2", "1E2", "1e+2", "100.0"},
	}
	seen := map[uint64]string{}
	for _, g := range groups {
		for _, lit := range g {
			n := mustNode(t, lit)
			if prev, ok := seen[n.Hash()]; ok {
				t.Errorf("%s and %s hash the same", prev, lit)
			}
			seen[n.Hash()] = lit
			if Equal(n, mustNode(t, g[0])) != (lit == g[0]) {
				t.Errorf("Equal(%s, %s) = %v", lit, g[0], !(lit == g[0]))
			}
		}
	}
	// A number and a string with the same text differ too.
	if mustNode(t, "1").Hash() == mustNode(t, `"1"`).Hash() {
		t.Error(`1 and "1" hash the same`)
	}
}

func TestNumbersKeepTheirText(t *testing.T) {
	long := "-" + strings.Repeat("9", 10000) + "." + strings.Repeat("0", 10000) + "1e-" + strings.Repeat("7", 50)
	for _, lit := range []string{
		"12345678901234567890", "-12345678901234567890", "18446744073709551616", "9007199254740993",
		"1e400", "-1e400", "1e-400", "-0", "-0.0", "0.1", "0.30000000000000004", "1.0", "1.00", "1E+02",
		"3.14159265358979323846264338327950288419716939937510", strings.Repeat("7", 10000), long,
	} {
		name := lit
		if len(name) > 30 {
			name = fmt.Sprintf("%d digits", len(lit))
		}
		t.Run(name, func(t *testing.T) {
			doc := `{"n":` + lit + `,"a":[` + lit + `]}`
			s := mustParse(t, doc)
			n, _ := s.Root().Get("n")
			if n.Kind() != Number || n.Text() != lit {
				t.Fatalf("number text = %.40q, want %.40q", n.Text(), lit)
			}
			want := `{"a":[` + lit + `],"n":` + lit + `}`
			if got := string(s.MarshalCanonical()); got != want {
				t.Errorf("canonical = %.80s, want %.80s", got, want)
			}
			if v := n.Value(); v != json.Number(lit) {
				t.Errorf("Value() = %#v, want json.Number(%.40q)", v, lit)
			}
			m, err := NewNumber(lit)
			if err != nil || !Equal(m, n) || m.Hash() != n.Hash() {
				t.Errorf("NewNumber(%.40q) = %v, %v; want a node equal to the parsed one", lit, m, err)
			}
		})
	}
}

func TestHashIgnoresMemberOrderAndWhitespace(t *testing.T) {
	variants := []string{
		`{"a":1,"b":[true,{"x":null,"y":"s"}],"c":{}}`,
		`{"c":{},"b":[true,{"y":"s","x":null}],"a":1}`,
		"\n{ \"b\" : [ true , { \"y\" : \"s\" , \"x\" : null } ] ,\n\t\"a\" : 1 , \"c\" : { } }\r\n",
		`{"\u0061":1,"b":[true,{"x":null,"y":"\u0073"}],"c":{}}`,
	}
	want := mustNode(t, variants[0])
	for _, v := range variants[1:] {
		n := mustNode(t, v)
		if n.Hash() != want.Hash() || !Equal(n, want) {
			t.Errorf("%q: hash %x, want %x", v, n.Hash(), want.Hash())
		}
	}
}

func TestHashDistinguishesStructure(t *testing.T) {
	// Pairs that a careless encoding would confuse: each must hash apart.
	docs := []string{
		`null`, `false`, `true`, `0`, `""`, `"null"`, `"0"`, `[]`, `{}`, `[[]]`, `[{}]`, `{"":{}}`, `{"":[]}`,
		`[null]`, `[null,null]`, `[[],[]]`, `[[[]]]`, `["a","b"]`, `["ab"]`, `["a","b",""]`, `["b","a"]`,
		`{"a":"b"}`, `{"ab":""}`, `{"a":"","b":""}`, `{"b":"a"}`, `{"a":{"b":1}}`, `{"a":[1]}`, `{"a":1}`,
		`{"a":"1"}`, `[1,[2]]`, `[[1],2]`, `[1,2]`, `[[1,2]]`, `["a",["b"]]`, `[["a"],"b"]`, `{"a":null}`,
		`{"a\u0000":1}`, `{"a":[],"b":[]}`, `{"a":[{}]}`, `[{"a":1},{"b":2}]`, `[{"a":1,"b":2}]`,
	}
	seen := map[uint64]string{}
	for _, d := range docs {
		h := mustNode(t, d).Hash()
		if prev, ok := seen[h]; ok {
			t.Errorf("%s and %s hash the same (%x)", prev, d, h)
		}
		seen[h] = d
	}
}

// TestHashEncoding recomputes hashes from the encoding the package documents
// (docs/wire-format.md, "Content hash"): a one-byte tag, then the scalar's
// text, or a uvarint count and the children's little-endian hashes (object
// members as uvarint key length, key, value hash, sorted by key). Agent and
// server, maybe of different versions, must agree on root hashes, so any
// change here is a wire-format change.
func TestHashEncoding(t *testing.T) {
	sum := func(parts ...[]byte) uint64 {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return xxhash.Sum64(b)
	}
	le := func(h uint64) []byte { return binary.LittleEndian.AppendUint64(nil, h) }
	uv := func(n int) []byte { return binary.AppendUvarint(nil, uint64(n)) }
	one := sum([]byte("d1"))
	x := sum([]byte("sx"))
	tr := sum([]byte("t"))
	arr := sum([]byte("a"), uv(3), le(one), le(x), le(tr))
	key := strings.Repeat("k", 200) // a key length needing two varint bytes
	obj := sum([]byte("o"), uv(2), uv(1), []byte("a"), le(arr), uv(200), []byte(key), le(sum([]byte("n"))))

	tests := []struct {
		doc  string
		want uint64
	}{
		{`null`, sum([]byte("n"))},
		{`false`, sum([]byte("f"))},
		{`true`, tr},
		{`1`, one},
		{`"x"`, x},
		{`""`, sum([]byte("s"))},
		{`[]`, sum([]byte("a"), uv(0))},
		{`{}`, sum([]byte("o"), uv(0))},
		{`[1,"x",true]`, arr},
		{`{"` + key + `":null,"a":[1,"x",true]}`, obj},
	}
	for _, tt := range tests {
		if got := mustNode(t, tt.doc).Hash(); got != tt.want {
			t.Errorf("hash of %.40s = %x, want %x", tt.doc, got, tt.want)
		}
	}
	// One value pinned in hex, in case the hash function itself changed.
	if got := FormatHash(mustNode(t, "null").Hash()); got != FormatHash(xxhash.Sum64String("n")) {
		t.Errorf("hash of null = %s", got)
	}
}

// TestHashChangesWithAnySingleEdit mutates one random place of random trees
// and checks that the hash always changes.
func TestHashChangesWithAnySingleEdit(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cfg := DefaultConfig()
	kinds := map[string]int{}
	for i := range 1500 {
		tree := genTree(r, 4)
		orig, err := cfg.FromValue(tree)
		if err != nil {
			t.Fatal(err)
		}
		// The tree built in code and the parsed text agree.
		if parsed := mustNode(t, genDoc(r, tree)); parsed.Hash() != orig.Hash() || !Equal(parsed, orig) {
			t.Fatalf("tree %d: FromValue and Parse disagree: %s vs %s", i, canon(orig), canon(parsed))
		}
		mutated, what := mutateTree(r, cloneTree(tree))
		kinds[what]++
		n, err := cfg.FromValue(mutated)
		if err != nil {
			t.Fatal(err)
		}
		if n.Hash() == orig.Hash() || Equal(n, orig) {
			t.Fatalf("tree %d: %s left the hash %x unchanged:\n%s\n%s", i, what, n.Hash(), canon(orig), canon(n))
		}
		// The original tree is untouched, and still hashes the same.
		if again, _ := cfg.FromValue(tree); again.Hash() != orig.Hash() {
			t.Fatalf("tree %d: mutation leaked into the original", i)
		}
	}
	t.Logf("mutations: %v", kinds)
	for _, k := range []string{"value", "type", "key", "order", "remove", "add"} {
		if kinds[k] == 0 {
			t.Errorf("no %q mutation was exercised", k)
		}
	}
}

// step is one step of a path in a generated tree: a key or an index.
type step struct {
	key   string
	index int
	isKey bool
}

// paths lists every path of v, the empty path (the root) included.
func paths(v any, prefix []step, out *[][]step) {
	*out = append(*out, append([]step(nil), prefix...))
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			paths(e, append(prefix, step{index: i}), out)
		}
	case map[string]any:
		for k, e := range v {
			paths(e, append(prefix, step{key: k, isKey: true}), out)
		}
	}
}

// mutateTree makes one change to v at a random place and names its kind.
// It returns the (possibly new) root.
func mutateTree(r *rand.Rand, root any) (any, string) {
	var ps [][]step
	paths(root, nil, &ps)
	p := ps[r.IntN(len(ps))]
	var parent any
	node := root
	for _, s := range p {
		parent = node
		if s.isKey {
			node = node.(map[string]any)[s.key]
		} else {
			node = node.([]any)[s.index]
		}
	}
	set := func(v any) any {
		if len(p) == 0 {
			return v
		}
		last := p[len(p)-1]
		if last.isKey {
			parent.(map[string]any)[last.key] = v
		} else {
			parent.([]any)[last.index] = v
		}
		return root
	}
	choice := r.IntN(6)
	if len(p) > 0 {
		last := p[len(p)-1]
		switch {
		case choice == 2 && last.isKey:
			m := parent.(map[string]any)
			nk := last.key + "_"
			for _, taken := m[nk]; taken; _, taken = m[nk] {
				nk += "_"
			}
			delete(m, last.key)
			m[nk] = node
			return root, "key"
		case choice == 3 && !last.isKey:
			a := parent.([]any)
			for j := range a {
				if j != last.index && canonOf(a[j]) != canonOf(node) {
					a[j], a[last.index] = a[last.index], a[j]
					return root, "order"
				}
			}
		case choice == 4:
			if last.isKey {
				delete(parent.(map[string]any), last.key)
			} else {
				a := parent.([]any)
				shorter := append(a[:last.index:last.index], a[last.index+1:]...)
				if len(p) == 1 {
					return shorter, "remove"
				}
				setParent(root, p[:len(p)-1], shorter)
			}
			return root, "remove"
		}
	}
	switch v := node.(type) {
	case []any:
		if choice == 5 || r.IntN(2) == 0 {
			return set(append(v, nil)), "add"
		}
	case map[string]any:
		if choice == 5 || r.IntN(2) == 0 {
			k := "new"
			for _, taken := v[k]; taken; _, taken = v[k] {
				k += "!"
			}
			v[k] = false
			return root, "add"
		}
	}
	if choice == 1 {
		if n, ok := node.(json.Number); ok {
			return set(string(n)), "type"
		}
		return set(json.Number("1")), "type"
	}
	return set(otherValue(node)), "value"
}

// setParent replaces the container at path p of root by v.
func setParent(root any, p []step, v any) {
	if len(p) == 0 {
		panic("setParent: the root cannot be replaced in place")
	}
	node := root
	for _, s := range p[:len(p)-1] {
		if s.isKey {
			node = node.(map[string]any)[s.key]
		} else {
			node = node.([]any)[s.index]
		}
	}
	last := p[len(p)-1]
	if last.isKey {
		node.(map[string]any)[last.key] = v
	} else {
		node.([]any)[last.index] = v
	}
}

// otherValue returns a value of the same type as v but different from it.
func otherValue(v any) any {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return !v
	case json.Number:
		s := string(v)
		if strings.HasPrefix(s, "-") {
			return json.Number(s[1:])
		}
		return json.Number("-" + s)
	case string:
		return v + "x"
	case []any:
		return []any{v}
	case map[string]any:
		return map[string]any{"wrapped": v}
	}
	panic(fmt.Sprintf("otherValue: %T", v))
}

func canonOf(v any) string {
	n, err := DefaultConfig().FromValue(v)
	if err != nil {
		panic(err)
	}
	return canon(n)
}
