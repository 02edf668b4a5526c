package link

import (
	"errors"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// newSenderT returns a Sender with a fixed first seq (1 unless given).
func newSenderT(tb testing.TB, opts ...SenderOption) *Sender {
	tb.Helper()
	s, err := NewSender(append([]SenderOption{WithFirstSeq(1)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func newReceiverT(tb testing.TB, st store.Store, opts ...ReceiverOption) *Receiver {
	tb.Helper()
	r, err := NewReceiver(st, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// roundTrip makes snap's frame, delivers it and hands the ack back.
func roundTrip(tb testing.TB, s *Sender, r *Receiver, env string, snap *snapshot.Snapshot) (Outgoing, Ack, error) {
	tb.Helper()
	o, err := s.Next(snap)
	if err != nil {
		tb.Fatal(err)
	}
	ack, rerr := r.Receive(env, o.Seq, o.Frame)
	if err := s.Ack(ack); err != nil {
		tb.Fatal(err)
	}
	return o, ack, rerr
}

func appliedAck(o Outgoing) Ack {
	return Ack{Seq: o.Seq, Root: snapshot.FormatHash(o.Target), Status: StatusApplied}
}

func TestSenderFirstFullThenDeltas(t *testing.T) {
	h := newSimHost(1, 8)
	s := newSenderT(t)
	s0 := h.next(t)
	o, err := s.Next(s0)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Full || o.Base != 0 || o.Target != s0.Hash() || o.Seq != 1 {
		t.Fatalf("first frame: full=%v base=%x target=%x seq=%d", o.Full, o.Base, o.Target, o.Seq)
	}
	if s.Acked() != nil {
		t.Fatal("base before any ack")
	}
	// Unacknowledged: still full.
	if o2, _ := s.Next(s0); !o2.Full || o2.Seq != 2 {
		t.Fatalf("second frame without ack: full=%v seq=%d", o2.Full, o2.Seq)
	}
	if err := s.Ack(appliedAck(o)); err != nil {
		t.Fatal(err)
	}
	if s.Acked() == nil || s.Acked().Hash() != s0.Hash() {
		t.Fatal("ack did not promote the first snapshot")
	}
	s1 := h.next(t)
	o3, err := s.Next(s1)
	if err != nil {
		t.Fatal(err)
	}
	if o3.Full || o3.Base != s0.Hash() || o3.Target != s1.Hash() || o3.Seq != 3 {
		t.Fatalf("frame after ack: full=%v base=%x target=%x seq=%d", o3.Full, o3.Base, o3.Target, o3.Seq)
	}
	if len(o3.Frame) >= len(o.Frame) {
		t.Errorf("delta of %d bytes is not smaller than the full frame of %d", len(o3.Frame), len(o.Frame))
	}
	f, err := codec.Decode(o3.Frame)
	if err != nil || f.Delta == nil || !f.NamesBase(s0.Hash()) || f.Delta.Target != s1.Hash() {
		t.Fatalf("delta frame does not decode to s0→s1: %v", err)
	}
	st := s.Stats()
	if st.Frames != 3 || st.FullFrames != 2 || st.Acks != 1 || st.Bytes != int64(len(o.Frame)*2+len(o3.Frame)) {
		t.Errorf("stats %+v", st)
	}
}

// Without acks every frame is a delta from the same base, carrying all the
// changes since; the Sender holds the base and at most two targets.
func TestSenderCoalesces(t *testing.T) {
	h := newSimHost(2, 8)
	s := newSenderT(t)
	r := newReceiverT(t, store.NewMemory())
	s0 := h.next(t)
	if _, _, err := roundTrip(t, s, r, "e", s0); err != nil {
		t.Fatal(err)
	}
	var last Outgoing
	var snap *snapshot.Snapshot
	for range 50 {
		snap = h.next(t)
		o, err := s.Next(snap)
		if err != nil {
			t.Fatal(err)
		}
		if o.Full || o.Base != s0.Hash() {
			t.Fatalf("seq %d: full=%v base=%x, want a delta from %x", o.Seq, o.Full, o.Base, s0.Hash())
		}
		if len(s.inflight) > maxInFlight {
			t.Fatalf("%d snapshots in flight", len(s.inflight))
		}
		// The target held in flight shares the base's unchanged items.
		baseImages, _ := s.Acked().Root().Get("images")
		flightImages, _ := s.inflight[len(s.inflight)-1].snap.Root().Get("images")
		if baseImages.Elem(0) != flightImages.Elem(0) {
			t.Fatal("the snapshot in flight does not share the base's unchanged nodes")
		}
		last = o
	}
	if s.Acked().Hash() != s0.Hash() {
		t.Fatal("base moved without an ack")
	}
	// Only the last frame arrives: it carries all 50 polls.
	ack, err := r.Receive("e", last.Seq, last.Frame)
	if err != nil || ack.Status != StatusApplied {
		t.Fatalf("coalesced frame: %v %+v", err, ack)
	}
	if err := s.Ack(ack); err != nil {
		t.Fatal(err)
	}
	got, _, err := r.Snapshot("e")
	if err != nil || !got.Equal(snap) || s.Acked().Hash() != snap.Hash() {
		t.Fatalf("after the coalesced frame the two sides differ (%v)", err)
	}
	if len(s.inflight) != 0 {
		t.Errorf("%d snapshots still in flight after the newest was acked", len(s.inflight))
	}
}

func TestSenderAckStatuses(t *testing.T) {
	h := newSimHost(3, 6)
	s0, s1, s2 := h.next(t), h.next(t), h.next(t)
	// setup: s0 acked, s1 in flight (seq 2).
	setup := func(t *testing.T) (*Sender, Outgoing) {
		s := newSenderT(t)
		o, _ := s.Next(s0)
		if err := s.Ack(appliedAck(o)); err != nil {
			t.Fatal(err)
		}
		o1, err := s.Next(s1)
		if err != nil {
			t.Fatal(err)
		}
		return s, o1
	}
	h0, h1 := snapshot.FormatHash(s0.Hash()), snapshot.FormatHash(s1.Hash())
	for _, tc := range []struct {
		name     string
		ack      Ack
		wantBase *snapshot.Snapshot // nil: next frame full
	}{
		{"applied", Ack{Seq: 2, Root: h1, Status: StatusApplied}, s1},
		{"duplicate naming the target", Ack{Seq: 2, Root: h1, Status: StatusDuplicate}, s1},
		{"duplicate naming the base", Ack{Seq: 2, Root: h0, Status: StatusDuplicate}, s0},
		{"applied naming a foreign root", Ack{Seq: 2, Root: "00000000000000aa", Status: StatusApplied}, s0},
		{"unknown base, nothing held", Ack{Status: StatusUnknownBase}, nil},
		{"unknown base, holding another root", Ack{Seq: 9, Root: "00000000000000aa", Status: StatusUnknownBase}, nil},
		{"unknown base, holding our target", Ack{Seq: 2, Root: h1, Status: StatusUnknownBase}, s1},
		{"rejected", Ack{Seq: 1, Root: h0, Status: StatusRejected}, nil},
		{"rejected naming our target", Ack{Seq: 2, Root: h1, Status: StatusRejected}, nil},
		{"server error", Ack{Status: StatusError}, s0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := setup(t)
			if err := s.Ack(tc.ack); err != nil {
				t.Fatal(err)
			}
			o, err := s.Next(s2)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantBase == nil {
				if !o.Full || s.Acked() != nil {
					t.Fatalf("want a full frame, got full=%v base=%x", o.Full, o.Base)
				}
				return
			}
			if o.Full || o.Base != tc.wantBase.Hash() || s.Acked().Hash() != tc.wantBase.Hash() {
				t.Fatalf("want a delta from %x, got full=%v base=%x", tc.wantBase.Hash(), o.Full, o.Base)
			}
		})
	}
}

func TestSenderInvalidAck(t *testing.T) {
	h := newSimHost(4, 4)
	s := newSenderT(t)
	o, _ := s.Next(h.next(t))
	for _, a := range []Ack{
		{Seq: 1, Root: "xyz", Status: StatusApplied},
		{Seq: 1, Root: snapshot.FormatHash(o.Target), Status: "maybe"},
		{Seq: 1 << 40, Root: snapshot.FormatHash(o.Target)},
	} {
		if err := s.Ack(a); !errors.Is(err, ErrInvalidAck) {
			t.Errorf("Ack(%+v) = %v, want ErrInvalidAck", a, err)
		}
	}
	if s.Acked() != nil || s.Seq() != 1 {
		t.Fatal("an invalid ack changed the Sender")
	}
}

func TestSenderSeq(t *testing.T) {
	before := time.Now().UnixMicro()
	s, err := NewSender()
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Next(newSimHost(5, 2).next(t))
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UnixMicro()
	if o.Seq < uint64(before) || o.Seq > uint64(after) {
		t.Errorf("first seq %d not from the clock [%d, %d]", o.Seq, before, after)
	}
	if o.Seq >= 1<<53 {
		t.Errorf("seq %d does not fit a double", o.Seq)
	}
	if clockSeq(time.Unix(0, 0)) != 1 || clockSeq(time.Unix(-5, 0)) != 1 {
		t.Error("a clock at or before 1970 must still give seq 1")
	}
	for _, bad := range []SenderOption{WithFirstSeq(0), WithEncoder(nil)} {
		if _, err := NewSender(bad); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("bad option: %v", err)
		}
	}
	if _, err := s.Next(nil); err == nil {
		t.Error("Next(nil) succeeded")
	}
}

// A restarted agent whose clock went back starts below the seq the server
// holds: the server answers duplicate with its seq, the Sender continues
// above it, and the next frame is applied.
func TestSenderSeqBehindServer(t *testing.T) {
	h := newSimHost(6, 6)
	r := newReceiverT(t, store.NewMemory())
	old := newSenderT(t, WithFirstSeq(1000))
	for range 3 {
		if _, _, err := roundTrip(t, old, r, "e", h.next(t)); err != nil {
			t.Fatal(err)
		}
	}
	restarted := newSenderT(t, WithFirstSeq(5))
	snap := h.next(t)
	o, ack, err := roundTrip(t, restarted, r, "e", snap)
	if err != nil || ack.Status != StatusDuplicate || ack.Seq != 1002 || !o.Full {
		t.Fatalf("behind: %v %+v full=%v", err, ack, o.Full)
	}
	if restarted.Seq() != 1002 {
		t.Fatalf("seq %d after the server said 1002", restarted.Seq())
	}
	o, ack, err = roundTrip(t, restarted, r, "e", snap)
	if err != nil || ack.Status != StatusApplied || o.Seq != 1003 || !o.Full {
		t.Fatalf("second try: %v %+v seq=%d", err, ack, o.Seq)
	}
	got, _, _ := r.Snapshot("e")
	if !got.Equal(snap) || restarted.Acked().Hash() != snap.Hash() {
		t.Fatal("not converged")
	}
}

// A Sender given the snapshot an earlier run had acknowledged starts with a
// delta; when the receiver does not hold that base it falls back to a full
// frame.
func TestSenderWithBase(t *testing.T) {
	h := newSimHost(3, 8)
	s0, s1, s2 := h.next(t), h.next(t), h.next(t)
	r := newReceiverT(t, store.NewMemory())
	first := newSenderT(t)
	if _, _, err := roundTrip(t, first, r, "env", s0); err != nil {
		t.Fatal(err)
	}

	// The restarted agent, from the state it kept.
	s := newSenderT(t, WithFirstSeq(10), WithBase(first.Acked()))
	o, ack, err := roundTrip(t, s, r, "env", s1)
	if err != nil || o.Full || o.Base != s0.Hash() || ack.Status != StatusApplied {
		t.Fatalf("first frame after the restart: full=%v base=%x, ack %+v, %v", o.Full, o.Base, ack, err)
	}

	// A receiver that never saw s0.
	other := newReceiverT(t, store.NewMemory())
	s = newSenderT(t, WithBase(s0))
	o, ack, err = roundTrip(t, s, other, "env", s2)
	if !errors.Is(err, ErrUnknownBase) || o.Full || ack.Status != StatusUnknownBase {
		t.Fatalf("delta to a receiver without the base: full=%v, ack %+v, %v", o.Full, ack, err)
	}
	if o, ack, err = roundTrip(t, s, other, "env", s2); err != nil || !o.Full || ack.Status != StatusApplied {
		t.Fatalf("after unknown-base: full=%v, ack %+v, %v", o.Full, ack, err)
	}

	if _, err := NewSender(WithBase(nil)); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("WithBase(nil): %v", err)
	}
}
