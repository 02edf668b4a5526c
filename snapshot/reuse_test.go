package snapshot

import (
	"fmt"
	"math/rand/v2"
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
	for poll := range 200 {
		for range 3 {
			state[rng.IntN(40)] = fmt.Sprintf("Up %d minutes", rng.IntN(5))
		}
		n := 30 + rng.IntN(10)
		data := dockerish(n, state)
		got, err := DefaultConfig().ParseNext(data, prev)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if got.Hash() != want.Hash() || !got.Equal(want) || string(got.MarshalCanonical()) != string(want.MarshalCanonical()) {
			t.Fatalf("poll %d: ParseNext differs from Parse", poll)
		}
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
