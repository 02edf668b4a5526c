package snapshot

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// dockerish returns a Docker-like document whose items vary with state.
func dockerish(n int, state map[int]string) []byte {
	var b strings.Builder
	b.WriteString(`{"time":"t","containers":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Id":"%064d","Names":["/c%d"],"Status":%q,"Labels":{"a":"b","n":%d},"Ports":[{"PrivatePort":80,"Type":"tcp"}]}`, i, i, state[i], i)
	}
	b.WriteString(`],"info":{"NFd":12}}`)
	return []byte(b.String())
}

// TestParseNextEqualsParse: reusing unchanged items must build exactly what
// a fresh parse builds, poll after poll, including items whose text changed
// back to an earlier form and items that moved.
func TestParseNextEqualsParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	state := map[int]string{}
	var prev *Snapshot
	reused := 0
	for range 200 {
		for range 3 {
			state[rng.IntN(40)] = fmt.Sprintf("Up %d minutes", rng.IntN(5))
		}
		n := 30 + rng.IntN(10)
		got := parseNextAsParse(t, dockerish(n, state), prev)
		if prev != nil {
			for _, e := range got.Root().c.kids[0].c.kids {
				for _, f := range prev.Root().c.kids[0].c.kids {
					if e == f {
						reused++
					}
				}
			}
		}
		prev = got
	}
	if reused == 0 {
		t.Fatal("no item was reused")
	}
}

// parseNextAsParse returns ParseNext(data, prev) after checking that it is
// the snapshot Parse builds: same hash, same value, same canonical JSON.
func parseNextAsParse(t *testing.T, data []byte, prev *Snapshot) *Snapshot {
	t.Helper()
	got, err := DefaultConfig().ParseNext(data, prev)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != want.Hash() || !got.Equal(want) || string(got.MarshalCanonical()) != string(want.MarshalCanonical()) {
		t.Fatal("ParseNext differs from Parse")
	}
	return got
}

// TestParseNextInvalid: a text that matches no earlier item is parsed and
// checked as usual, so invalid JSON is still refused with its position.
func TestParseNextInvalid(t *testing.T) {
	prev, err := Parse([]byte(`{"c":[{"Id":"a","v":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{`{"c":[{"Id":"a","v":1]}`, `{"c":[{"Id":"a","v":1}`, `{"c":[{"Id":"a","v":01}]}`, `{"c":[{"Id":"a","v":1}]} x`} {
		if _, err := DefaultConfig().ParseNext([]byte(in), prev); err == nil {
			t.Errorf("ParseNext(%s) accepted invalid JSON", in)
		}
	}
}

func BenchmarkParseNext(b *testing.B) {
	state := map[int]string{}
	base := dockerish(400, state)
	prev, err := Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	state[7] = "Up 9 minutes"
	next := dockerish(400, state)
	b.SetBytes(int64(len(next)))
	b.Run("Parse", func(b *testing.B) {
		b.SetBytes(int64(len(next)))
		for b.Loop() {
			_, _ = Parse(next)
		}
	})
	b.Run("ParseNext", func(b *testing.B) {
		b.SetBytes(int64(len(next)))
		for b.Loop() {
			_, _ = DefaultConfig().ParseNext(next, prev)
		}
	})
}

func TestDepth(t *testing.T) {
	for doc, want := range map[string]int{`1`: 0, `"s"`: 0, `[]`: 1, `{}`: 1, `[1,2]`: 1, `{"a":[]}`: 2, `[[[{"a":{}}]]]`: 5} {
		s, err := Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Root().Depth(); got != want {
			t.Errorf("Depth(%s) = %d, want %d", doc, got, want)
		}
	}
}

// nodeish returns a Kubernetes-node-like list: each item has a heartbeat
// that changes often and a large images list that changes seldom.
func nodeish(beats []int, images [][]int, order []int) []byte {
	var b strings.Builder
	b.WriteString(`{"kind":"NodeList","items":[`)
	for j, i := range order {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"metadata":{"name":"node-%d"},"status":{"conditions":[{"type":"Ready","lastHeartbeatTime":"%d"}],"images":[`, i, beats[i])
		for k, img := range images[i] {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"names":["registry.example/app-%d@sha256:%064d"],"sizeBytes":%d}`, img, img, img*1000)
		}
		b.WriteString(`]}}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// TestParseNextReusesValuesOfChangedItems: inside an item whose text
// changed, a large value whose text did not is the previous poll's node,
// poll after poll, through compaction too; and the result is always what
// Parse builds, whatever moved, was added, removed or changed.
func TestParseNextReusesValuesOfChangedItems(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const nodes = 12
	beats := make([]int, nodes)
	images := make([][]int, nodes)
	for i := range images {
		for k := range 20 {
			images[i] = append(images[i], i*100+k)
		}
	}
	order := make([]int, nodes)
	for i := range order {
		order[i] = i
	}
	imagesOf := func(s *Snapshot, name string) *Node {
		items, _ := s.Root().Get("items")
		for _, it := range items.Elems() {
			md, _ := it.Get("metadata")
			if n, _ := md.Get("name"); n.Text() == name {
				st, _ := it.Get("status")
				im, _ := st.Get("images")
				return im
			}
		}
		return nil
	}
	var prev, kept *Snapshot
	reused, changed := 0, 0
	for poll := range 300 {
		for i := range beats {
			beats[i] += 60
		}
		switch r := rng.IntN(10); {
		case r == 0: // a new image on one node
			i := rng.IntN(nodes)
			images[i] = append(images[i], 10000+poll)
		case r == 1: // one node's images change order
			i := rng.IntN(nodes)
			images[i] = append(images[i][1:], images[i][0])
		case r == 2: // two nodes swap places
			i, j := rng.IntN(len(order)), rng.IntN(len(order))
			order[i], order[j] = order[j], order[i]
		case r == 3 && len(order) > nodes/2: // a node leaves
			order = order[1:]
		case r == 4 && len(order) < nodes: // and comes back first
			order = append([]int{nodeMissing(order, nodes)}, order...)
		}
		got := parseNextAsParse(t, nodeish(beats, images, order), kept)
		if prev != nil {
			for _, i := range order {
				name := fmt.Sprintf("node-%d", i)
				a, b := imagesOf(prev, name), imagesOf(got, name)
				if a != nil && a.Hash() == b.Hash() {
					changed++
					if a == b {
						reused++
					}
				}
			}
		}
		prev = got
		kept = got.CompactSharing(kept)
	}
	// Nodes that left and came back, or moved, may be parsed afresh; most
	// unchanged images lists must be reused.
	if reused < changed*3/4 {
		t.Fatalf("reused %d of %d unchanged images lists inside changed nodes", reused, changed)
	}
}

func nodeMissing(order []int, n int) int {
	for i := range n {
		if !slices.Contains(order, i) {
			return i
		}
	}
	return -1
}

// TestParseNextReusedValueKeepsDepthBound: a large value reused inside a
// changed item counts against the nesting bound where it now sits.
func TestParseNextReusedValueKeepsDepthBound(t *testing.T) {
	deep := strings.Repeat(`[`, 6) + strings.Repeat(`"padding-padding-padding-padding",`, 20) + `1` + strings.Repeat(`]`, 6)
	cfg, err := NewConfig(WithMaxDepth(9))
	if err != nil {
		t.Fatal(err)
	}
	// The list sits two levels down, then three: the item's values with it.
	first := []byte(`{"l":[{"Id":"a","v":1,"big":` + deep + `}]}`)
	second := []byte(`{"x":{"l":[{"Id":"a","v":2,"big":` + deep + `}]}}`)
	prev, err := cfg.Parse(first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Parse(second); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("Parse: %v, want ErrTooDeep", err)
	}
	if _, err := cfg.ParseNext(second, prev); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("ParseNext: %v, want ErrTooDeep", err)
	}
}

// FuzzParseNext: whatever the previous poll was, ParseNext builds what Parse
// builds, or refuses what Parse refuses with the same error, from the
// previous poll as parsed and as kept compact.
func FuzzParseNext(f *testing.F) {
	images := [][]int{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {11, 12, 13, 14, 15, 16, 17, 18, 19, 20}}
	first := nodeish([]int{1, 1}, images, []int{0, 1})
	f.Add(first, nodeish([]int{2, 2}, images, []int{0, 1}))
	f.Add(first, nodeish([]int{2, 2}, images, []int{1, 0}))
	f.Add(first, []byte(strings.Replace(string(nodeish([]int{2, 2}, images, []int{0, 1})), `"sizeBytes":5000`, `"sizeBytes":5000,"sizeBytes":1`, 1)))
	f.Add(first, nodeish([]int{2, 2}, images, []int{1}))
	f.Add(dockerish(3, map[int]string{1: "Up 1 minute"}), dockerish(4, map[int]string{1: "Up 2 minutes"}))
	f.Fuzz(func(t *testing.T, prevDoc, doc []byte) {
		prev, err := Parse(prevDoc)
		if err != nil {
			return
		}
		want, wantErr := Parse(doc)
		for _, base := range []*Snapshot{prev, prev.Compact()} {
			got, err := DefaultConfig().ParseNext(doc, base)
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Fatalf("ParseNext: %v, Parse: %v", err, wantErr)
			}
			if err == nil && (got.Hash() != want.Hash() || string(got.MarshalCanonical()) != string(want.MarshalCanonical())) {
				t.Fatalf("ParseNext builds another value than Parse")
			}
		}
	})
}
