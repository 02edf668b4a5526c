package store

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"time"
)

// Value encoding inside the bolt file; the layout is documented in doc.go.
const (
	formatVersion = 1

	kindRecord = 'R'
	kindStep   = 'S'

	recordHeader = 1 + 1 + 8 + 8 + 8 + 4     // version, kind, seq, root, time, length
	stepHeader   = 1 + 1 + 8 + 8 + 8 + 8 + 4 // version, kind, seq, root, prev root, time, length
	crcSize      = 4

	zeroTime = math.MinInt64 // unix nanos standing for time.Time{}
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func timeNanos(t time.Time) int64 {
	if t.IsZero() {
		return zeroTime
	}
	return t.UnixNano()
}

func nanosTime(n int64) time.Time {
	if n == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func encodeRecord(r Record) []byte {
	b := make([]byte, recordHeader, recordHeader+len(r.Snapshot)+crcSize)
	b[0], b[1] = formatVersion, kindRecord
	binary.BigEndian.PutUint64(b[2:], r.Seq)
	binary.BigEndian.PutUint64(b[10:], r.Root)
	binary.BigEndian.PutUint64(b[18:], uint64(timeNanos(r.Time)))
	binary.BigEndian.PutUint32(b[26:], uint32(len(r.Snapshot)))
	b = append(b, r.Snapshot...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func encodeStep(s Step) []byte {
	b := make([]byte, stepHeader, stepHeader+len(s.Reverse)+crcSize)
	b[0], b[1] = formatVersion, kindStep
	binary.BigEndian.PutUint64(b[2:], s.Seq)
	binary.BigEndian.PutUint64(b[10:], s.Root)
	binary.BigEndian.PutUint64(b[18:], s.PrevRoot)
	binary.BigEndian.PutUint64(b[26:], uint64(timeNanos(s.Time)))
	binary.BigEndian.PutUint32(b[34:], uint32(len(s.Reverse)))
	b = append(b, s.Reverse...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// checkFrame verifies version, kind, length and checksum, returning the
// payload (aliasing b).
func checkFrame(b []byte, kind byte, header int) ([]byte, error) {
	if len(b) < header+crcSize {
		return nil, fmt.Errorf("%d bytes, shorter than the %d-byte minimum: %w", len(b), header+crcSize, ErrCorrupt)
	}
	body, sum := b[:len(b)-crcSize], binary.BigEndian.Uint32(b[len(b)-crcSize:])
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return nil, fmt.Errorf("checksum %08x, stored %08x: %w", got, sum, ErrCorrupt)
	}
	if b[0] != formatVersion {
		return nil, fmt.Errorf("unsupported format version %d: %w", b[0], ErrCorrupt)
	}
	if b[1] != kind {
		return nil, fmt.Errorf("kind %q, want %q: %w", b[1], kind, ErrCorrupt)
	}
	n := binary.BigEndian.Uint32(b[header-4:])
	if uint64(n) != uint64(len(body)-header) {
		return nil, fmt.Errorf("payload length %d, have %d bytes: %w", n, len(body)-header, ErrCorrupt)
	}
	if n == 0 {
		return nil, fmt.Errorf("empty payload: %w", ErrCorrupt)
	}
	return body[header:], nil
}

// decodeRecord copies everything out of b, which may be bolt memory.
func decodeRecord(b []byte) (Record, error) {
	payload, err := checkFrame(b, kindRecord, recordHeader)
	if err != nil {
		return Record{}, err
	}
	return Record{
		Seq:      binary.BigEndian.Uint64(b[2:]),
		Root:     binary.BigEndian.Uint64(b[10:]),
		Time:     nanosTime(int64(binary.BigEndian.Uint64(b[18:]))),
		Snapshot: clone(payload),
	}, nil
}

// decodeStep copies everything out of b, which may be bolt memory.
func decodeStep(b []byte) (Step, error) {
	payload, err := checkFrame(b, kindStep, stepHeader)
	if err != nil {
		return Step{}, err
	}
	return Step{
		Seq:      binary.BigEndian.Uint64(b[2:]),
		Root:     binary.BigEndian.Uint64(b[10:]),
		PrevRoot: binary.BigEndian.Uint64(b[18:]),
		Time:     nanosTime(int64(binary.BigEndian.Uint64(b[26:]))),
		Reverse:  clone(payload),
	}, nil
}

// seqOf and rootOf read the header fields shared by both value kinds.
func seqOf(v []byte) uint64  { return binary.BigEndian.Uint64(v[2:]) }
func rootOf(v []byte) uint64 { return binary.BigEndian.Uint64(v[10:]) }

func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, seq)
}
