package codec

import (
	"bytes"
	"errors"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
)

// mustParse parses doc with the default configuration or fails the test.
func mustParse(t testing.TB, doc string) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%.80q): %v", doc, err)
	}
	return s
}

// mustDiff diffs base into next or fails the test.
func mustDiff(t testing.TB, base, next *snapshot.Snapshot) *delta.Delta {
	t.Helper()
	d, err := delta.Diff(base, next)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return d
}

// mustEncodeDelta diffs base into next and encodes the delta frame.
func mustEncodeDelta(t testing.TB, base, next *snapshot.Snapshot) []byte {
	t.Helper()
	frame, err := EncodeDelta(mustDiff(t, base, next))
	if err != nil {
		t.Fatalf("EncodeDelta: %v", err)
	}
	return frame
}

// mustEncodeFull encodes a full frame of s.
func mustEncodeFull(t testing.TB, s *snapshot.Snapshot) []byte {
	t.Helper()
	frame, err := EncodeFull(s)
	if err != nil {
		t.Fatalf("EncodeFull: %v", err)
	}
	return frame
}

// rawFrame builds a frame around body by hand: uncompressed, no dictionary,
// the header's body size telling the truth.
func rawFrame(kind Kind, body []byte) []byte {
	return append(appendHeader(nil, Version, kind, None, NoDictionary, uint64(len(body))), body...)
}

// sentinels are the errors a decoder or Apply may return; anything else is
// a bug.
var sentinels = []error{ErrCorrupt, ErrTooLarge, ErrVersion, ErrUnknownBase, ErrVerify}

// isSentinel reports whether err matches one of the package's sentinels.
func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// canon returns the canonical JSON of s, for readable failure messages.
func canon(s *snapshot.Snapshot) string { return string(s.MarshalCanonical()) }

// sameSnapshot fails the test unless got holds the same JSON value as want
// and carries the same root hash.
func sameSnapshot(t testing.TB, got, want *snapshot.Snapshot) {
	t.Helper()
	if got == nil {
		t.Fatalf("got no snapshot, want %.200s", canon(want))
	}
	if !got.Equal(want) || got.Hash() != want.Hash() {
		t.Fatalf("snapshot mismatch:\n got  %016x %.300s\n want %016x %.300s", got.Hash(), canon(got), want.Hash(), canon(want))
	}
}

// handFrame is a raw delta frame (dictionary 0) written by hand: one
// collection edit at "c" under rule (default "id"), removing the items of
// remove by key, with no order. puts and patches each write their whole
// array (none when nil); tick, when set, writes a sixth element, a status
// tick. With withStream the delta has a fourth element, the items stream,
// written as a bin (a msgpack nil when stream is nil). From version 4 on,
// the base root is written in 32 bits and a stream's zstd magic number is
// left out.
type handFrame struct {
	version       uint8
	base, target  uint64
	rule          string
	remove        []string
	puts, patches func(*msgpack.Encoder)
	tick          func(*msgpack.Encoder)
	withStream    bool
	stream        []byte
}

func (h handFrame) bytes() []byte {
	var body bytes.Buffer
	enc := msgpack.NewEncoder(&body)
	if h.withStream {
		_ = enc.EncodeArrayLen(4)
	} else {
		_ = enc.EncodeArrayLen(3)
	}
	stream := h.stream
	if h.version >= 4 {
		_ = enc.EncodeUint32(uint32(h.base))
		stream = bytes.TrimPrefix(stream, zstdMagic[:])
	} else {
		_ = enc.EncodeUint64(h.base)
	}
	_ = enc.EncodeUint64(h.target)
	_ = enc.EncodeArrayLen(1)
	_ = enc.EncodeArrayLen(3)
	_ = enc.EncodeUint(uint64(delta.Keyed))
	_ = enc.EncodeArrayLen(1)
	_ = enc.EncodeString("c")
	if h.tick != nil {
		_ = enc.EncodeArrayLen(6)
	} else {
		_ = enc.EncodeArrayLen(5)
	}
	if h.rule == "" {
		h.rule = "id"
	}
	_ = enc.EncodeString(h.rule)
	_ = enc.EncodeArrayLen(len(h.remove))
	for _, k := range h.remove {
		_ = enc.EncodeString(k)
	}
	for _, entries := range []func(*msgpack.Encoder){h.puts, h.patches} {
		if entries == nil {
			entries = noEntries
		}
		entries(enc)
	}
	_ = enc.EncodeNil()
	if h.tick != nil {
		h.tick(enc)
	}
	if h.withStream {
		_ = enc.EncodeBytes(stream)
	}
	frame := appendHeader(nil, h.version, DeltaKind, None, NoDictionary, uint64(body.Len()))
	return append(frame, body.Bytes()...)
}

// handCollectionFrame is handFrame's common case: rule "id", no removal,
// no tick.
func handCollectionFrame(version uint8, base, target uint64, puts, patches func(*msgpack.Encoder), withStream bool, stream []byte) []byte {
	return handFrame{version: version, base: base, target: target, puts: puts, patches: patches, withStream: withStream, stream: stream}.bytes()
}

// noEntries writes an empty array: no puts, or no patches.
func noEntries(enc *msgpack.Encoder) { _ = enc.EncodeArrayLen(0) }

// zstdFrame returns a frame of the given version whose payload is the zstd
// stream z, as a writer of that version sends it (format 4 leaves out the
// zstd magic number).
func zstdFrame(version uint8, kind Kind, bodySize uint64, z []byte) []byte {
	if version >= 4 {
		z = bytes.TrimPrefix(z, zstdMagic[:])
	}
	return append(appendHeader(nil, version, kind, Zstd, NoDictionary, bodySize), z...)
}
