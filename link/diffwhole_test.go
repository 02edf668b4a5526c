package link

import (
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

func parseT(tb testing.TB, s string) *snapshot.Snapshot {
	tb.Helper()
	snap, err := snapshot.Parse([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// ownWalk reports whether d is made of whole values only, as
// delta.DiffWhole promises: no patch anywhere.
func ownWalk(d *delta.Delta) bool {
	for _, e := range d.Edits {
		if e.Kind == delta.Patch || (e.Collection != nil && len(e.Collection.Patch) > 0) {
			return false
		}
	}
	return true
}

func TestWholeDiff(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		edits      int
	}{
		{"same", `{"a":1}`, `{"a":1}`, 0},
		{"member changed", `{"a":1,"b":{"c":"x","d":2}}`, `{"a":1,"b":{"c":"y","d":2}}`, 1},
		{"member added and removed", `{"a":1,"b":2}`, `{"a":1,"c":3}`, 2},
		{"kind change", `{"a":{"x":1}}`, `{"a":[1,2]}`, 1},
		{"root scalar", `1`, `"one"`, 1},
		{"root array", `[1,2,3]`, `[1,2]`, 1},
		{"positional array", `{"a":[1,2,3]}`, `{"a":[1,3,2]}`, 1},
		{"item changed", `{"c":[{"Id":"a","v":1},{"Id":"b","v":1}]}`, `{"c":[{"Id":"a","v":1},{"Id":"b","v":2}]}`, 1},
		{"item removed", `{"c":[{"Id":"a"},{"Id":"b"},{"Id":"c"}]}`, `{"c":[{"Id":"a"},{"Id":"c"}]}`, 1},
		{"items inserted", `{"c":[{"Id":"b"}]}`, `{"c":[{"Id":"a"},{"Id":"b"},{"Id":"c"}]}`, 1},
		{"reordered", `{"c":[{"Id":"a"},{"Id":"b"},{"Id":"c"}]}`, `{"c":[{"Id":"c"},{"Id":"a"},{"Id":"b"}]}`, 1},
		{"reordered, removed and inserted", `{"c":[{"Id":"a"},{"Id":"b","v":1},{"Id":"c"},{"Id":"d"}]}`, `{"c":[{"Id":"e"},{"Id":"c"},{"Id":"b","v":2},{"Id":"f"},{"Id":"a"}]}`, 1},
		{"emptied", `{"c":[{"Id":"a"},{"Id":"b"}]}`, `{"c":[]}`, 1},
		{"from empty", `{"c":[]}`, `{"c":[{"Id":"a"},{"Id":"b"}]}`, 1},
		{"keys repeat in the result", `{"c":[{"Id":"a"},{"Id":"b"}]}`, `{"c":[{"Id":"a"},{"Id":"a"}]}`, 1},
		{"nested collections", `{"x":{"c":[{"Id":"a","n":[{"id":1},{"id":2}]}]}}`, `{"x":{"c":[{"Id":"a","n":[{"id":2},{"id":1}]}]}}`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dir := range []struct{ from, to string }{{tc.a, tc.b}, {tc.b, tc.a}} {
				a, b := parseT(t, dir.from), parseT(t, dir.to)
				d, err := delta.DiffWhole(a, b)
				if err != nil {
					t.Fatal(err)
				}
				got, err := delta.Apply(a, d)
				if err != nil || !got.Equal(b) {
					t.Fatalf("%s → %s: apply: %v", dir.from, dir.to, err)
				}
				if !ownWalk(d) {
					t.Errorf("%s → %s: a patch in a whole-value delta", dir.from, dir.to)
				}
				if len(d.Edits) != tc.edits {
					t.Errorf("%s → %s: %d edits, want %d", dir.from, dir.to, len(d.Edits), tc.edits)
				}
			}
		})
	}
}

// Every pair of polls of the simulated host, both ways.
func TestWholeDiffSimulated(t *testing.T) {
	h := newSimHost(41, 15)
	var snaps []*snapshot.Snapshot
	for range 60 {
		snaps = append(snaps, h.next(t))
	}
	for i := 1; i < len(snaps); i++ {
		for _, pair := range [][2]*snapshot.Snapshot{{snaps[i-1], snaps[i]}, {snaps[i], snaps[0]}, {snaps[0], snaps[i]}} {
			d, err := delta.DiffWhole(pair[0], pair[1])
			if err != nil {
				t.Fatal(err)
			}
			got, err := delta.Apply(pair[0], d)
			if err != nil || !got.Equal(pair[1]) || !ownWalk(d) {
				t.Fatalf("poll %d: %v (own walk %v)", i, err, ownWalk(d))
			}
		}
	}
}
