package codec

import "encoding/binary"

// Bare zstd blocks (format 5, RFC 8878 section 3.1.1.2). A small delta
// compresses to one block; the zstd frame around it adds a frame header
// (two bytes here) and a block header (three), which say what the
// snapdelta header already does: the body's size, that it is compressed,
// that the block is the last.

// maxBlockBody is the largest body one zstd block holds (Block_Maximum_Size).
const maxBlockBody = 128 << 10

// Zstd header fields (RFC 8878 sections 3.1.1.1 and 3.1.1.2).
const (
	fhdChecksum      = 0x04 // Content_Checksum_flag
	fhdDictIDMask    = 0x03 // Dictionary_ID_flag
	fhdSingleSegment = 0x20 // Single_Segment_flag
	blockLast        = 1
	blockCompressed  = 2 // Block_Type
)

// singleBlock returns the content of the one compressed block of the zstd
// frame f (magic number included), or false when f is anything else: more
// blocks, a raw or RLE block, a checksum, a dictionary id.
func singleBlock(f []byte) ([]byte, bool) {
	if len(f) < len(zstdMagic)+1 || [4]byte(f[:4]) != zstdMagic {
		return nil, false
	}
	fhd := f[4]
	if fhd&(fhdChecksum|fhdDictIDMask) != 0 {
		return nil, false
	}
	pos := len(zstdMagic) + 1
	if fhd&fhdSingleSegment == 0 {
		pos++ // Window_Descriptor
	}
	fcs := [4]int{0, 2, 4, 8}[fhd>>6]
	if fcs == 0 && fhd&fhdSingleSegment != 0 {
		fcs = 1
	}
	pos += fcs
	if len(f) < pos+3 {
		return nil, false
	}
	bh := uint32(f[pos]) | uint32(f[pos+1])<<8 | uint32(f[pos+2])<<16
	block := f[pos+3:]
	if bh&1 != blockLast || (bh>>1)&3 != blockCompressed || int(bh>>3) != len(block) || len(block) == 0 {
		return nil, false
	}
	return block, true
}

// appendBlockFrame appends the zstd frame a format 5 block payload stands
// for: magic number, a single-segment frame header naming bodySize (at most
// maxBlockBody) as the content size, the header of one last compressed
// block of len(block) bytes, the block.
func appendBlockFrame(dst, block []byte, bodySize uint64) []byte {
	dst = append(dst, zstdMagic[:]...)
	switch {
	case bodySize < 256:
		dst = append(dst, fhdSingleSegment, byte(bodySize))
	case bodySize < 256+1<<16:
		dst = append(dst, 1<<6|fhdSingleSegment)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(bodySize-256))
	default:
		dst = append(dst, 2<<6|fhdSingleSegment)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(bodySize))
	}
	bh := uint32(len(block))<<3 | blockCompressed<<1 | blockLast
	dst = append(dst, byte(bh), byte(bh>>8), byte(bh>>16))
	return append(dst, block...)
}
