package codec

import (
	"encoding/binary"
	"fmt"
)

// Header layout (docs/wire-format.md, "Frame header").
const (
	magic0 = 'S'
	magic1 = 'D'
	// Version is the frame format version this build writes by default.
	// Version 1 frames (items named by key, RFC 6902 operations only),
	// version 2 frames (no increment inside a string), version 3 frames
	// (64-bit base roots, zstd magic numbers), version 4 frames (hex
	// digits sent as text, every compressed body in a zstd frame),
	// version 5 frames (no shape runs), version 6 frames (items sent
	// whole, no copied members) and version 7 frames (no patch-from
	// frames) still decode, and WithVersion(7) writes version 7 for
	// receivers not yet upgraded.
	Version = 8
	// MinVersion is the oldest frame format version this build reads.
	MinVersion = 1

	kindMask        = 0x03
	compressionMask = 0x0c
	reservedMask    = 0xf0
	compressionZstd = 1 << 2
	// Version 4 keeps the dictionary id in the flags' top four bits: 15
	// says a uvarint id follows.
	dictShift   = 4
	dictEscaped = 15
)

// Kind says what a frame carries.
type Kind uint8

// The frame kinds. Their numbers are part of the wire format.
const (
	// Full frames carry a whole snapshot: the first poll, or a resync.
	Full Kind = 0
	// DeltaKind frames carry a delta against a base the receiver holds.
	DeltaKind Kind = 1
	// PatchFrom frames (format 8) carry a whole snapshot compressed against
	// the base's, as `zstd --patch-from` does: zstd with the base's full
	// frame body as its dictionary, which the receiver rebuilds from the
	// base it holds. An Encoder sends one in place of a delta frame when it
	// is smaller, which happens when most items changed (an agent back
	// after a long outage).
	PatchFrom Kind = 2
)

func (k Kind) String() string {
	switch k {
	case Full:
		return "full"
	case DeltaKind:
		return "delta"
	case PatchFrom:
		return "patch-from"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Compression names a body compression.
type Compression uint8

// The body compressions. Their numbers are part of the wire format.
const (
	None Compression = 0
	// Zstd bodies are one zstd frame, its magic number left out from
	// format 4 on.
	Zstd Compression = 1
	// ZstdBlock bodies (format 5) are the content of one compressed zstd
	// block, without the frame around it: a frame header and a block
	// header are five bytes of a 45-byte frame, and the snapdelta header
	// already says all they say. For bodies up to maxBlockBody.
	ZstdBlock Compression = 2
)

func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case Zstd:
		return "zstd"
	case ZstdBlock:
		return "zstd-block"
	}
	return fmt.Sprintf("compression(%d)", uint8(c))
}

// Header is the decoded fixed part of a frame.
type Header struct {
	Version     uint8
	Kind        Kind
	Compression Compression
	Dictionary  uint64 // 0: none
	BodySize    uint64 // decoded body length
	HeaderSize  int    // bytes before the (possibly compressed) body
}

// ParseHeader decodes a frame's header without touching its body.
func ParseHeader(frame []byte) (Header, error) {
	var h Header
	if len(frame) < 4 {
		return h, fmt.Errorf("codec: frame of %d bytes is shorter than a header: %w", len(frame), ErrCorrupt)
	}
	if frame[0] != magic0 || frame[1] != magic1 {
		return h, fmt.Errorf("codec: frame header: bad magic %q: %w", frame[:2], ErrCorrupt)
	}
	h.Version = frame[2]
	if h.Version < MinVersion || h.Version > Version {
		return h, fmt.Errorf("codec: frame header: format version %d, this build reads %d to %d: %w", h.Version, MinVersion, Version, ErrVersion)
	}
	flags := frame[3]
	if h.Version < 4 && flags&reservedMask != 0 {
		return h, fmt.Errorf("codec: frame header: reserved flag bits set (0x%02x): %w", flags, ErrCorrupt)
	}
	h.Kind = Kind(flags & kindMask)
	if h.Kind > PatchFrom || (h.Kind == PatchFrom && h.Version < 8) {
		return h, fmt.Errorf("codec: frame header: unknown kind %d in a format %d frame: %w", h.Kind, h.Version, ErrCorrupt)
	}
	h.Compression = Compression((flags & compressionMask) >> 2)
	if h.Compression > ZstdBlock || (h.Compression == ZstdBlock && h.Version < 5) {
		return h, fmt.Errorf("codec: frame header: unknown compression %d in a format %d frame: %w", h.Compression, h.Version, ErrCorrupt)
	}
	if h.Kind == PatchFrom && h.Compression != Zstd {
		// Raw or as one block, the whole snapshot would be no smaller than
		// a full frame's.
		return h, fmt.Errorf("codec: frame header: a patch-from frame compressed as %s, not zstd: %w", h.Compression, ErrCorrupt)
	}
	pos := 4
	if h.Version < 4 || flags>>dictShift == dictEscaped {
		dict, n := binary.Uvarint(frame[pos:])
		if n <= 0 {
			return h, fmt.Errorf("codec: frame header: dictionary id: %w", ErrCorrupt)
		}
		if h.Version >= 4 && dict < dictEscaped {
			return h, fmt.Errorf("codec: frame header: dictionary id %d written after the flags, not in them: %w", dict, ErrCorrupt)
		}
		h.Dictionary = dict
		pos += n
	} else {
		h.Dictionary = uint64(flags >> dictShift)
	}
	size, n := binary.Uvarint(frame[pos:])
	if n <= 0 {
		return h, fmt.Errorf("codec: frame header: body size: %w", ErrCorrupt)
	}
	h.BodySize = size
	pos += n
	h.HeaderSize = pos
	if _, known := dictionaries[h.Dictionary]; !known || (h.Version < 2 && h.Dictionary != NoDictionary) ||
		(h.Version < 4 && h.Dictionary > BuiltinDictionary2) {
		return h, fmt.Errorf("codec: frame header: dictionary %d is unknown to this build: %w", h.Dictionary, ErrVersion)
	}
	if h.Compression == None && uint64(len(frame)-pos) != h.BodySize {
		return h, fmt.Errorf("codec: frame header: body of %d bytes, header says %d: %w", len(frame)-pos, h.BodySize, ErrCorrupt)
	}
	// A block is at most as long as the body (its frame's window) and a
	// body fits one block (RFC 8878, Block_Maximum_Size).
	if n := uint64(len(frame) - pos); h.Compression == ZstdBlock && (n == 0 || n > h.BodySize || h.BodySize > maxBlockBody) {
		return h, fmt.Errorf("codec: frame header: a zstd block of %d bytes for a body of %d (a block holds 1 to %d bytes, in at most as many): %w", n, h.BodySize, maxBlockBody, ErrCorrupt)
	}
	return h, nil
}

func appendHeader(dst []byte, version uint8, kind Kind, comp Compression, dict, bodySize uint64) []byte {
	flags := byte(kind) | byte(comp)<<2
	if version < 4 || dict >= dictEscaped {
		if version >= 4 {
			flags |= dictEscaped << dictShift
		}
		dst = append(dst, magic0, magic1, version, flags)
		dst = binary.AppendUvarint(dst, dict)
	} else {
		dst = append(dst, magic0, magic1, version, flags|byte(dict)<<dictShift)
	}
	return binary.AppendUvarint(dst, bodySize)
}
