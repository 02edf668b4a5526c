package snapshot

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
)

func TestValueFromValueRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cfg := DefaultConfig()
	for range 300 {
		tree := genTree(r, 5)
		n, err := cfg.FromValue(tree)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Value(); !reflect.DeepEqual(got, tree) {
			t.Fatalf("Value() = %#v, want %#v", got, tree)
		}
		back, err := cfg.FromValue(n.Value())
		if err != nil || back.Hash() != n.Hash() || !Equal(back, n) {
			t.Fatalf("FromValue(Value()) = %v, %v; want %s", back, err, canon(n))
		}
	}
}

func TestValueIsFresh(t *testing.T) {
	n := mustNode(t, `{"a":[1,{"b":"c"}]}`)
	before := canon(n)
	v := n.Value().(map[string]any)
	v["a"].([]any)[1].(map[string]any)["b"] = "changed"
	v["new"] = true
	if canon(n) != before {
		t.Errorf("modifying Value() changed the node: %s", canon(n))
	}
}

func TestValueShapes(t *testing.T) {
	n := mustNode(t, `{"null":null,"t":true,"f":false,"n":1.50,"s":"x","a":[],"o":{}}`)
	want := map[string]any{
		"null": nil, "t": true, "f": false, "n": json.Number("1.50"), "s": "x", "a": []any{}, "o": map[string]any{},
	}
	if got := n.Value(); !reflect.DeepEqual(got, want) {
		t.Errorf("Value() = %#v, want %#v", got, want)
	}
}

func TestFromValueScalars(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, "null"},
		{true, "true"},
		{false, "false"},
		{"s\n", `"s\n"`},
		{json.Number("1.0"), "1.0"},
		{json.Number("1e400"), "1e400"},
		{1.5, "1.5"},
		{float64(100), "100"},
		{1e21, "1e+21"},
		{1e-7, "1e-07"},
		{math.Copysign(0, -1), "-0"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{int(-42), "-42"},
		{int8(-128), "-128"},
		{int16(32767), "32767"},
		{int32(math.MinInt32), "-2147483648"},
		{int64(math.MinInt64), "-9223372036854775808"},
		{uint(7), "7"},
		{uint8(255), "255"},
		{uint16(65535), "65535"},
		{uint32(math.MaxUint32), "4294967295"},
		{uint64(math.MaxUint64), "18446744073709551615"},
	}
	for _, tt := range tests {
		n, err := DefaultConfig().FromValue(tt.in)
		if err != nil {
			t.Errorf("FromValue(%#v): %v", tt.in, err)
			continue
		}
		if got := canon(n); got != tt.want {
			t.Errorf("FromValue(%#v) = %s, want %s", tt.in, got, tt.want)
		}
		if !json.Valid([]byte(canon(n))) {
			t.Errorf("FromValue(%#v) is not valid JSON: %s", tt.in, canon(n))
		}
	}
}

func TestFromValueErrors(t *testing.T) {
	type point struct{ X int }
	tests := []struct {
		name string
		in   any
		err  error
	}{
		{"NaN", math.NaN(), ErrInvalidValue},
		{"+Inf", math.Inf(1), ErrInvalidValue},
		{"-Inf", math.Inf(-1), ErrInvalidValue},
		{"bad json.Number", json.Number("01"), ErrInvalidValue},
		{"empty json.Number", json.Number(""), ErrInvalidValue},
		{"invalid UTF-8 string", "\xff", ErrInvalidValue},
		{"invalid UTF-8 key", map[string]any{"\xc3": 1}, ErrInvalidValue},
		{"invalid UTF-8 deep", []any{map[string]any{"a": []any{"ok", "\xed\xa0\x80"}}}, ErrInvalidValue},
		{"struct", point{1}, ErrInvalidValue},
		{"pointer", &point{1}, ErrInvalidValue},
		{"typed slice", []string{"a"}, ErrInvalidValue},
		{"typed map", map[string]string{"a": "b"}, ErrInvalidValue},
		{"int-keyed map", map[int]any{1: 2}, ErrInvalidValue},
		{"func", func() {}, ErrInvalidValue},
		{"channel", make(chan int), ErrInvalidValue},
		{"complex", complex(1, 2), ErrInvalidValue},
		{"float32", float32(1.5), ErrInvalidValue},
		{"nested unsupported", map[string]any{"a": []any{1, struct{}{}}}, ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := DefaultConfig().FromValue(tt.in)
			if !errors.Is(err, tt.err) || n != nil {
				t.Errorf("FromValue(%#v) = %v, %v; want %v", tt.in, n, err, tt.err)
			}
		})
	}
}

func TestFromValueKeysCollections(t *testing.T) {
	v := []any{map[string]any{"Id": "a"}, map[string]any{"Id": "b"}}
	n, err := DefaultConfig().FromValue(v)
	if err != nil {
		t.Fatal(err)
	}
	if c := n.Collection(); c == nil || !slices.Equal(c.Keys(), []string{"a", "b"}) {
		t.Errorf("FromValue did not key the array: %v", c)
	}
}

func TestNewNumber(t *testing.T) {
	for _, lit := range []string{"0", "-0", "1.0", "1e400", "12345678901234567890", "-1.5E-3"} {
		n, err := NewNumber(lit)
		if err != nil || n.Kind() != Number || n.Text() != lit || canon(n) != lit {
			t.Errorf("NewNumber(%q) = %v, %v", lit, n, err)
		}
	}
	for _, lit := range []string{"", "01", "+1", "NaN", "Inf", ".5", "1.", "1e", " 1", "1 ", "0x1", "--1", "1\x00"} {
		if n, err := NewNumber(lit); !errors.Is(err, ErrInvalidValue) || n != nil {
			t.Errorf("NewNumber(%q) = %v, %v; want ErrInvalidValue", lit, n, err)
		}
	}
}

func TestNewString(t *testing.T) {
	for _, s := range []string{"", "a", "\x00", "é", "😀", "\uFFFD"} {
		n, err := NewString(s)
		if err != nil || n.Kind() != String || n.Text() != s {
			t.Errorf("NewString(%q) = %v, %v", s, n, err)
		}
		if n.Hash() != mustNode(t, canon(n)).Hash() {
			t.Errorf("NewString(%q) hashes unlike the parsed string", s)
		}
	}
	for _, s := range []string{"\xff", "a\xc3", "\xed\xa0\x80", "\xc0\xaf"} {
		if n, err := NewString(s); !errors.Is(err, ErrInvalidValue) || n != nil {
			t.Errorf("NewString(%q) = %v, %v; want ErrInvalidValue", s, n, err)
		}
	}
}

func TestScalarConstructors(t *testing.T) {
	if n := NewNull(); n.Kind() != Null || canon(n) != "null" || n.Hash() != mustNode(t, "null").Hash() {
		t.Errorf("NewNull() = %s", canon(n))
	}
	for _, b := range []bool{true, false} {
		n := NewBool(b)
		if n.Kind() != Bool || n.Bool() != b || n.Hash() != mustNode(t, canon(n)).Hash() {
			t.Errorf("NewBool(%v) = %s", b, canon(n))
		}
	}
	if NewBool(true).Hash() == NewBool(false).Hash() {
		t.Error("true and false hash the same")
	}
}

func TestNewObject(t *testing.T) {
	one, _ := NewNumber("1")
	two, _ := NewNumber("2")
	keys := []string{"b", "a"}
	vals := []*Node{one, two}
	n, err := NewObject(keys, vals)
	if err != nil {
		t.Fatal(err)
	}
	if canon(n) != `{"a":2,"b":1}` || n.Hash() != mustNode(t, `{"b":1,"a":2}`).Hash() {
		t.Errorf("NewObject = %s", canon(n))
	}
	if !slices.Equal(n.Keys(), []string{"a", "b"}) || n.Values()[0] != two {
		t.Errorf("Keys() = %q", n.Keys())
	}
	empty, err := NewObject(nil, nil)
	if err != nil || canon(empty) != "{}" || empty.Hash() != mustNode(t, "{}").Hash() {
		t.Errorf("NewObject(nil, nil) = %v, %v", empty, err)
	}

	tests := []struct {
		name string
		keys []string
		vals []*Node
	}{
		{"length mismatch", []string{"a"}, nil},
		{"more values", []string{"a"}, []*Node{one, two}},
		{"duplicate key", []string{"a", "b", "a"}, []*Node{one, two, one}},
		{"invalid UTF-8 key", []string{"\xff"}, []*Node{one}},
	}
	for _, tt := range tests {
		if n, err := NewObject(tt.keys, tt.vals); !errors.Is(err, ErrInvalidValue) || n != nil {
			t.Errorf("%s: NewObject = %v, %v; want ErrInvalidValue", tt.name, n, err)
		}
	}
}

func TestWithMemberDoesNotModify(t *testing.T) {
	orig := mustNode(t, `{"a":1,"c":3}`)
	origCanon, origHash := canon(orig), orig.Hash()
	x := mustNode(t, `"x"`)

	tests := []struct {
		name string
		got  func() *Node
		want string
	}{
		{"replace", func() *Node { return orig.WithMember("a", x) }, `{"a":"x","c":3}`},
		{"insert middle", func() *Node { return orig.WithMember("b", x) }, `{"a":1,"b":"x","c":3}`},
		{"insert first", func() *Node { return orig.WithMember("", x) }, `{"":"x","a":1,"c":3}`},
		{"insert last", func() *Node { return orig.WithMember("d", x) }, `{"a":1,"c":3,"d":"x"}`},
		{"remove", func() *Node { n, _ := orig.WithoutMember("a"); return n }, `{"c":3}`},
		{"remove last", func() *Node { n, _ := orig.WithoutMember("c"); return n }, `{"a":1}`},
	}
	for _, tt := range tests {
		n := tt.got()
		if canon(n) != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, canon(n), tt.want)
		}
		if n.Hash() != mustNode(t, tt.want).Hash() {
			t.Errorf("%s: hash differs from the parsed result", tt.name)
		}
		if canon(orig) != origCanon || orig.Hash() != origHash {
			t.Fatalf("%s modified the original: %s", tt.name, canon(orig))
		}
	}
	// Chains of edits must not share and clobber each other's slices.
	a := orig.WithMember("b", x)
	b := orig.WithMember("b", mustNode(t, "null"))
	if canon(a) != `{"a":1,"b":"x","c":3}` || canon(b) != `{"a":1,"b":null,"c":3}` {
		t.Errorf("sibling edits interfere: %s / %s", canon(a), canon(b))
	}
	n, ok := orig.WithoutMember("missing")
	if ok || n != orig {
		t.Errorf("WithoutMember(missing) = %s, %v; want the original, false", canon(n), ok)
	}
	if n, _ := mustNode(t, `{"a":1}`).WithoutMember("a"); canon(n) != "{}" || n.Hash() != mustNode(t, "{}").Hash() {
		t.Errorf("removing the only member = %s", canon(n))
	}
}

func TestEqual(t *testing.T) {
	a := mustNode(t, `{"x":[1,"2",{"y":null}]}`)
	b := mustNode(t, `{ "x" : [ 1 , "2" , { "y" : null } ] }`)
	tests := []struct {
		a, b *Node
		want bool
	}{
		{a, a, true},
		{a, b, true},
		{nil, nil, true},
		{a, nil, false},
		{nil, a, false},
		{a, mustNode(t, `{"x":[1,"2",{"y":false}]}`), false},
		{a, mustNode(t, `{"x":[1.0,"2",{"y":null}]}`), false},
		{a, mustNode(t, `{"x":["1","2",{"y":null}]}`), false},
		{mustNode(t, "[]"), mustNode(t, "{}"), false},
		{mustNode(t, "true"), NewBool(true), true},
		{mustNode(t, "0"), mustNode(t, "-0"), false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	s1, s2 := New(a, nil), New(b, nil)
	if !s1.Equal(s2) || s1.Hash() != s2.Hash() {
		t.Error("Snapshot.Equal of equal documents is false")
	}
	if s1.Equal(mustParse(t, "{}")) {
		t.Error("Snapshot.Equal of different documents is true")
	}
}

// TestEqualDoesNotTrustHash forges a node whose hash collides with another
// value: Equal must still compare the values.
func TestEqualDoesNotTrustHash(t *testing.T) {
	a := mustNode(t, `["a"]`)
	forged := *mustNode(t, `["b"]`)
	forged.hash = a.hash
	if Equal(a, &forged) {
		t.Error("Equal trusted a colliding hash")
	}
	fo := *mustNode(t, `{"k":"b"}`)
	fo.hash = mustNode(t, `{"k":"a"}`).hash
	if Equal(mustNode(t, `{"k":"a"}`), &fo) {
		t.Error("Equal trusted a colliding object hash")
	}
}

func TestNew(t *testing.T) {
	s := New(nil, nil)
	if s.Root().Kind() != Null || string(s.MarshalCanonical()) != "null" || s.Config() != DefaultConfig() {
		t.Errorf("New(nil, nil) = %s", s.MarshalCanonical())
	}
	cfg, _ := NewConfig(WithRules())
	n := mustNode(t, "[1]")
	if s := New(n, cfg); s.Root() != n || s.Config() != cfg || s.Hash() != n.Hash() {
		t.Error("New did not keep its root and config")
	}
}

func TestNodeAccessors(t *testing.T) {
	n := mustNode(t, `{"b":[10,"s",true],"a":{}}`)
	if n.Kind() != Object || n.Len() != 2 || !slices.Equal(n.Keys(), []string{"a", "b"}) {
		t.Fatalf("object accessors: %v %d %q", n.Kind(), n.Len(), n.Keys())
	}
	arr, ok := n.Get("b")
	if !ok || arr.Kind() != Array || arr.Len() != 3 || len(arr.Elems()) != 3 {
		t.Fatalf("Get(b) = %v, %v", arr, ok)
	}
	if arr.Elem(0).Text() != "10" || arr.Elem(1).Text() != "s" || !arr.Elem(2).Bool() {
		t.Error("array elements")
	}
	if _, ok := n.Get("c"); ok {
		t.Error("Get(missing) succeeded")
	}
	if _, ok := arr.Get("b"); ok {
		t.Error("Get on an array succeeded")
	}
	if v, ok := mustNode(t, `"s"`).Get(""); ok || v != nil {
		t.Error("Get on a string succeeded")
	}
	if mustNode(t, "7").Len() != 0 {
		t.Error("Len of a scalar")
	}
}

func TestKindString(t *testing.T) {
	want := map[Kind]string{Null: "null", Bool: "bool", Number: "number", String: "string", Array: "array", Object: "object", Kind(42): "Kind(42)"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", uint8(k), k.String(), s)
		}
	}
}

func TestHashText(t *testing.T) {
	for _, h := range []uint64{0, 1, 0xdeadbeef, math.MaxUint64, mustNode(t, `{"a":1}`).Hash()} {
		s := FormatHash(h)
		if len(s) != 16 {
			t.Errorf("FormatHash(%x) = %q, not 16 digits", h, s)
		}
		got, err := ParseHash(s)
		if err != nil || got != h {
			t.Errorf("ParseHash(%q) = %x, %v; want %x", s, got, err, h)
		}
	}
	if FormatHash(255) != "00000000000000ff" {
		t.Errorf("FormatHash(255) = %s", FormatHash(255))
	}
	for _, s := range []string{"", "ff", "00000000000000fff", "000000000000000g", "+00000000000000f", "0x000000000000ff", "00000000_000000f", " 00000000000000f"} {
		if _, err := ParseHash(s); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParseHash(%q): %v, want ErrInvalidValue", s, err)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	// Parsing and reading shared nodes from many goroutines must be race
	// free (run with -race).
	doc := []byte(`{"containers":[{"Id":"a","Names":["/x"]},{"Id":"b","Names":["/y"]}],"n":1.0}`)
	shared := mustParse(t, string(doc))
	want := string(shared.MarshalCanonical())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				s, err := Parse(doc)
				if err != nil || s.Hash() != shared.Hash() {
					t.Error("parallel parse differs")
					return
				}
				c, _ := shared.Root().Get("containers")
				if _, ok := c.Collection().Lookup("b"); !ok || string(shared.MarshalCanonical()) != want {
					t.Error("shared read differs")
					return
				}
				_ = shared.Root().WithMember("n", NewNull())
				_ = shared.Root().Value()
			}
		})
	}
	wg.Wait()
}
