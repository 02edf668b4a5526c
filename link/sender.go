package link

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// maxInFlight is how many unacknowledged snapshots a Sender remembers. Each
// frame is diffed against the acknowledged base, so the receiver can only be
// at the base or at the target of one of the recent frames; two covers a
// lost ack followed by one more poll, and older targets are superseded.
const maxInFlight = 2

// Outgoing is one frame to send.
type Outgoing struct {
	Seq    uint64 // strictly increasing per Sender; the receiver applies each seq at most once
	Frame  []byte // the encoded frame (codec format)
	Full   bool   // a full frame, not a delta
	Base   uint64 // root the delta applies to; 0 for full frames
	Target uint64 // root of the snapshot the frame rebuilds
}

// SenderStats counts a Sender's frames since it was made.
type SenderStats struct {
	Frames     int   // frames made by Next
	FullFrames int   // of which full frames
	Bytes      int64 // their total size
	Acks       int   // acks that moved the base
}

// SenderOption configures a Sender.
type SenderOption func(*Sender) error

// WithEncoder sets the Encoder used for frames (default: one shared by all
// Senders and Receivers of the process made without this option).
func WithEncoder(e *codec.Encoder) SenderOption {
	return func(s *Sender) error {
		if e == nil {
			return fmt.Errorf("link: nil encoder: %w", ErrInvalidOption)
		}
		s.enc = e
		return nil
	}
}

// WithFirstSeq sets the seq of the Sender's first frame (at least 1). The
// default is the wall clock in microseconds; see Sender for why.
func WithFirstSeq(seq uint64) SenderOption {
	return func(s *Sender) error {
		if seq == 0 {
			return fmt.Errorf("link: first seq 0: %w", ErrInvalidOption)
		}
		s.seq = seq - 1
		return nil
	}
}

// WithBase starts the Sender from base, a snapshot the receiver is
// believed to hold: the Acked snapshot of an agent's previous run, kept
// across a restart. Its first frame is then a delta against base instead
// of a full frame (12 KB to 380 KB on the simulated workloads). Should the
// receiver not hold base, it answers unknown-base, the Sender falls back to
// a full frame, and the Agent sends it in the same poll.
func WithBase(base *snapshot.Snapshot) SenderOption {
	return func(s *Sender) error {
		if base == nil {
			return fmt.Errorf("link: nil base: %w", ErrInvalidOption)
		}
		s.base = base.Compact()
		return nil
	}
}

// Sender is the agent side of the link: it turns each polled snapshot into
// a frame for the receiver. It holds the last snapshot the receiver
// acknowledged (the base) and diffs every new snapshot against it, so polls
// whose frames were lost coalesce into one delta and memory does not grow
// with the number of lost polls: the Sender keeps the base plus at most the
// last two unacknowledged targets, sharing their unchanged nodes, all in
// compact form (snapshot.Snapshot.Compact). It sends a full frame when it has no base: first,
// after the receiver answered that it does not hold the base, or after a
// rejected frame. The base only moves when an Ack names a root the Sender
// sent, so the Sender never diffs against a snapshot the receiver may not
// hold.
//
// # Sequence numbers
//
// Each frame carries a seq, one more than the previous frame's; the
// receiver applies a seq only if it is above the last one it applied, which
// makes retries, duplicates and late frames harmless. A Sender keeps no
// state across restarts, so its first seq is taken from the wall clock in
// microseconds (WithFirstSeq overrides it): a restarted agent starts above
// any seq it used before, as long as it made fewer than one frame per
// microsecond, and its first frame (full, unless WithBase gave it a base) is
// applied.
// Microseconds keep seqs below 2^53 until the year 2255, so they survive
// JSON tooling that reads numbers as doubles. Should the clock have gone
// back, the receiver answers "duplicate" with its higher seq and the Sender
// continues above it, so the frame after that is applied.
//
// A Sender is not safe for concurrent use: it serves one agent loop.
type Sender struct {
	enc      *codec.Encoder
	seq      uint64             // seq of the last frame made
	base     *snapshot.Snapshot // acknowledged; nil when the next frame must be full
	inflight []flight           // unacknowledged targets, oldest first
	stats    SenderStats
}

type flight struct {
	seq  uint64
	snap *snapshot.Snapshot
}

// NewSender returns a Sender whose first frame is full, unless WithBase
// gives it a base.
func NewSender(opts ...SenderOption) (*Sender, error) {
	s := &Sender{seq: clockSeq(time.Now()) - 1}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.enc == nil {
		enc, err := sharedEncoder()
		if err != nil {
			return nil, err
		}
		s.enc = enc
	}
	return s, nil
}

// clockSeq is the default first seq: microseconds since 1970, at least 1.
func clockSeq(t time.Time) uint64 {
	return uint64(max(t.UnixMicro(), 1))
}

var sharedEncoder = sync.OnceValues(func() (*codec.Encoder, error) { return codec.NewEncoder() })

var sharedDecoder = sync.OnceValues(func() (*codec.Decoder, error) { return codec.NewDecoder() })

// sharedStoreEncoder writes what a Receiver stores (checkpoints, reverse
// deltas). The fastest zstd level: on snapshots it makes frames within a few
// bytes of the default level's at a fraction of the time, and a server
// encodes on every poll of every agent where an agent encodes once a minute.
var sharedStoreEncoder = sync.OnceValues(func() (*codec.Encoder, error) {
	return codec.NewEncoder(codec.WithLevel(zstd.SpeedFastest))
})

// Next returns the frame that brings the receiver from the acknowledged base
// to snap: a delta, or a full frame when there is no base. It takes the
// next seq and remembers snap as in flight until an Ack names it. Should
// diffing or encoding fail, the frame is full.
func (s *Sender) Next(snap *snapshot.Snapshot) (Outgoing, error) {
	if snap == nil {
		return Outgoing{}, fmt.Errorf("link: next: nil snapshot")
	}
	if s.seq == math.MaxUint64 {
		return Outgoing{}, fmt.Errorf("link: next: seq space exhausted")
	}
	o := Outgoing{Seq: s.seq + 1, Target: snap.Hash()}
	target := snap
	if s.base != nil {
		frame, next, err := s.deltaFrame(snap)
		if err == nil {
			o.Frame, o.Base, target = frame, s.base.Hash(), next
		}
	}
	if o.Frame == nil {
		frame, err := s.enc.AppendFull(nil, snap)
		if err != nil {
			return Outgoing{}, fmt.Errorf("link: next: %w", err)
		}
		o.Frame, o.Full = frame, true
	}
	s.seq = o.Seq
	// Kept compact (snapshot.Snapshot.Compact): the base and targets are
	// what an agent holds between polls, and only their few changed items
	// are ever read again.
	s.remember(flight{seq: o.Seq, snap: target.CompactSharing(s.kept()...)})
	s.stats.Frames++
	s.stats.Bytes += int64(len(o.Frame))
	if o.Full {
		s.stats.FullFrames++
	}
	return o, nil
}

// deltaFrame diffs snap against the base and returns the frame and the
// target to remember. The target is snap itself: an agent that parses each
// poll with snapshot.ParseNext already shares every unchanged item with the
// previous poll, and rebuilding snap from the base to prove the delta cost
// as much as the diff again, for a proof the receiver makes anyway (a
// delta that does not rebuild its target root is refused, and the Agent
// then sends a full frame).
func (s *Sender) deltaFrame(snap *snapshot.Snapshot) ([]byte, *snapshot.Snapshot, error) {
	var opts []delta.Option
	if s.enc.CodesItemsAgainstBase() {
		opts = append(opts, delta.WithoutModelPatches())
	}
	d, err := delta.Diff(s.base, snap, opts...)
	if err != nil {
		return nil, nil, err
	}
	frame, err := s.enc.AppendDelta(nil, d)
	if err != nil {
		return nil, nil, err
	}
	return frame, snap, nil
}

func (s *Sender) remember(f flight) {
	for i, g := range s.inflight {
		if g.snap.Hash() == f.snap.Hash() {
			s.inflight = append(s.inflight[:i], s.inflight[i+1:]...)
			break
		}
	}
	if len(s.inflight) == maxInFlight {
		s.inflight[0] = flight{} // release it before the slice shifts
		s.inflight = append(s.inflight[:0], s.inflight[1:]...)
	}
	s.inflight = append(s.inflight, f)
}

// Ack takes the receiver's answer to a frame. An Ack naming the target of a
// frame in flight makes that target the base, whatever its status (applied,
// duplicate, or unknown-base after a later frame): the receiver holds it.
// Otherwise "unknown-base" makes the next frame full, and so does
// "rejected" in every case, since a refused delta might be refused again;
// anything else changes nothing, so acks that arrive late, twice or out of
// order are harmless. An Ack whose seq is above the Sender's lifts the
// Sender's seq to it (see Sender). Only a malformed Ack is an error
// (ErrInvalidAck), and it changes nothing.
func (s *Sender) Ack(a Ack) error {
	root, hasRoot, err := a.RootHash()
	if err != nil {
		return err
	}
	switch a.Status {
	case StatusApplied, StatusDuplicate, StatusUnknownBase, StatusRejected, StatusError:
	default:
		return fmt.Errorf("link: ack status %q: %w", a.Status, ErrInvalidAck)
	}
	s.seq = max(s.seq, a.Seq)
	if a.Status == StatusError {
		return nil
	}
	if a.Status == StatusRejected {
		// The frame may have been refused for what the delta holds (a
		// diff bug would repeat); a full frame does not depend on it.
		s.base = nil
		return nil
	}
	if hasRoot && s.promote(root) {
		return nil
	}
	if a.Status == StatusUnknownBase {
		s.base = nil
	}
	return nil
}

// promote makes the in-flight target named root the base, forgetting the
// targets sent before it.
func (s *Sender) promote(root uint64) bool {
	for i := len(s.inflight) - 1; i >= 0; i-- {
		if s.inflight[i].snap.Hash() != root {
			continue
		}
		s.base = s.inflight[i].snap
		n := copy(s.inflight, s.inflight[i+1:])
		clear(s.inflight[n:])
		s.inflight = s.inflight[:n]
		s.stats.Acks++
		return true
	}
	return false
}

// kept returns the snapshots the Sender holds.
func (s *Sender) kept() []*snapshot.Snapshot {
	out := make([]*snapshot.Snapshot, 0, len(s.inflight)+1)
	out = append(out, s.base)
	for _, f := range s.inflight {
		out = append(out, f.snap)
	}
	return out
}

// Kept returns the snapshot with the given root that the Sender holds (the
// base or a target in flight), in its compact form, or nil. An agent parses
// its next poll against it (snapshot.Config.ParseNext), so that both share
// their unchanged items.
func (s *Sender) Kept(root uint64) *snapshot.Snapshot {
	for i := len(s.inflight) - 1; i >= 0; i-- {
		if s.inflight[i].snap.Hash() == root {
			return s.inflight[i].snap
		}
	}
	if s.base != nil && s.base.Hash() == root {
		return s.base
	}
	return nil
}

// Acked returns the last acknowledged snapshot: the base of the next delta.
// It is nil before the first ack and after an answer that forces a full
// frame.
func (s *Sender) Acked() *snapshot.Snapshot { return s.base }

// Seq returns the seq of the last frame Next made (or the highest seq an Ack
// reported, if above).
func (s *Sender) Seq() uint64 { return s.seq }

// Stats returns the Sender's counters.
func (s *Sender) Stats() SenderStats { return s.stats }
