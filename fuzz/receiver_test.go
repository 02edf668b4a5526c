package fuzz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// The environments of FuzzReceiver: the agent's, and one that only ever
// sees hostile frames and must stay apart.
const (
	envAgent = "env-agent"
	envOther = "env-other"
)

// Script operations of FuzzReceiver, the first byte of each step (mod
// opCount). A script is a byte string, so the fuzzer mutates it freely;
// steps read what they need and a script simply ends where its bytes do.
const (
	opSend      = iota // idx: the Sender's next frame of poll idx, delivered, ack returned
	opLoseFrame        // idx: the frame is made but never arrives
	opLoseAck          // idx: the frame arrives, its ack does not
	opReplay           // seqmode: the last frame again, at another seq
	opFlip             // pos(2) xor seqmode: the last frame with one byte changed
	opCut              // pos(2) seqmode: the last frame cut short
	opRaw              // seqmode len(2) bytes: any frame, to the agent's environment
	opRawOther         // seqmode len(2) bytes: any frame, to the other environment
	opPoll             // len(2) bytes: a new poll parsed from JSON, sent like opSend
	opCount
)

// maxScriptSteps bounds the work of one input.
const maxScriptSteps = 48

// FuzzReceiver drives a link.Receiver on a memory store with a script of
// frames: a real Sender's frames for a set of polls (delivered, lost, acks
// lost, replayed at other seqs, corrupted, cut) interleaved with arbitrary
// (seq, frame) pairs for the agent's and another environment. It checks:
//
//   - nothing panics and every refusal matches a sentinel;
//   - a refused frame or a duplicate changes nothing: the stored record,
//     its history and the Receiver's snapshot and seq are as they were,
//     and the ack names them;
//   - an applied frame moves the environment to exactly what the frame
//     builds (decoded and applied independently) at the frame's seq;
//   - a frame for one environment never changes the other;
//   - the Sender's own frames are never rejected, and once the Receiver
//     applied a fresh one the Sender's acknowledged snapshot is the
//     Receiver's;
//   - at the end the Sender brings the Receiver to its last poll within a
//     few frames, and a Receiver restarted on the store resumes the same
//     snapshots, history included.
func FuzzReceiver(f *testing.F) {
	polls := make([]*snapshot.Snapshot, 8)
	for i := range polls {
		polls[i] = mustParse(f, pollJSON(i))
	}
	dec, err := codec.NewDecoder()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		h := newHarness(t, dec, polls)
		h.run(script)
		h.finish()
	})
}

// harness is one run of FuzzReceiver.
type harness struct {
	t      *testing.T
	dec    *codec.Decoder
	st     *store.Memory
	recv   *link.Receiver
	sender *link.Sender
	polls  []*snapshot.Snapshot
	cur    *snapshot.Snapshot // the Sender's latest poll
	last   *link.Outgoing     // the Sender's latest frame
	script []byte
}

func newHarness(t *testing.T, dec *codec.Decoder, polls []*snapshot.Snapshot) *harness {
	st := store.NewMemory()
	recv, err := link.NewReceiver(st, link.WithDecoder(dec))
	if err != nil {
		t.Fatal(err)
	}
	sender, err := link.NewSender(link.WithFirstSeq(1))
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, dec: dec, st: st, recv: recv, sender: sender, polls: polls[:len(polls):len(polls)]}
}

func (h *harness) next() (byte, bool) {
	if len(h.script) == 0 {
		return 0, false
	}
	b := h.script[0]
	h.script = h.script[1:]
	return b, true
}

func (h *harness) uint16() int {
	hi, _ := h.next()
	lo, _ := h.next()
	return int(hi)<<8 | int(lo)
}

func (h *harness) take(n int) []byte {
	n = min(n, len(h.script))
	b := h.script[:n:n]
	h.script = h.script[n:]
	return b
}

// seq turns a seqmode byte into a seq relative to what env holds: the next
// one, the same (a duplicate), an older one (a late frame), 0, the largest,
// or far ahead.
func (h *harness) seq(env string, mode byte) uint64 {
	held := h.capture(env).seq
	switch mode % 8 {
	case 0, 1, 2:
		return held + 1
	case 3:
		return held
	case 4:
		return held - min(held, uint64(mode>>3))
	case 5:
		return 0
	case 6:
		return math.MaxUint64
	}
	return held + uint64(mode)<<20
}

func (h *harness) run(script []byte) {
	h.script = script
	for step := 0; step < maxScriptSteps; step++ {
		op, ok := h.next()
		if !ok {
			return
		}
		switch op % opCount {
		case opSend, opLoseFrame, opLoseAck:
			idx, _ := h.next()
			h.send(h.polls[int(idx)%len(h.polls)], op%opCount)
		case opPoll:
			doc := h.take(h.uint16())
			if len(doc) > maxFuzzJSON {
				continue
			}
			s, err := snapshot.Parse(doc)
			if err != nil {
				continue
			}
			h.polls = append(h.polls, s)
			h.send(s, opSend)
		case opReplay, opFlip, opCut:
			if h.last == nil {
				continue
			}
			frame := h.last.Frame
			switch op % opCount {
			case opFlip:
				pos := h.uint16() % len(frame)
				x, _ := h.next()
				frame = bytes.Clone(frame)
				frame[pos] ^= max(x, 1)
			case opCut:
				frame = frame[:h.uint16()%len(frame)]
			}
			mode, _ := h.next()
			ack, _ := h.deliver(envAgent, h.seq(envAgent, mode), frame)
			h.ack(ack)
		case opRaw, opRawOther:
			env := envAgent
			if op%opCount == opRawOther {
				env = envOther
			}
			mode, _ := h.next()
			seq := h.seq(env, mode)
			ack, _ := h.deliver(env, seq, h.take(h.uint16()))
			if env == envAgent {
				h.ack(ack)
			}
		}
	}
}

// send makes the Sender's frame for snap and delivers it as op says.
func (h *harness) send(snap *snapshot.Snapshot, op byte) {
	o, err := h.sender.Next(snap)
	if err != nil {
		if h.sender.Seq() == math.MaxUint64 {
			return // a hostile ack lifted the Sender's seq to the top
		}
		h.t.Fatalf("Sender.Next: %v", err)
	}
	h.cur, h.last = snap, &o
	if op == opLoseFrame {
		return
	}
	ack, err := h.deliver(envAgent, o.Seq, o.Frame)
	if ack.Status == link.StatusRejected {
		h.t.Fatalf("the Sender's own frame (seq %d, full %v) was rejected: %v", o.Seq, o.Full, err)
	}
	if op == opLoseAck {
		return
	}
	h.ack(ack)
	if ack.Status != link.StatusApplied {
		return
	}
	held, _, err := h.recv.Snapshot(envAgent)
	if err != nil {
		h.t.Fatal(err)
	}
	acked := h.sender.Acked()
	if acked == nil || acked.Hash() != held.Hash() || !acked.Equal(held) {
		h.t.Fatalf("after an applied frame the Sender acknowledges %.200s, the Receiver holds %.200s", canon(acked), canon(held))
	}
	sameSnapshot(h.t, "applied poll", held, snap)
}

// ack hands the Receiver's answer to the Sender, as the agent would.
func (h *harness) ack(a link.Ack) {
	if err := h.sender.Ack(a); err != nil {
		h.t.Fatalf("Sender.Ack(%+v): %v", a, err)
	}
	// Whatever the Sender acknowledges and the Receiver holds under the
	// same root must be the same snapshot.
	if acked := h.sender.Acked(); acked != nil {
		if held, _, err := h.recv.Snapshot(envAgent); err == nil && held.Hash() == acked.Hash() && !held.Equal(acked) {
			h.t.Fatalf("same root, different snapshots: %.200s vs %.200s", canon(held), canon(acked))
		}
	}
}

// envState is everything a frame might change for one environment.
type envState struct {
	found bool
	rec   store.Record
	hist  []store.Step
	snap  *snapshot.Snapshot
	seq   uint64
}

func (h *harness) capture(env string) envState {
	var s envState
	rec, err := h.st.Load(env)
	switch {
	case err == nil:
		s.found, s.rec = true, rec
		if s.hist, err = h.st.History(env); err != nil {
			h.t.Fatalf("history %q: %v", env, err)
		}
	case !errors.Is(err, store.ErrNotFound):
		h.t.Fatalf("load %q: %v", env, err)
	}
	snap, seq, err := h.recv.Snapshot(env)
	switch {
	case err == nil:
		s.snap, s.seq = snap, seq
	case !errors.Is(err, store.ErrNotFound):
		h.t.Fatalf("snapshot %q: %v", env, err)
	}
	if s.found != (s.snap != nil) || s.found && (s.rec.Seq != s.seq || s.rec.Root != s.snap.Hash()) {
		h.t.Fatalf("%q: the store holds seq %d root %s, the Receiver seq %d %.100s", env, s.rec.Seq, snapshot.FormatHash(s.rec.Root), s.seq, canon(s.snap))
	}
	return s
}

func sameState(a, b envState) bool {
	if a.found != b.found || a.seq != b.seq || len(a.hist) != len(b.hist) {
		return false
	}
	if !a.found {
		return true
	}
	if a.rec.Seq != b.rec.Seq || a.rec.Root != b.rec.Root || !a.rec.Time.Equal(b.rec.Time) || !bytes.Equal(a.rec.Snapshot, b.rec.Snapshot) {
		return false
	}
	for i := range a.hist {
		x, y := a.hist[i], b.hist[i]
		if x.Seq != y.Seq || x.Root != y.Root || x.PrevRoot != y.PrevRoot || !x.Time.Equal(y.Time) || !bytes.Equal(x.Reverse, y.Reverse) {
			return false
		}
	}
	return a.snap.Hash() == b.snap.Hash() && a.snap.Equal(b.snap)
}

func rootOf(s envState) string {
	if s.snap == nil {
		return ""
	}
	return snapshot.FormatHash(s.snap.Hash())
}

// deliver hands one frame to the Receiver and checks what it did.
func (h *harness) deliver(env string, seq uint64, frame []byte) (link.Ack, error) {
	t := h.t
	t.Helper()
	otherEnv := envOther
	if env == envOther {
		otherEnv = envAgent
	}
	before, otherBefore := h.capture(env), h.capture(otherEnv)
	ack, err := h.recv.Receive(env, seq, frame)
	after := h.capture(env)
	if !sameState(otherBefore, h.capture(otherEnv)) {
		t.Fatalf("a frame for %q changed %q", env, otherEnv)
	}
	if ack.Env != env {
		t.Fatalf("ack names environment %q, want %q", ack.Env, env)
	}
	switch {
	case err != nil:
		if !isSentinel(err) {
			t.Fatalf("seq %d: refused with an error matching no sentinel: %v", seq, err)
		}
		if ack.Status != link.StatusRejected && ack.Status != link.StatusUnknownBase || ack.Error == "" {
			t.Fatalf("seq %d refused (%v) with ack %+v", seq, err, ack)
		}
		if !sameState(before, after) {
			t.Fatalf("seq %d: a refused frame (%v) changed the state: seq %d -> %d, root %s -> %s", seq, err, before.seq, after.seq, rootOf(before), rootOf(after))
		}
	case ack.Status == link.StatusDuplicate:
		if seq > before.seq || seq == 0 {
			t.Fatalf("seq %d answered duplicate while seq %d is held", seq, before.seq)
		}
		if !sameState(before, after) {
			t.Fatalf("seq %d: a duplicate changed the state", seq)
		}
	case ack.Status == link.StatusApplied:
		h.checkApplied(env, seq, frame, before, after, ack)
		return ack, nil
	default:
		t.Fatalf("seq %d: ack %+v with no error", seq, ack)
	}
	if ack.Seq != before.seq || ack.Root != rootOf(before) {
		t.Fatalf("seq %d: ack %+v does not name the held seq %d root %q", seq, ack, before.seq, rootOf(before))
	}
	return ack, err
}

// checkApplied checks an applied frame against an independent decode.
func (h *harness) checkApplied(env string, seq uint64, frame []byte, before, after envState, ack link.Ack) {
	t := h.t
	if seq <= before.seq {
		t.Fatalf("seq %d applied over seq %d", seq, before.seq)
	}
	if after.seq != seq || ack.Seq != seq || ack.Root != rootOf(after) {
		t.Fatalf("seq %d applied: ack %+v, the Receiver holds seq %d root %s", seq, ack, after.seq, rootOf(after))
	}
	fr, err := h.dec.Decode(frame)
	if err != nil {
		t.Fatalf("seq %d applied a frame that does not decode: %v", seq, err)
	}
	want := fr.Snapshot
	if fr.Header.Kind != codec.Full { // a delta or (format 8) a patch-from frame
		// A format 4 frame names its base by 32 bits: find the root among
		// those the Receiver held (its snapshot and its history's).
		root, named := uint64(0), false
		if before.snap != nil && fr.NamesBase(before.snap.Hash()) {
			root, named = before.snap.Hash(), true
		}
		for _, st := range before.hist {
			if !named && fr.NamesBase(st.PrevRoot) {
				root, named = st.PrevRoot, true
			}
		}
		if !named {
			t.Fatalf("seq %d applied a delta on %s, not a root the Receiver held", seq, fr.BaseName())
		}
		base, err := h.recv.SnapshotAt(env, root)
		if err != nil {
			t.Fatalf("seq %d applied a delta on %s, which the Receiver does not hold: %v", seq, snapshot.FormatHash(root), err)
		}
		if want, err = fr.Apply(base); err != nil {
			t.Fatalf("seq %d applied a delta that does not apply to its base: %v", seq, err)
		}
	}
	sameSnapshot(t, "applied frame", after.snap, want)
}

// finish lets the Sender catch up with its last poll, then restarts the
// Receiver on the store and checks that it resumes the same state.
func (h *harness) finish() {
	t := h.t
	if h.cur != nil && h.capture(envAgent).seq < math.MaxUint64-8 && h.sender.Seq() < math.MaxUint64-8 {
		// At most: a duplicate (the Sender learns the seq), an unknown
		// base (it learns to send whole), then the full frame.
		for range 4 {
			if held := h.capture(envAgent).snap; held != nil && held.Hash() == h.cur.Hash() &&
				h.sender.Acked() != nil && h.sender.Acked().Hash() == h.cur.Hash() {
				break
			}
			h.send(h.cur, opSend)
		}
		held := h.capture(envAgent).snap
		if held == nil || h.sender.Acked() == nil {
			t.Fatalf("the Sender never caught up: the Receiver holds %.100s, the Sender acknowledges %.100s", canon(held), canon(h.sender.Acked()))
		}
		sameSnapshot(t, "after catching up", held, h.cur)
		sameSnapshot(t, "acknowledged after catching up", h.sender.Acked(), h.cur)
	}
	restarted, err := link.NewReceiver(h.st, link.WithDecoder(h.dec))
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{envAgent, envOther} {
		want := h.capture(env)
		got, seq, err := restarted.Snapshot(env)
		if !want.found {
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("restarted %q: %v, want not found", env, err)
			}
			continue
		}
		if err != nil || seq != want.seq {
			t.Fatalf("restarted %q: seq %d, %v; want seq %d", env, seq, err, want.seq)
		}
		sameSnapshot(t, "restarted", got, want.snap)
		for _, step := range want.hist {
			past, err := restarted.SnapshotAt(env, step.PrevRoot)
			if err != nil || past.Hash() != step.PrevRoot {
				t.Fatalf("restarted %q: snapshot at %s (history seq %d): %v", env, snapshot.FormatHash(step.PrevRoot), step.Seq, err)
			}
		}
	}
}

// Script building, for the seeds.

type scriptBuilder struct{ b []byte }

func (s *scriptBuilder) send(idx int) *scriptBuilder {
	s.b = append(s.b, opSend, byte(idx))
	return s
}

func (s *scriptBuilder) op(op byte, args ...byte) *scriptBuilder {
	s.b = append(append(s.b, op), args...)
	return s
}

func (s *scriptBuilder) raw(op, seqmode byte, frame []byte) *scriptBuilder {
	s.b = append(s.b, op, seqmode)
	s.b = binary.BigEndian.AppendUint16(s.b, uint16(len(frame)))
	s.b = append(s.b, frame...)
	return s
}

func (s *scriptBuilder) poll(doc string) *scriptBuilder {
	s.b = append(s.b, opPoll)
	s.b = binary.BigEndian.AppendUint16(s.b, uint16(len(doc)))
	s.b = append(s.b, doc...)
	return s
}
