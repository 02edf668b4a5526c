package bench

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync"

	"github.com/snapdelta/snapdelta/internal/jsonpatch"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/wI2L/jsondiff"
)

// Strategy is one way of putting successive snapshots on the wire.
//
// Run calls Encode(polls[i-1], polls[i]) for i = 0, 1, ... in order (prev is
// nil for i = 0) and Decode(rebuilt[i-1], wire) with what Decode returned for
// the previous cycle, so the decoding side only ever holds what it rebuilt.
// A strategy may keep state between calls (a parsed base, a cache) as long as
// its output depends only on its arguments; Run calls Reset first when the
// strategy implements Resetter.
type Strategy interface {
	Name() string
	// Encode returns the bytes put on the wire for next, given prev (nil on
	// the first poll -> a full encoding).
	Encode(prev, next []byte) ([]byte, error)
	// Decode rebuilds next's JSON from prev and the wire bytes.
	Decode(prev, wire []byte) ([]byte, error)
}

// Resetter is implemented by strategies that keep state between cycles.
type Resetter interface{ Reset() }

// ErrBaseMismatch is returned by Decode when the wire bytes were made against
// a different base than the one given.
var ErrBaseMismatch = errors.New("bench: base mismatch")

// Baselines returns the strategies snapdelta is measured against:
//
//   - full-gzip: the whole snapshot, gzip at best compression;
//   - full-zstd: the whole snapshot, zstd at the default level;
//   - jsonpatch-gzip: an RFC 6902 patch of the whole document (wI2L/jsondiff,
//     default options) as JSON, gzip at best compression, after a 4-byte
//     FNV-1a hash of the base (what Portainer's Edge agent sends);
//   - jsonpatch-zstd: the same patch, zstd at the default level;
//   - patchfrom-zstd: zstd at its best level with the previous snapshot as a
//     raw dictionary and a window covering it, like `zstd --patch-from`.
//
// Encoders and decoders are pooled and reused, as a careful implementation
// would. The first poll (prev nil) is sent whole by every strategy. Each call
// returns new instances; they are safe for concurrent use.
func Baselines() []Strategy {
	return []Strategy{
		&wholeStrategy{name: "full-gzip", c: gzipCodec{}},
		&wholeStrategy{name: "full-zstd", c: zstdDefault},
		&jsonPatchStrategy{name: "jsonpatch-gzip", c: gzipCodec{}},
		&jsonPatchStrategy{name: "jsonpatch-zstd", c: zstdDefault},
		&patchFromStrategy{},
	}
}

// codec compresses a whole buffer.
type codec interface {
	compress(dst, src []byte) ([]byte, error)
	decompress(src []byte) ([]byte, error)
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return w
}}
var gzipReaders sync.Pool

// gzipCodec is gzip (DEFLATE) at best compression. klauspost/compress/gzip
// writes the same format as compress/gzip, faster.
type gzipCodec struct{}

func (gzipCodec) compress(dst, src []byte) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(buf)
	if _, err := w.Write(src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (gzipCodec) decompress(src []byte) ([]byte, error) {
	r, _ := gzipReaders.Get().(*gzip.Reader)
	if r == nil {
		var err error
		if r, err = gzip.NewReader(bytes.NewReader(src)); err != nil {
			return nil, err
		}
	} else if err := r.Reset(bytes.NewReader(src)); err != nil {
		return nil, err
	}
	defer gzipReaders.Put(r)
	return io.ReadAll(r)
}

// zstdCodec is klauspost zstd at one level with pooled encoders and decoders.
type zstdCodec struct {
	enc, dec *sync.Pool
}

var zstdDefault = newZstdCodec(zstd.SpeedDefault)

func newZstdCodec(level zstd.EncoderLevel) zstdCodec {
	return zstdCodec{
		enc: &sync.Pool{New: func() any {
			e, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1))
			return e
		}},
		dec: &sync.Pool{New: func() any {
			d, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
			return d
		}},
	}
}

func (z zstdCodec) compress(dst, src []byte) ([]byte, error) {
	e := z.enc.Get().(*zstd.Encoder)
	defer z.enc.Put(e)
	return e.EncodeAll(src, dst), nil
}

func (z zstdCodec) decompress(src []byte) ([]byte, error) {
	d := z.dec.Get().(*zstd.Decoder)
	defer z.dec.Put(d)
	return d.DecodeAll(src, nil)
}

// wholeStrategy compresses every snapshot on its own.
type wholeStrategy struct {
	name string
	c    codec
}

func (s *wholeStrategy) Name() string { return s.name }

func (s *wholeStrategy) Encode(_, next []byte) ([]byte, error) {
	out, err := s.c.compress(nil, next)
	if err != nil {
		return nil, fmt.Errorf("%s: encode: %w", s.name, err)
	}
	return out, nil
}

func (s *wholeStrategy) Decode(_, wire []byte) ([]byte, error) {
	out, err := s.c.decompress(wire)
	if err != nil {
		return nil, fmt.Errorf("%s: decode: %w", s.name, err)
	}
	return out, nil
}

// jsonPatchStrategy sends fnv32a(base) followed by the compressed RFC 6902
// patch from base to next. The first poll is the whole document, compressed.
//
// Both sides keep the parsed form of the last document they handled, as an
// agent keeping its previous snapshot in memory would; it is reused only
// when the bytes given are exactly the ones it was parsed from.
type jsonPatchStrategy struct {
	name string
	c    codec

	mu       sync.Mutex
	encBytes []byte // the last next given to Encode ...
	encTree  any    // ... parsed
	decBytes []byte // the last document Decode returned ...
	decTree  any    // ... parsed
	differ   jsondiff.Differ
}

func (s *jsonPatchStrategy) Name() string { return s.name }

// Reset drops the cached trees.
func (s *jsonPatchStrategy) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.encBytes, s.encTree, s.decBytes, s.decTree = nil, nil, nil, nil
}

func (s *jsonPatchStrategy) Encode(prev, next []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev == nil {
		out, err := s.c.compress(nil, next)
		if err != nil {
			return nil, fmt.Errorf("%s: encode: %w", s.name, err)
		}
		s.encBytes, s.encTree = nil, nil
		return out, nil
	}
	var base any
	if s.encTree != nil && bytes.Equal(prev, s.encBytes) {
		base = s.encTree
	} else {
		var err error
		if base, err = parseJSON(prev); err != nil {
			return nil, fmt.Errorf("%s: encode: base: %w", s.name, err)
		}
	}
	target, err := parseJSON(next)
	if err != nil {
		return nil, fmt.Errorf("%s: encode: next: %w", s.name, err)
	}
	s.differ.Reset()
	s.differ.Compare(base, target)
	patch, err := json.Marshal(s.differ.Patch())
	if err != nil {
		return nil, fmt.Errorf("%s: encode: patch: %w", s.name, err)
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(patch)/4), canonicalHash(base))
	if out, err = s.c.compress(out, patch); err != nil {
		return nil, fmt.Errorf("%s: encode: %w", s.name, err)
	}
	// A copy, so a caller reusing its buffer cannot make the cache lie.
	s.encBytes, s.encTree = append(s.encBytes[:0], next...), target
	return out, nil
}

func (s *jsonPatchStrategy) Decode(prev, wire []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev == nil {
		out, err := s.c.decompress(wire)
		if err != nil {
			return nil, fmt.Errorf("%s: decode: %w", s.name, err)
		}
		s.decBytes, s.decTree = nil, nil
		return out, nil
	}
	if len(wire) < 4 {
		return nil, fmt.Errorf("%s: decode: %d bytes, want at least 4", s.name, len(wire))
	}
	var base any
	if s.decTree != nil && bytes.Equal(prev, s.decBytes) {
		base = s.decTree // jsonpatch.Apply never writes to its input
	} else {
		var err error
		if base, err = parseJSON(prev); err != nil {
			return nil, fmt.Errorf("%s: decode: base: %w", s.name, err)
		}
	}
	if got, want := canonicalHash(base), binary.BigEndian.Uint32(wire); got != want {
		return nil, fmt.Errorf("%s: decode: base hash %08x, patch made against %08x: %w", s.name, got, want, ErrBaseMismatch)
	}
	raw, err := s.c.decompress(wire[4:])
	if err != nil {
		return nil, fmt.Errorf("%s: decode: %w", s.name, err)
	}
	ops, err := jsonpatch.DecodePatch(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: decode: %w", s.name, err)
	}
	doc, err := jsonpatch.Apply(base, ops)
	if err != nil {
		return nil, fmt.Errorf("%s: decode: %w", s.name, err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: decode: %w", s.name, err)
	}
	s.decBytes, s.decTree = bytes.Clone(out), doc
	return out, nil
}

// patchFromStrategy is `zstd --patch-from=prev`: zstd at its best level with
// the previous snapshot as a raw dictionary (dictionary id 0, as the zstd CLI
// uses) and a window that covers dictionary and input.
type patchFromStrategy struct {
	mu   sync.Mutex
	encs map[int]*zstd.Encoder // by window size: a window cannot change on reset
	dec  *zstd.Decoder
}

func (s *patchFromStrategy) Name() string { return "patchfrom-zstd" }

func patchWindow(prev, next int) int {
	n := prev + next
	if n < zstd.MinWindowSize {
		return zstd.MinWindowSize
	}
	w := 1 << bits.Len(uint(n-1))
	return min(w, zstd.MaxWindowSize)
}

func (s *patchFromStrategy) Encode(prev, next []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	win := patchWindow(len(prev), len(next))
	if s.encs == nil {
		s.encs = map[int]*zstd.Encoder{}
	}
	e := s.encs[win]
	if e == nil {
		var err error
		e, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(win))
		if err != nil {
			return nil, fmt.Errorf("patchfrom-zstd: encode: %w", err)
		}
		s.encs[win] = e
	}
	opt := zstd.WithEncoderDictDelete()
	if prev != nil {
		opt = zstd.WithEncoderDictRaw(0, prev)
	}
	if err := e.ResetWithOptions(nil, opt); err != nil {
		return nil, fmt.Errorf("patchfrom-zstd: encode: %w", err)
	}
	return e.EncodeAll(next, nil), nil
}

func (s *patchFromStrategy) Decode(prev, wire []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dec == nil {
		var err error
		if s.dec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1)); err != nil {
			return nil, fmt.Errorf("patchfrom-zstd: decode: %w", err)
		}
	}
	// A frame without a dictionary id would pick up a registered dictionary
	// 0, so a full frame needs the dictionary removed.
	opt := zstd.WithDecoderDictDelete()
	if prev != nil {
		opt = zstd.WithDecoderDictRaw(0, prev)
	}
	if err := s.dec.ResetWithOptions(nil, opt); err != nil {
		return nil, fmt.Errorf("patchfrom-zstd: decode: %w", err)
	}
	out, err := s.dec.DecodeAll(wire, nil)
	if err != nil {
		return nil, fmt.Errorf("patchfrom-zstd: decode: %w", err)
	}
	return out, nil
}
