package bench

import (
	"fmt"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"

	// Named apart: this package's own codec type is the baselines' compressor.
	sdcodec "github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// SnapdeltaName is the name of the Snapdelta strategy in results.
const SnapdeltaName = "snapdelta"

// SnapdeltaBetterName is the name of NewSnapdeltaBetter's strategy.
const SnapdeltaBetterName = "snapdelta-better"

// Snapdelta is snapdelta itself as a Strategy: the agent parses each poll
// (snapshot.Config.ParseNext, which reuses the unchanged items of the
// snapshot it parsed the poll before), diffs it against that snapshot
// (delta.Diff) and writes a frame with a reused codec.Encoder, a full frame
// when there is no base; the server applies the frame to the snapshot it
// rebuilt the poll before with a reused codec.Decoder, which verifies the
// root hash, and Decode returns the result as canonical JSON
// (snapshot.MarshalCanonical).
//
// Both sides keep their parsed snapshot between polls, as a real agent and
// server do, so a steady-state cycle parses one document on the agent (and
// only its changed items) and none on the server. The kept snapshot stands for prev only when prev hashes
// (xxhash64) to the bytes it was built from; any other prev is parsed, which
// SnapdeltaStats counts, so results never depend on anything but the
// arguments. The two hashes per call are the price of the Strategy interface
// handing over bytes: a real agent holds its base and hashes nothing.
//
// The zero value is ready to use; a Snapdelta is safe for concurrent use
// (calls are serialised).
type Snapdelta struct {
	name   string // "": SnapdeltaName
	mu     sync.Mutex
	agent  sdAgent
	server sdServer
	stats  SnapdeltaStats
}

// SnapdeltaStats counts what a Snapdelta did since its last Reset.
type SnapdeltaStats struct {
	FullFrames  int // frames sent without a base
	DeltaFrames int // frames sent against a base
	// AgentParses and ServerParses count bases that had to be parsed from
	// prev because it was not the document the side handled last. Run over
	// successive polls keeps both at zero.
	AgentParses  int
	ServerParses int
}

// NewSnapdelta returns a Snapdelta with default codec settings (the built-in
// dictionary, zstd at its default level).
func NewSnapdelta() *Snapdelta { return &Snapdelta{} }

// NewSnapdeltaBetter returns a Snapdelta named SnapdeltaBetterName whose
// agent compresses frame bodies and items streams at zstd's "better" level
// (codec.WithLevel, codec.WithItemsLevel), as `snapdelta agent --level
// better` does: fewer bytes for more agent CPU and memory.
func NewSnapdeltaBetter() *Snapdelta {
	return &Snapdelta{name: SnapdeltaBetterName, agent: sdAgent{opts: []sdcodec.EncoderOption{
		sdcodec.WithLevel(zstd.SpeedBetterCompression), sdcodec.WithItemsLevel(zstd.SpeedBetterCompression)}}}
}

// Name returns SnapdeltaName, or SnapdeltaBetterName.
func (s *Snapdelta) Name() string {
	if s.name == "" {
		return SnapdeltaName
	}
	return s.name
}

// Reset forgets both sides' kept snapshots and zeroes the stats.
func (s *Snapdelta) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.agent.forget()
	s.server.forget()
	s.stats = SnapdeltaStats{}
}

// Stats returns the counts since the last Reset.
func (s *Snapdelta) Stats() SnapdeltaStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Encode returns a full frame of next when prev is nil, else the delta frame
// from prev to next.
func (s *Snapdelta) Encode(prev, next []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev == nil {
		s.agent.forget()
	} else if !s.agent.holds(prev) {
		base, err := snapshot.Parse(prev)
		if err != nil {
			return nil, fmt.Errorf("snapdelta: encode: base: %w", err)
		}
		s.agent.keep(base, prev)
		s.stats.AgentParses++
	}
	full := s.agent.base == nil
	frame, err := s.agent.poll(nil, next)
	if err != nil {
		return nil, fmt.Errorf("snapdelta: encode: %w", err)
	}
	s.agent.sum, s.agent.size = xxhash.Sum64(next), len(next)
	if full {
		s.stats.FullFrames++
	} else {
		s.stats.DeltaFrames++
	}
	return frame, nil
}

// Decode rebuilds the snapshot a frame describes from prev (nil for the
// first, full frame) and returns its canonical JSON.
func (s *Snapdelta) Decode(prev, wire []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := sdcodec.ParseHeader(wire)
	if err != nil {
		return nil, fmt.Errorf("snapdelta: decode: %w", err)
	}
	switch {
	case h.Kind == sdcodec.Full:
		// A full frame needs no base: do not parse one for nothing.
		s.server.forget()
	case prev == nil:
		return nil, fmt.Errorf("snapdelta: decode: delta frame without a base: %w", sdcodec.ErrUnknownBase)
	case !s.server.holds(prev):
		base, err := snapshot.Parse(prev)
		if err != nil {
			return nil, fmt.Errorf("snapdelta: decode: base: %w", err)
		}
		s.server.keep(base, prev)
		s.stats.ServerParses++
	}
	snap, err := s.server.apply(wire)
	if err != nil {
		return nil, fmt.Errorf("snapdelta: decode: %w", err)
	}
	out := snap.MarshalCanonical()
	s.server.sum, s.server.size = xxhash.Sum64(out), len(out)
	return out, nil
}

// kept is a side's parsed snapshot and the hash of the bytes it came from.
type kept struct {
	base *snapshot.Snapshot
	sum  uint64
	size int
}

func (k *kept) forget() { *k = kept{} }

func (k *kept) keep(s *snapshot.Snapshot, from []byte) {
	k.base, k.sum, k.size = s, xxhash.Sum64(from), len(from)
}

// holds reports whether the kept snapshot was built from b.
func (k *kept) holds(b []byte) bool {
	return k.base != nil && len(b) == k.size && xxhash.Sum64(b) == k.sum
}

// sdAgent is the agent's side of snapdelta: its encoder and the snapshot it
// sent last, which the next poll is diffed against.
type sdAgent struct {
	kept
	enc  *sdcodec.Encoder
	opts []sdcodec.EncoderOption // of enc
}

// poll parses next, appends to dst the frame that brings the server from
// the kept snapshot to next (a full frame when none is kept) and keeps next.
// The kept hash is left to the caller, which may not need it.
func (a *sdAgent) poll(dst, next []byte) ([]byte, error) {
	if a.enc == nil {
		enc, err := sdcodec.NewEncoder(a.opts...)
		if err != nil {
			return nil, err
		}
		a.enc = enc
	}
	// As a real agent does: the previous poll's unchanged items are reused.
	snap, err := snapshot.DefaultConfig().ParseNext(next, a.base)
	if err != nil {
		return nil, fmt.Errorf("next: %w", err)
	}
	if a.base == nil {
		dst, err = a.enc.AppendFull(dst, snap)
	} else {
		var d *delta.Delta
		// As link.Sender does: the encoder codes new items as text.
		if d, err = delta.Diff(a.base, snap, delta.WithoutModelPatches()); err == nil {
			dst, err = a.enc.AppendDelta(dst, d)
		}
	}
	if err != nil {
		return nil, err
	}
	// Kept compact, as link.Sender keeps it.
	a.kept = kept{base: snap.CompactSharing(a.base)}
	return dst, nil
}

// sdServer is the server's side of snapdelta: its decoder and the snapshot
// it rebuilt last, which the next frame applies to.
type sdServer struct {
	kept
	dec *sdcodec.Decoder
}

// apply decodes frame, applies it to the kept snapshot (verifying the
// result's root hash) and keeps the result. On error the kept snapshot stays.
func (s *sdServer) apply(frame []byte) (*snapshot.Snapshot, error) {
	if s.dec == nil {
		dec, err := sdcodec.NewDecoder()
		if err != nil {
			return nil, err
		}
		s.dec = dec
	}
	snap, err := s.dec.Apply(s.base, frame)
	if err != nil {
		return nil, err
	}
	s.kept = kept{base: snap}
	return snap, nil
}
