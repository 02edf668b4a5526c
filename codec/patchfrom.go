package codec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
)

// Patch-from frames (format 8, docs/wire-format.md section 7.10): the target
// snapshot's full frame body, zstd-compressed with the base's full frame
// body as a raw dictionary, after the low 32 bits of the base's root. Both
// ends write the base's body the same way from the base they hold.

// A delta frame is worth trying as a patch-from frame (format 8) when it
// weighs at least 1 KiB and 1/patchFromShare of its base's JSON. On the
// simulated minute polls a frame weighs less than 1/389 of its base (seeds
// 1-3; docker-small's frames, up to 1/147, stay under 1 KiB) and its
// patch-from frame is 1.5 to 4 times larger: a try would cost each of
// those polls a zstd pass over the whole snapshot for nothing. Between the
// two sonobuoy dumps of aws-k8s, a day apart, the delta frame weighs 1/52
// of the base and its patch-from frame is 18% smaller.
const (
	patchFromMinFrame = 1 << 10
	patchFromShare    = 256
)

// patchFromLevel is the least zstd level of patch-from frames: on the
// sonobuoy dumps the default level sends 14% (aws) and 12% (kind) more.
const patchFromLevel = zstd.SpeedBetterCompression

const maxPatchFromWindow = 64 << 20

func (e *Encoder) triesPatchFrom(d *delta.Delta, frameLen int) bool {
	if e.version < 8 || !e.CodesItemsAgainstBase() || frameLen < patchFromMinFrame || d == nil {
		return false
	}
	base, next := d.Origin(), d.Next()
	return base != nil && next != nil && base.Hash() == d.Base && next.Hash() == d.Target &&
		frameLen*patchFromShare >= base.Root().Size()
}

// patchFrom returns the patch-from frame that brings base to next, or false
// when the two bodies pass 64 MiB: the zstd window that reaches through both
// would cost the agent that much memory again.
func (e *Encoder) patchFrom(base, next *snapshot.Snapshot) ([]byte, bool) {
	bw, nw := e.bufs.Get().(*bodyWriter), e.bufs.Get().(*bodyWriter)
	defer e.bufs.Put(bw)
	defer e.bufs.Put(nw)
	bw.buf.Reset()
	nw.buf.Reset()
	if writeFull(writer{Encoder: bw.enc, dict: e.dict, version: e.version}, base) != nil ||
		writeFull(writer{Encoder: nw.enc, dict: e.dict, version: e.version}, next) != nil {
		return nil, false
	}
	dict, body := bw.buf.Bytes(), nw.buf.Bytes()
	window := patchFromWindow(len(dict), len(body))
	if window > maxPatchFromWindow {
		return nil, false
	}
	z, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(max(e.level, patchFromLevel)),
		zstd.WithEncoderCRC(false),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(window),
		zstd.WithEncoderDictRaw(0, dict))
	if err != nil {
		return nil, false
	}
	defer z.Close()
	frame := appendHeader(nil, e.version, PatchFrom, Zstd, e.dict.id, uint64(len(body)))
	frame = binary.LittleEndian.AppendUint32(frame, uint32(base.Hash()))
	at := len(frame)
	frame = z.EncodeAll(body, frame)
	return dropZstdMagic(frame, at)
}

// patchFromWindow is the zstd window a patch-from frame is searched in: its
// matches reach back through the body and the whole dictionary before it.
// (The frame itself is single-segment: readers see the body size.)
func patchFromWindow(dict, body int) int {
	n := max(dict+body, zstd.MinWindowSize)
	return 1 << bits.Len(uint(n-1))
}

// pendingPatch is a patch-from frame's payload, inflated once the base is
// known.
type pendingPatch struct {
	payload []byte // a whole zstd frame: the magic number put back
	dec     *Decoder
}

// decodePatchFrom reads a patch-from frame's payload: the base's name, then
// the zstd frame without its magic number.
func (d *Decoder) decodePatchFrom(h Header, payload []byte) (*Frame, error) {
	if len(payload) <= 4 {
		return nil, fmt.Errorf("codec: patch-from frame: %d bytes after the header, want the base's 4 and a zstd frame: %w", len(payload), ErrCorrupt)
	}
	f := &Frame{Header: h, named: uint64(binary.LittleEndian.Uint32(payload))}
	zf := make([]byte, 0, len(zstdMagic)+len(payload)-4)
	zf = append(append(zf, zstdMagic[:]...), payload[4:]...)
	f.patch = &pendingPatch{payload: zf, dec: d}
	return f, nil
}

// applyPatchFrom inflates the frame's body against base's and checks the
// snapshot it holds against the root it names. The snapshot takes base's
// configuration, as a delta's result does.
func (f *Frame) applyPatchFrom(base *snapshot.Snapshot) (*snapshot.Snapshot, error) {
	h, d := f.Header, f.patch.dec
	dict := dictionaries[h.Dictionary]
	var baseBody bytes.Buffer
	if err := writeFull(writer{Encoder: msgpack.NewEncoder(&baseBody), dict: dict, version: h.Version}, base); err != nil {
		return nil, fmt.Errorf("codec: patch-from frame: the base's body: %w", err)
	}
	// The header's body size is within the decoded-size limit (Decode).
	body, err := d.inflateAgainst(baseBody.Bytes(), f.patch.payload, int(h.BodySize), "patch-from frame")
	if err != nil {
		return nil, err
	}
	r := d.newReader(body, h.Version, dict)
	root, s, err := r.verifiedFull(base.Config(), PatchFrom)
	if err != nil {
		return nil, err
	}
	f.Root, f.Snapshot, f.hex = root, s, r.hex
	return s, nil
}
