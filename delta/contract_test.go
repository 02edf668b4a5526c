package delta_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// keyed returns the single collection edit of d, failing otherwise.
func keyed(t *testing.T, d *delta.Delta) *delta.CollectionEdit {
	t.Helper()
	if len(d.Edits) != 1 || d.Edits[0].Kind != delta.Keyed {
		t.Fatalf("want one collection edit, got:\n%s", describe(d))
	}
	return d.Edits[0].Collection
}

// inserts returns "key@index" for the new items of ce.
func inserts(ce *delta.CollectionEdit) []string {
	var out []string
	for _, it := range ce.Put {
		if it.Index >= 0 {
			out = append(out, fmt.Sprintf("%s@%d", it.Key, it.Index))
		}
	}
	return out
}

// oneSet checks d is a single Set of lit at path.
func oneSet(path []string, lit string) func(*testing.T, *delta.Delta) {
	return func(t *testing.T, d *delta.Delta) {
		t.Helper()
		if len(d.Edits) != 1 {
			t.Fatalf("want one edit, got:\n%s", describe(d))
		}
		e := d.Edits[0]
		// A change between two strings or two numbers may travel as a
		// scalar transform (splice, increment, time shift) when that is
		// smaller; the round trip has already proved it rebuilds lit.
		if e.Kind == delta.Patch && len(e.Ops) == 1 && !e.Ops[0].Kind.IsRFC6902() && slices.Equal(e.Path, path) {
			return
		}
		if e.Kind != delta.Set || !slices.Equal(e.Path, path) {
			t.Fatalf("edit %s %q, want set %q", e.Kind, e.Path, path)
		}
		if got := string(snapshot.AppendCanonical(nil, e.Value)); got != lit {
			t.Fatalf("set value %s, want %s", got, lit)
		}
	}
}

// oneOp checks d is a single patch at path made of one operation of kind k.
func oneOp(path []string, k delta.OpKind) func(*testing.T, *delta.Delta) {
	return func(t *testing.T, d *delta.Delta) {
		t.Helper()
		if len(d.Edits) != 1 || d.Edits[0].Kind != delta.Patch || !slices.Equal(d.Edits[0].Path, path) ||
			len(d.Edits[0].Ops) != 1 || d.Edits[0].Ops[0].Kind != k {
			t.Fatalf("want one %s at %q, got:\n%s", k, path, describe(d))
		}
	}
}

func nest(depth int, open, close, leaf string) string {
	return strings.Repeat(open, depth) + leaf + strings.Repeat(close, depth)
}

func TestDiffContracts(t *testing.T) {
	bigItem := func(id, extra string) string {
		return fmt.Sprintf(`{"Id":%q,"/":{"~":%s},"Labels":{%s}}`, id, extra, labels(40))
	}
	tests := []struct {
		name  string
		a, b  string
		check func(*testing.T, *delta.Delta)
	}{
		{name: "number literal 1.0 to 1.00", a: `{"n":1.0}`, b: `{"n":1.00}`, check: oneSet([]string{"n"}, "1.00")},
		{name: "number 1e400", a: `{"n":1e400}`, b: `{"n":1e401}`, check: oneSet([]string{"n"}, "1e401")},
		{name: "number 1E5 to 1e5", a: `{"n":1E5}`, b: `{"n":1e5}`, check: oneSet([]string{"n"}, "1e5")},
		{name: "number -0 to 0", a: `{"n":-0}`, b: `{"n":0}`, check: oneSet([]string{"n"}, "0")},
		// Both are the same float64; only the literal tells them apart.
		{name: "20-digit integers", a: `{"n":12345678901234567890}`, b: `{"n":12345678901234567891}`, check: oneSet([]string{"n"}, "12345678901234567891")},
		{name: "number in a positional array", a: `[1.0,2,3,4,5,6,7,8]`, b: `[1.00,2,3,4,5,6,7,8]`},
		{name: "string escapes and NUL", a: `{"s":"a\"b\\c\n\u0000"}`, b: `{"s":"a\"b\\c\n\u0000d"}`, check: oneSet([]string{"s"}, `"a\"b\\c\n\u0000d"`)},
		{name: "string emoji and separators", a: `{"s":"😀\u2028"}`, b: `{"s":"😀😀\u2029"}`, check: oneSet([]string{"s"}, "\"😀😀\u2029\"")},
		{name: "escaped and raw string equal", a: `{"s":"\u00e9\/"}`, b: `{"s":"é/"}`, check: func(t *testing.T, d *delta.Delta) {
			if !d.Empty() {
				t.Fatalf("same string written two ways gives a delta:\n%s", describe(d))
			}
		}},
		{name: "keys slash tilde empty", a: `{"/":1,"~":2,"":3,"~1":4}`, b: `{"/":5,"~":6,"":7,"~1":8}`, check: func(t *testing.T, d *delta.Delta) {
			var got []string
			for _, e := range d.Edits {
				got = append(got, delta.PathString(e.Path))
			}
			slices.Sort(got)
			if want := []string{"/", "/~0", "/~01", "/~1"}; !slices.Equal(got, want) {
				t.Fatalf("edit paths %q, want %q", got, want)
			}
		}},
		{name: "key NUL and unicode", a: `{"\u0000":{"é":1,"x":[1,2]}}`, b: `{"\u0000":{"é":2,"x":[1,2]}}`, check: oneSet([]string{"\x00", "é"}, "2")},
		{name: "keys in an item patch", a: `{"c":[` + bigItem("x", "1") + `]}`, b: `{"c":[` + bigItem("x", "2") + `]}`, check: func(t *testing.T, d *delta.Delta) {
			ce := keyed(t, d)
			if len(ce.Patch) != 1 || len(ce.Patch[0].Ops) != 1 || ce.Patch[0].Ops[0].Path != "/~1/~0" {
				t.Fatalf("want one patch at /~1/~0, got:\n%s", describe(d))
			}
		}},
		{name: "root array", a: `[1,2,3]`, b: `[1,2,3,4]`},
		{name: "root scalar", a: `1`, b: `2`, check: oneSet([]string{}, "2")},
		{name: "root string to null", a: `"s"`, b: `null`, check: oneSet([]string{}, "null")},
		{name: "root bool", a: `true`, b: `false`, check: oneSet([]string{}, "false")},
		{name: "root object to array", a: `{"a":1}`, b: `[1]`, check: oneSet([]string{}, "[1]")},
		{name: "root empty array to empty object", a: `[]`, b: `{}`, check: oneSet([]string{}, "{}")},
		{name: "root null to object", a: `null`, b: `{"a":[]}`},
		{name: "root keyed array", a: `[{"Id":"a"},{"Id":"b"}]`, b: `[{"Id":"b"},{"Id":"c"}]`, check: func(t *testing.T, d *delta.Delta) {
			ce := keyed(t, d)
			if len(d.Edits[0].Path) != 0 || !slices.Equal(ce.RemoveAt, []int{0}) || !slices.Equal(inserts(ce), []string{"c@1"}) || ce.Order != nil {
				t.Fatalf("got:\n%s", describe(d))
			}
		}},
		{name: "member type change", a: `{"a":{"b":1},"c":[1]}`, b: `{"a":[{"b":1}],"c":"1"}`},
		{name: "nesting 1000 objects", a: nest(1000, `{"a":`, `}`, "1"), b: nest(1000, `{"a":`, `}`, "2")},
		{name: "nesting 1000 arrays", a: nest(1000, `[`, `]`, "1"), b: nest(1000, `[`, `]`, "2")},
		{name: "nesting 1000 mixed", a: nest(500, `{"":[`, `]}`, `"x"`), b: nest(500, `{"":[`, `]}`, `"y"`)},
		{name: "nesting 1000 arrays, item added deep", a: nest(1000, `[`, `]`, "1"), b: nest(999, `[`, `]`, "[1,2]")},
		{name: "duplicate identities stay positional", a: `{"c":[{"Id":"a","v":1},{"Id":"a","v":2}]}`, b: `{"c":[{"Id":"a","v":1},{"Id":"a","v":3}]}`, check: noKeyed},
		{name: "identity becomes duplicate", a: `{"c":[{"Id":"a","v":1},{"Id":"b","v":2}]}`, b: `{"c":[{"Id":"a","v":1},{"Id":"a","v":2}]}`, check: noKeyed},
		{name: "duplicate becomes identity", a: `{"c":[{"Id":"a","v":1},{"Id":"a","v":2}]}`, b: `{"c":[{"Id":"a","v":1},{"Id":"b","v":2}]}`, check: noKeyed},
		{name: "identity lost", a: `{"c":[{"Id":"a"},{"Id":"b"}]}`, b: `{"c":[{"Id":"a"},{"id":"b"}]}`, check: noKeyed},
		{name: "number and string identity collide", a: `{"c":[{"Id":1},{"Id":"2"}]}`, b: `{"c":[{"Id":1},{"Id":"1"}]}`, check: noKeyed},
		{name: "identity number to string", a: `{"c":[{"Id":1,"v":"x"}]}`, b: `{"c":[{"Id":"1","v":"x"}]}`},
		{name: "item replaced by same key", a: `{"c":[{"Id":"x","a":1,"b":2},{"Id":"y"}]}`, b: `{"c":[{"Id":"x","z":[1,2,3],"q":"new"},{"Id":"y"}]}`, check: func(t *testing.T, d *delta.Delta) {
			ce := keyed(t, d)
			replaced := len(ce.Put) == 1 && ce.Put[0].Key == "x" && ce.Put[0].Index == -1 && len(ce.Patch) == 0
			patched := len(ce.Patch) == 1 && ce.Patch[0].Key == "x" && len(ce.Put) == 0
			if !(replaced || patched) || len(ce.Remove)+len(ce.RemoveAt) != 0 || ce.Order != nil {
				t.Fatalf("want x replaced or patched in place, got:\n%s", describe(d))
			}
		}},
		{name: "items reordered", a: `{"c":[{"Id":"a"},{"Id":"b"},{"Id":"c"}]}`, b: `{"c":[{"Id":"c"},{"Id":"a"},{"Id":"b"}]}`, check: func(t *testing.T, d *delta.Delta) {
			ce := keyed(t, d)
			if !slices.Equal(ce.Order, []int{2, 0, 1}) || len(ce.Put)+len(ce.Remove)+len(ce.RemoveAt)+len(ce.Patch) != 0 {
				t.Fatalf("want order [2 0 1] alone, got:\n%s", describe(d))
			}
		}},
		{name: "items swapped and one added", a: `{"c":[{"Id":"a"},{"Id":"b"}]}`, b: `{"c":[{"Id":"n"},{"Id":"b"},{"Id":"a"}]}`, check: func(t *testing.T, d *delta.Delta) {
			ce := keyed(t, d)
			if ce.Order == nil || !slices.Equal(inserts(ce), []string{"n@0"}) {
				t.Fatalf("want n inserted and an order, got:\n%s", describe(d))
			}
		}},
		{name: "additions at front (docker newest first)", a: `{"c":[{"Id":"a","S":"up"},{"Id":"b"}]}`, b: `{"c":[{"Id":"d"},{"Id":"c"},{"Id":"a","S":"up"},{"Id":"b"}]}`, check: func(t *testing.T, d *delta.Delta) {
			ce := keyed(t, d)
			if ce.Order != nil || !slices.Equal(inserts(ce), []string{"d@0", "c@1"}) || len(ce.Remove)+len(ce.RemoveAt)+len(ce.Patch) != 0 || len(ce.Put) != 2 {
				t.Fatalf("want d@0 c@1 and nothing else, got:\n%s", describe(d))
			}
		}},
		{name: "additions in the middle (kubernetes sorted)", a: k8sList("a", "c", "e"), b: k8sList("a", "b", "c", "d", "e", "f"), check: func(t *testing.T, d *delta.Delta) {
			ce := keyed(t, d)
			if ce.Rule != "metadata.namespace+metadata.name" || ce.Order != nil || !slices.Equal(inserts(ce), []string{"ns\x00b@1", "ns\x00d@3", "ns\x00f@5"}) {
				t.Fatalf("want b@1 d@3 f@5 by namespace+name, got:\n%s", describe(d))
			}
		}},
		{name: "removals at front and middle", a: `{"c":[{"Id":"a"},{"Id":"b"},{"Id":"c"},{"Id":"d"}]}`, b: `{"c":[{"Id":"b"},{"Id":"d"}]}`, check: func(t *testing.T, d *delta.Delta) {
			ce := keyed(t, d)
			if ce.Order != nil || !slices.Equal(ce.RemoveAt, []int{0, 2}) || len(ce.Put)+len(ce.Patch) != 0 {
				t.Fatalf("want a and c removed alone, got:\n%s", describe(d))
			}
		}},
		{name: "collection grows from empty", a: `{"c":[]}`, b: `{"c":[{"Id":"a"},{"Id":"b"}]}`, check: func(t *testing.T, d *delta.Delta) {
			if ce := keyed(t, d); !slices.Equal(inserts(ce), []string{"a@0", "b@1"}) {
				t.Fatalf("got:\n%s", describe(d))
			}
		}},
		{name: "collection empties", a: `{"c":[{"Id":"a"},{"Id":"b"}]}`, b: `{"c":[]}`, check: func(t *testing.T, d *delta.Delta) {
			if ce := keyed(t, d); !slices.Equal(ce.RemoveAt, []int{0, 1}) {
				t.Fatalf("got:\n%s", describe(d))
			}
		}},
		{name: "collection changes rule", a: `{"c":[{"Id":"a","Name":"x"},{"Id":"b","Name":"y"}]}`, b: `{"c":[{"Name":"x"},{"Name":"y"}]}`},
		{name: "uid-keyed list", a: `{"items":[{"metadata":{"uid":"u1","name":"a"}},{"metadata":{"uid":"u2","name":"a"}}]}`, b: `{"items":[{"metadata":{"uid":"u2","name":"a"}},{"metadata":{"uid":"u3","name":"a"}}]}`, check: func(t *testing.T, d *delta.Delta) {
			if ce := keyed(t, d); ce.Rule != "metadata.uid" || !slices.Equal(ce.RemoveAt, []int{0}) || !slices.Equal(inserts(ce), []string{"u3@1"}) {
				t.Fatalf("got:\n%s", describe(d))
			}
		}},
		// Format 2 scalar transforms: the cheapest description that
		// rebuilds the value exactly, or a whole value.
		{name: "resourceVersion counted up", a: `{"rv":"12345"}`, b: `{"rv":"12346"}`, check: oneOp([]string{"rv"}, delta.OpIncrement)},
		{name: "integer counted down", a: `{"n":41}`, b: `{"n":-7}`, check: oneOp([]string{"n"}, delta.OpIncrement)},
		{name: "kubernetes timestamp", a: `{"t":"2021-08-17T10:00:00Z"}`, b: `{"t":"2021-08-17T10:01:00Z"}`, check: oneOp([]string{"t"}, delta.OpShiftTime)},
		{name: "timestamp with offset and nanoseconds", a: `{"t":"2023-11-14T22:13:20.123456789+01:00"}`, b: `{"t":"2023-11-14T22:14:20.5+01:00"}`},
		{name: "timestamp changes zone", a: `{"t":"2023-11-14T22:13:20Z"}`, b: `{"t":"2023-11-14T23:13:20+01:00"}`},
		{name: "timestamp to text", a: `{"t":"2023-11-14T22:13:20Z"}`, b: `{"t":"2023-11-14 22:13:20"}`},
		{name: "docker status", a: `{"s":"Up 3 minutes (healthy)"}`, b: `{"s":"Up 4 minutes (healthy)"}`, check: oneOp([]string{"s"}, delta.OpIncrementText)},
		{name: "docker status in words", a: `{"s":"Up 59 minutes (healthy)"}`, b: `{"s":"Up About an hour (healthy)"}`, check: oneOp([]string{"s"}, delta.OpSplice)},
		{name: "splice next to a two-byte rune", a: `{"s":"caf\u00e9 ouvert"}`, b: `{"s":"caf\u00e8 ouvert"}`},
		{name: "splice next to an emoji", a: `{"s":"\ud83d\ude00 ok"}`, b: `{"s":"\ud83d\ude01 ok"}`},
		{name: "splice of NUL bytes", a: `{"s":"a\u0000\u0000b"}`, b: `{"s":"a\u0000b"}`},
		{name: "int64 wraps", a: `{"n":9223372036854775807}`, b: `{"n":-9223372036854775808}`},
		{name: "past int64", a: `{"n":9223372036854775807}`, b: `{"n":9223372036854775808}`},
		{name: "integer to -0", a: `{"n":1}`, b: `{"n":-0}`},
		{name: "leading zeros in a string", a: `{"s":"007"}`, b: `{"s":"008"}`},
		{name: "number to numeric string", a: `{"n":12}`, b: `{"n":"13"}`},
		{name: "scalar change inside an item", a: `{"c":[{"Id":"x","rv":"99","t":"2021-08-17T10:00:00Z","s":"Up 1 minute"}]}`, b: `{"c":[{"Id":"x","rv":"100","t":"2021-08-17T10:00:30Z","s":"Up 2 minutes"}]}`},
		{name: "keyed items with special keys", a: `{"c":[{"Id":"/"},{"Id":"~"},{"Id":""}]}`, b: `{"c":[{"Id":"","x":1},{"Id":"/"},{"Id":"\u0000"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := parse(t, tt.a), parse(t, tt.b)
			d, err := roundTrip(a, b, true)
			if err != nil {
				t.Fatalf("%v\n%s", err, describeOrNil(d))
			}
			if _, err := roundTrip(b, a, true); err != nil {
				t.Fatalf("reverse: %v", err)
			}
			got, err := delta.Apply(a, d)
			if err != nil {
				t.Fatal(err)
			}
			// The rebuilt JSON is the target's canonical JSON, byte for byte.
			if c, want := string(got.MarshalCanonical()), string(b.MarshalCanonical()); c != want {
				t.Fatalf("rebuilt %.200s, want %.200s", c, want)
			}
			if tt.check != nil {
				tt.check(t, d)
			}
		})
	}
}

func describeOrNil(d *delta.Delta) string {
	if d == nil {
		return "<no delta>"
	}
	return describe(d)
}

func noKeyed(t *testing.T, d *delta.Delta) {
	t.Helper()
	for _, e := range d.Edits {
		if e.Kind == delta.Keyed {
			t.Fatalf("array without unique identities diffed by key:\n%s", describe(d))
		}
	}
}

func labels(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"org.example.label-%03d":"some value number %d"`, i, i)
	}
	return strings.Join(parts, ",")
}

// k8sList renders a List whose items, in namespace "ns", have no uid.
func k8sList(names ...string) string {
	items := make([]string, len(names))
	for i, n := range names {
		items[i] = fmt.Sprintf(`{"metadata":{"namespace":"ns","name":%q},"status":{"phase":"Running"}}`, n)
	}
	return `{"kind":"List","items":[` + strings.Join(items, ",") + `]}`
}

// TestDiffDeepDocuments: documents at the parser's nesting limit, and deep
// ones built to make a diff expensive, must diff and apply like any other.
// (Before Diff stopped handing deep values to jsondiff, whose cost grows
// with size times depth, the "siblings" case took seconds, and minutes at
// the nesting limit.)
func TestDiffDeepDocuments(t *testing.T) {
	depth := snapshot.DefaultConfig().MaxDepth()
	sibling := `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9},`
	tests := []struct {
		name string
		a, b string
	}{
		{"arrays at the limit", nest(depth, `[`, `]`, "1"), nest(depth, `[`, `]`, "2")},
		{"objects at the limit", nest(depth, `{"a":`, `}`, "1"), nest(depth, `{"a":`, `}`, "2")},
		{"arrays with siblings", nest(3000, `[`+sibling, `]`, "1"), nest(3000, `[`+sibling, `]`, "2")},
		{"objects changed at every level", nest(3000, `{"x":1,"a":`, `}`, "1"), nest(3000, `{"x":2,"a":`, `}`, "2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := roundTrip(parse(t, tt.a), parse(t, tt.b), true); err != nil {
				t.Fatal(err)
			}
		})
	}
}
