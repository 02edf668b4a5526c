package link

import (
	"encoding/binary"
	"fmt"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/snapshot"
)

// Payload layout: what a Receiver stores as store.Record.Snapshot.
//
//	payload = 'S' 'P' version(=1) entry*
//	entry   = uvarint(len) frame[len]
//
// The first entry is a full frame, the checkpoint; each later entry is a
// delta frame whose base is the target of the entry before it, so the
// payload names the snapshot the last entry builds. Appending the delta
// frames a receiver has just verified, as received, makes a commit cost the
// frame's size instead of a re-encoding of the whole snapshot; the
// checkpoint is renewed (a fresh full frame) once the deltas outweigh half
// of it or number maxDeltas, which bounds both the payload (1.5 times a full
// frame) and the work to load it.
//
// A bare full frame (magic "SD", the codec's) is read as a payload holding
// just its checkpoint, so records written as plain full frames stay
// readable.
const (
	payloadMagic0  = 'S'
	payloadMagic1  = 'P'
	payloadVersion = 1
	payloadHeader  = 3

	// maxDeltas bounds the delta frames after a checkpoint.
	maxDeltas = 64
	// deltaShare: the deltas may add up to 1/deltaShare of the checkpoint.
	deltaShare = 2
)

// payload is an encoded payload and the shape that decides its renewal. A
// payload never changes its bytes buf[:len(buf)]; withDelta may write past
// them, into spare capacity, building the next payload.
type payload struct {
	buf        []byte
	checkpoint int // length of the checkpoint frame
	deltas     int // delta frames after it
	deltaBytes int // their length, prefixes included
}

// newPayload returns a payload whose checkpoint is the full frame given.
func newPayload(full []byte) payload {
	buf := make([]byte, 0, payloadHeader+binary.MaxVarintLen64+len(full)+len(full)/deltaShare)
	buf = append(buf, payloadMagic0, payloadMagic1, payloadVersion)
	buf = binary.AppendUvarint(buf, uint64(len(full)))
	buf = append(buf, full...)
	return payload{buf: buf, checkpoint: len(full)}
}

// fits reports whether a delta frame of n bytes may be appended without
// renewing the checkpoint.
func (p payload) fits(n int) bool {
	if p.buf == nil || p.deltas >= maxDeltas {
		return false
	}
	add := n + uvarintLen(uint64(n))
	return p.deltaBytes+add <= p.checkpoint/deltaShare
}

// withDelta returns the payload with a delta frame appended. It may write
// into p.buf's spare capacity, which p does not use.
func (p payload) withDelta(frame []byte) payload {
	n := len(p.buf)
	p.buf = binary.AppendUvarint(p.buf, uint64(len(frame)))
	p.buf = append(p.buf, frame...)
	p.deltas++
	p.deltaBytes += len(p.buf) - n
	return p
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}

// decodePayload rebuilds the snapshots a payload holds, verifying each
// against its frame's root, and returns the last keep of them newest first
// (keep >= 1), with the payload's shape. It does not retain b beyond the
// returned payload, whose buf is b.
func decodePayload(dec *codec.Decoder, b []byte, keep int) ([]*snapshot.Snapshot, payload, error) {
	if len(b) >= 2 && b[0] == 'S' && b[1] == 'D' {
		f, err := dec.Decode(b)
		if err != nil {
			return nil, payload{}, fmt.Errorf("payload: %w", err)
		}
		if f.Header.Kind != codec.Full {
			return nil, payload{}, fmt.Errorf("payload: a bare %s frame: %w", f.Header.Kind, ErrCorrupt)
		}
		// Copied into the payload form, so that deltas can follow it.
		return []*snapshot.Snapshot{f.Snapshot}, newPayload(b), nil
	}
	if len(b) < payloadHeader || b[0] != payloadMagic0 || b[1] != payloadMagic1 {
		return nil, payload{}, fmt.Errorf("payload: bad magic: %w", ErrCorrupt)
	}
	if b[2] != payloadVersion {
		return nil, payload{}, fmt.Errorf("payload: version %d, this build reads %d: %w", b[2], payloadVersion, ErrVersion)
	}
	p := payload{buf: b}
	var states []*snapshot.Snapshot // newest last, at most keep
	var cur *snapshot.Snapshot
	for pos, i := payloadHeader, 0; pos < len(b); i++ {
		n, k := binary.Uvarint(b[pos:])
		if k <= 0 || n > uint64(len(b)-pos-k) {
			return nil, payload{}, fmt.Errorf("payload: entry %d: bad length: %w", i, ErrCorrupt)
		}
		frame := b[pos+k : pos+k+int(n)]
		f, err := dec.Decode(frame)
		if err != nil {
			return nil, payload{}, fmt.Errorf("payload: entry %d: %w", i, err)
		}
		switch {
		case i == 0 && f.Header.Kind == codec.Full:
			cur = f.Snapshot
			p.checkpoint = len(frame)
		case i > 0 && (f.Header.Kind == codec.DeltaKind || f.Header.Kind == codec.PatchFrom):
			next, err := f.Apply(cur)
			if err != nil {
				return nil, payload{}, fmt.Errorf("payload: entry %d: %w", i, err)
			}
			cur = next
			p.deltas++
			p.deltaBytes += k + int(n)
		default:
			return nil, payload{}, fmt.Errorf("payload: entry %d: unexpected %s frame: %w", i, f.Header.Kind, ErrCorrupt)
		}
		if len(states) == keep {
			copy(states, states[1:])
			states = states[:keep-1]
		}
		states = append(states, cur)
		pos += k + int(n)
	}
	if cur == nil {
		return nil, payload{}, fmt.Errorf("payload: no checkpoint: %w", ErrCorrupt)
	}
	for i, j := 0, len(states)-1; i < j; i, j = i+1, j-1 {
		states[i], states[j] = states[j], states[i]
	}
	return states, p, nil
}
