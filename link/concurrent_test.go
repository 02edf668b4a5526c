package link

import (
	"fmt"
	"sync"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// TestReceiverManyEnvironments pushes 1,000 environments through one
// Receiver at once, each from its own goroutine, and checks every one ends
// where its agent is.
func TestReceiverManyEnvironments(t *testing.T) {
	const envs, polls = 1000, 3
	enc, err := codec.NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	r := newReceiverT(t, store.NewMemory())
	// Snapshots are made up front: the generator is not what is tested.
	want := make([][]*snapshot.Snapshot, envs)
	for i := range want {
		h := newSimHost(uint64(i), 2)
		for range polls {
			want[i] = append(want[i], h.next(t))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, envs)
	for i := range envs {
		wg.Go(func() {
			env := fmt.Sprintf("env-%04d", i)
			s, err := NewSender(WithEncoder(enc))
			if err != nil {
				errs <- err
				return
			}
			for p, snap := range want[i] {
				o, err := s.Next(snap)
				if err != nil {
					errs <- err
					return
				}
				if p > 0 && o.Full {
					errs <- fmt.Errorf("%s poll %d: full frame", env, p)
				}
				ack, err := r.Receive(env, o.Seq, o.Frame)
				if err != nil || ack.Status != StatusApplied {
					errs <- fmt.Errorf("%s poll %d: %v %+v", env, p, err, ack)
					return
				}
				if err := s.Ack(ack); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range envs {
		env := fmt.Sprintf("env-%04d", i)
		got, _, err := r.Snapshot(env)
		if err != nil || !got.Equal(want[i][polls-1]) {
			t.Fatalf("%s: %v", env, err)
		}
	}
	if st := r.Stats(); st.Applied != envs*polls || st.Full != envs {
		t.Errorf("stats %+v", st)
	}
}

// Frames of one environment arriving at once (retries racing each other)
// are applied one at a time: each seq once, the newest wins.
func TestReceiverSameEnvironmentConcurrently(t *testing.T) {
	h := newSimHost(31, 6)
	st := store.NewMemory()
	r := newReceiverT(t, st)
	s0 := h.next(t)
	if _, err := r.Receive("e", 1, encodeFull(t, s0)); err != nil {
		t.Fatal(err)
	}
	const n = 16
	snaps := make([]*snapshot.Snapshot, n)
	frames := make([][]byte, n)
	for i := range n {
		snaps[i] = h.next(t)
		frames[i] = encodeDelta(t, s0, snaps[i]) // all from s0: an agent whose acks were lost
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := map[uint64]int{}
	for i := range n {
		for range 3 { // every frame sent three times
			wg.Go(func() {
				ack, err := r.Receive("e", uint64(i+2), frames[i])
				if err != nil && ack.Status != StatusUnknownBase {
					t.Errorf("seq %d: %v", i+2, err)
				}
				if ack.Status == StatusApplied {
					mu.Lock()
					applied[ack.Seq]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for seq, k := range applied {
		if k != 1 {
			t.Errorf("seq %d applied %d times", seq, k)
		}
	}
	got, seq, err := r.Snapshot("e")
	if err != nil {
		t.Fatal(err)
	}
	// Not every frame has to apply (one whose base fell out of the recent
	// roots is refused), but the receiver holds the last applied seq's.
	if !got.Equal(snaps[seq-2]) {
		t.Fatalf("receiver at seq %d does not hold that seq's snapshot", seq)
	}
	rec, err := st.Load("e")
	if err != nil || rec.Seq != seq || rec.Root != got.Hash() {
		t.Fatalf("store at seq %d root %x, receiver at seq %d root %x (%v)", rec.Seq, rec.Root, seq, got.Hash(), err)
	}
}
