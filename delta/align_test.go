package delta_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
)

// TestArrayAlignment checks that arrays inside a patched value are aligned
// on their elements: one element inserted, removed or changed anywhere
// costs one operation, whatever follows it.
func TestArrayAlignment(t *testing.T) {
	big := func(n int, edit func([]string) []string) string {
		var el []string
		for i := range n {
			el = append(el, fmt.Sprintf(`{"names":["registry.example/app-%d@sha256:%064d"],"sizeBytes":%d}`, i, i, 1000*i))
		}
		return `{"doc":{"x":1,"images":[` + strings.Join(edit(el), ",") + `]}}`
	}
	same := func(el []string) []string { return el }
	tests := []struct {
		name string
		a, b string
		want string // the patch's operations
	}{
		{"insert in the middle", big(30, same), big(30, func(el []string) []string {
			return append(el[:12:12], append([]string{`{"names":["new"],"sizeBytes":7}`}, el[12:]...)...)
		}), `[add /12 {"names":["new"],"sizeBytes":7}]`},
		{"remove in the middle", big(30, same), big(30, func(el []string) []string {
			return append(el[:7:7], el[8:]...)
		}), `[remove /7]`},
		{"insert at the front", big(30, same), big(30, func(el []string) []string {
			return append([]string{`"first"`}, el...)
		}), `[add /0 "first"]`},
		{"append", big(30, same), big(30, func(el []string) []string {
			return append(el, `"last"`)
		}), `[add /30 "last"]`},
		{"change in place", big(30, same), big(30, func(el []string) []string {
			el[20] = strings.Replace(el[20], "20000", "20001", 1)
			return el
		}), `[increment /20/sizeBytes +1]`},
		{"insert one, remove another", big(30, same), big(30, func(el []string) []string {
			el = append(el[:3:3], append([]string{`"new"`}, el[3:]...)...)
			return append(el[:25:25], el[26:]...)
		}), `[add /3 "new", remove /25]`},
		{"moved to the end", big(30, same), big(30, func(el []string) []string {
			return append(append(el[:5:5], el[6:]...), el[5])
		}), `[remove /5, add /29 {"names":["registry.example/app-5@sha256`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := parse(t, tt.a), parse(t, tt.b)
			d, err := roundTrip(a, b, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Edits) != 1 || d.Edits[0].Kind != delta.Patch {
				t.Fatalf("edits:\n%s", describe(d))
			}
			got := describeOps(d.Edits[0].Ops)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("ops = %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestIncrementText covers the increment of a number inside a string, both
// the transform's contract and when Diff chooses it.
func TestIncrementText(t *testing.T) {
	tests := []struct {
		a, b string
		want string // the patch's operations; "" when the op must not be chosen
	}{
		{`"Up 4 minutes"`, `"Up 5 minutes"`, "[increment-text  +1 run 0]"},
		{`"Up 9 minutes"`, `"Up 10 minutes"`, "[increment-text  +1 run 0]"},
		{`"Exited (0) 59 minutes ago"`, `"Exited (0) 61 minutes ago"`, "[increment-text  +2 run 1]"},
		{`"Up 3 hours (healthy)"`, `"Up 2 hours (healthy)"`, "[increment-text  -1 run 0]"},
		{`"Up 4 minutes"`, `"Up About an hour"`, ""},
		{`"Up 04 minutes"`, `"Up 05 minutes"`, ""}, // not canonical: a splice
		{`"a1b2"`, `"a2b3"`, ""}, // two runs changed
		{`"v1.2.3"`, `"v1.2.30"`, "[increment-text  +27 run 2]"},
	}
	for _, tt := range tests {
		a, b := parse(t, `{"s":`+tt.a+`}`), parse(t, `{"s":`+tt.b+`}`)
		d, err := roundTrip(a, b, true)
		if err != nil {
			t.Fatalf("%s -> %s: %v", tt.a, tt.b, err)
		}
		got := ""
		if len(d.Edits) == 1 && d.Edits[0].Kind == delta.Patch {
			got = describeOps(d.Edits[0].Ops)
		}
		isInc := strings.Contains(got, "increment-text")
		if (tt.want == "") == isInc || (tt.want != "" && got != tt.want) {
			t.Errorf("%s -> %s: ops %q, want %q\n%s", tt.a, tt.b, got, tt.want, describe(d))
		}
	}
}
