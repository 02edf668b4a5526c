package store

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// fullCopy is a toy "reverse delta" codec: the reverse payload is the whole
// previous snapshot.
func fullCopy(_ []byte, st Step) ([]byte, error) { return bytes.Clone(st.Reverse), nil }

func TestRewind(t *testing.T) {
	// Snapshots s1..s4; step i reverses s_i into s_{i-1}.
	cur := Record{Seq: 4, Root: root(4), Snapshot: snap("a", 4)}
	var hist []Step
	for seq := uint64(4); seq >= 2; seq-- {
		hist = append(hist, Step{Seq: seq, Root: root(seq), PrevRoot: root(seq - 1), Reverse: snap("a", seq-1)})
	}
	for seq := uint64(1); seq <= 4; seq++ {
		got, err := Rewind(cur, hist, root(seq), fullCopy)
		if err != nil || !bytes.Equal(got, snap("a", seq)) {
			t.Fatalf("rewind to %d: %q, %v", seq, got, err)
		}
		if &got[0] == &cur.Snapshot[0] {
			t.Fatalf("rewind to %d aliases the current snapshot", seq)
		}
	}

	calls := 0
	counting := func(s []byte, st Step) ([]byte, error) { calls++; return fullCopy(s, st) }
	if _, err := Rewind(cur, hist, 12345, counting); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown root: %v", err)
	}
	if calls != len(hist) {
		t.Fatalf("apply called %d times for a full walk of %d steps", calls, len(hist))
	}

	broken := append([]Step(nil), hist...)
	broken[1].Root = 7
	if _, err := Rewind(cur, broken, root(1), fullCopy); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("broken chain: %v", err)
	}

	boom := errors.New("boom")
	_, err := Rewind(cur, hist, root(2), func([]byte, Step) ([]byte, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("apply error: %v", err)
	}

	identity := func(s []byte, _ Step) ([]byte, error) { return s, nil }
	got, err := Rewind(cur, hist[:1], root(3), identity)
	if err != nil || &got[0] == &cur.Snapshot[0] {
		t.Fatalf("identity apply: aliasing or %v", err)
	}
	if _, err := Rewind(cur, hist, root(3), nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nil apply: %v", err)
	}
	empty := func([]byte, Step) ([]byte, error) { return nil, nil }
	if got, err := Rewind(cur, hist, root(2), empty); err != nil || len(got) != 0 {
		t.Fatalf("empty apply: %q, %v", got, err)
	}
}

// TestRewindFromStore walks a history kept by each implementation.
func TestRewindFromStore(t *testing.T) {
	for _, im := range impls() {
		t.Run(im.name, func(t *testing.T) {
			s := im.open(t, WithHistory(3))
			for seq := uint64(1); seq <= 6; seq++ {
				var st *Step
				if seq > 1 {
					st = &Step{Seq: seq, Root: root(seq), PrevRoot: root(seq - 1), Reverse: snap("a", seq-1)}
				}
				if err := s.Commit("a", rec("a", seq), st); err != nil {
					t.Fatal(err)
				}
			}
			r, hist, err := s.LoadHistory("a")
			if err != nil {
				t.Fatal(err)
			}
			for seq, want := range map[uint64]error{6: nil, 5: nil, 3: nil, 2: ErrNotFound} {
				got, err := Rewind(r, hist, root(seq), fullCopy)
				if !errors.Is(err, want) || (want == nil && !bytes.Equal(got, snap("a", seq))) {
					t.Errorf("rewind to %d: %q, %v", seq, got, err)
				}
			}
		})
	}
}

func ExampleRewind() {
	s := NewMemory()
	defer s.Close()
	// A toy codec: the reverse delta is the whole previous snapshot.
	_ = s.Commit("dc1", Record{Seq: 1, Root: 0xa1, Snapshot: []byte("v1")}, nil)
	_ = s.Commit("dc1", Record{Seq: 2, Root: 0xa2, Snapshot: []byte("v2")},
		&Step{Seq: 2, Root: 0xa2, PrevRoot: 0xa1, Reverse: []byte("v1")})

	cur, hist, _ := s.LoadHistory("dc1")
	old, err := Rewind(cur, hist, 0xa1, func(_ []byte, st Step) ([]byte, error) {
		return fmt.Appendf(nil, "%s", st.Reverse), nil
	})
	fmt.Printf("%s %v\n", old, err)
	// Output: v1 <nil>
}
