package link

import (
	"math/rand/v2"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// chaosCounts is what the lossy link did to a run.
type chaosCounts struct {
	polls, frames, drops, duplicates, late, lostAcks int
	fullFrames, unknownBase, applied, dupAnswers     int
	mismatches                                       int
}

// TestChaos runs a Sender and a Receiver over an in-process link that drops
// 20% of the frames, delivers 10% twice, holds some back to deliver them
// after newer ones, and loses 10% of the acks, and checks at every step that
// the two sides agree on what the receiver holds.
func TestChaos(t *testing.T) {
	polls := 2000
	switch {
	case testing.Short():
		polls = 300
	case chaosUnderRace:
		polls = 500
	}
	t.Run("recent-roots=4", func(t *testing.T) {
		c := runChaos(t, 2025, polls, DefaultRecentRoots)
		if c.fullFrames > 1+polls/50 {
			t.Errorf("%d full frames in %d polls: resyncs should be rare", c.fullFrames, polls)
		}
	})
	// With no past roots kept, every lost ack ends in "unknown base": the
	// recovery path runs often.
	t.Run("recent-roots=1", func(t *testing.T) {
		if c := runChaos(t, 7, polls/4, 1); c.unknownBase == 0 {
			t.Error("the run never hit an unknown base")
		}
	})
}

func runChaos(t *testing.T, seed uint64, polls, recent int) chaosCounts {
	const env = "edge-chaos"
	rng := rand.New(rand.NewPCG(seed, 3))
	host := newSimHost(seed+77, 12)
	st := store.NewMemory(store.WithHistory(4))
	r := newReceiverT(t, st, WithRecentRoots(recent))
	s := newSenderT(t, WithFirstSeq(1_000_000))

	var c chaosCounts
	mismatch := func(format string, args ...any) {
		c.mismatches++
		if c.mismatches <= 10 {
			t.Errorf(format, args...)
		}
	}
	made := map[uint64]int{}                 // root → poll that produced it
	lastApplied := -1                        // poll of the receiver's current root
	snaps := map[uint64]*snapshot.Snapshot{} // root → snapshot, to compare contents

	// deliver hands a frame to the receiver and, unless the ack is lost,
	// the ack to the sender, checking the invariants on both sides. It
	// reports the ack the sender got, if any.
	deliver := func(o Outgoing, loseAck bool) (Ack, bool) {
		c.frames++
		ack, err := r.Receive(env, o.Seq, o.Frame)
		switch ack.Status {
		case StatusApplied:
			c.applied++
		case StatusDuplicate:
			c.dupAnswers++
		case StatusUnknownBase:
			c.unknownBase++
		default:
			mismatch("seq %d: %v %+v", o.Seq, err, ack)
		}
		cur, _, serr := r.Snapshot(env)
		if serr != nil {
			mismatch("seq %d: receiver holds nothing: %v", o.Seq, serr)
			return ack, false
		}
		if ack.Root != snapshot.FormatHash(cur.Hash()) {
			mismatch("seq %d: ack names %s, the receiver holds %x", o.Seq, ack.Root, cur.Hash())
		}
		poll, ok := made[cur.Hash()]
		if !ok || !cur.Equal(snaps[cur.Hash()]) {
			mismatch("seq %d: the receiver holds a snapshot the agent never made", o.Seq)
		}
		if poll < lastApplied {
			mismatch("seq %d: the receiver went back from poll %d to poll %d", o.Seq, lastApplied, poll)
		}
		lastApplied = poll
		if loseAck {
			c.lostAcks++
			return ack, false
		}
		before := s.Acked()
		if err := s.Ack(ack); err != nil {
			mismatch("seq %d: Ack: %v", o.Seq, err)
		}
		if after := s.Acked(); after != nil && after != before {
			// The sender promoted: it must be what the receiver holds.
			if after.Hash() != cur.Hash() || !after.Equal(cur) {
				mismatch("seq %d: sender promoted %x, receiver holds %x", o.Seq, after.Hash(), cur.Hash())
			}
		}
		if base := s.Acked(); base != nil {
			held, err := r.SnapshotAt(env, base.Hash())
			if err != nil || !held.Equal(base) {
				mismatch("seq %d: the sender's base %x is not held by the receiver: %v", o.Seq, base.Hash(), err)
			}
		}
		return ack, true
	}

	type heldBack struct {
		o   Outgoing
		due int
	}
	var late []heldBack
	for poll := range polls {
		snap := host.next(t)
		made[snap.Hash()], snaps[snap.Hash()] = poll, snap
		c.polls++
		// An agent resends at once, in full, when told its base is unknown.
		for try := 0; try < 2; try++ {
			o, err := s.Next(snap)
			if err != nil {
				t.Fatal(err)
			}
			if o.Full {
				c.fullFrames++
			}
			if len(s.inflight) > maxInFlight {
				mismatch("poll %d: %d snapshots in flight", poll, len(s.inflight))
			}
			var ack Ack
			var got bool
			switch x := rng.Float64(); {
			case x < 0.05:
				c.late++
				late = append(late, heldBack{o, poll + 1 + rng.IntN(6)})
			case x < 0.25:
				c.drops++
			default:
				ack, got = deliver(o, rng.Float64() < 0.10)
				if rng.Float64() < 0.10 {
					c.duplicates++
					if a2, ok := deliver(o, rng.Float64() < 0.10); ok {
						ack, got = a2, true
					}
				}
			}
			if !got || ack.Status != StatusUnknownBase {
				break
			}
		}
		// Frames held back arrive now, after newer ones.
		kept := late[:0]
		for _, l := range late {
			if l.due <= poll {
				deliver(l.o, rng.Float64() < 0.10)
			} else {
				kept = append(kept, l)
			}
		}
		late = kept
	}
	for _, l := range late {
		deliver(l.o, false)
	}

	// A final clean round: both sides end on the last snapshot.
	final := host.next(t)
	made[final.Hash()], snaps[final.Hash()] = polls, final
	for try := 0; try < 2; try++ {
		o, err := s.Next(final)
		if err != nil {
			t.Fatal(err)
		}
		if o.Full {
			c.fullFrames++
		}
		if ack, _ := deliver(o, false); ack.Status != StatusUnknownBase {
			break
		}
	}
	got, _, err := r.Snapshot(env)
	if err != nil || !got.Equal(final) || s.Acked() == nil || !s.Acked().Equal(final) {
		mismatch("after the clean round the sides differ: %v", err)
	}
	t.Logf("polls %d, frames delivered %d (applied %d, duplicate answers %d, unknown base %d); dropped %d, duplicated %d, late %d, acks lost %d; full frames %d; checkpoints %d; mismatches %d",
		c.polls, c.frames, c.applied, c.dupAnswers, c.unknownBase, c.drops, c.duplicates, c.late, c.lostAcks,
		c.fullFrames, r.Stats().Checkpoints, c.mismatches)
	return c
}
