package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Frame is a decoded frame: a whole snapshot (Kind Full), a delta (Kind
// DeltaKind), or a whole snapshot compressed against the base's (Kind
// PatchFrom, format 8), which has neither Snapshot nor Root until applied
// to its base.
//
// A delta frame (format 3 and later) may send new items as text coded
// against base items: until the frame is applied to its base (Frame.Apply),
// those items of Delta have no Value and NeedsBase reports true. A format 4
// frame names its base by the low 32 bits of its root: until the frame is
// applied, Delta.Base holds those bits (NamesBase matches a root against
// them); Apply sets it to the base's whole root.
type Frame struct {
	Header   Header
	Snapshot *snapshot.Snapshot // Full, and PatchFrom once applied: verified against Root
	Delta    *delta.Delta       // DeltaKind
	Root     uint64             // Full, and PatchFrom once applied: the root hash the frame names

	patch *pendingPatch // PatchFrom: the body still to inflate against the base
	texts *pendingTexts // items still to decode against the base
	ticks []pendingTick // status ticks still to expand against the base
	named uint64        // the base root as the frame names it (format 4: 32 bits)
	hex   [2]int        // strings sent as hex bytes (format 5): without, with a prefix
	shape map[int]int   // edit -> items patched in shape runs (format 6)
}

// pendingTick is a collection edit's status tick, which becomes item
// patches once the base is known.
type pendingTick struct {
	edit int
	tick tick
}

// NeedsBase reports whether the frame's delta is incomplete until the base
// is known: some new items were coded against base items, or a status tick
// counts up base items it finds in the base (format 4). Until Apply, such a
// Delta lacks those items and patches: apply it, or forward the frame's
// bytes, rather than encode it again.
func (f *Frame) NeedsBase() bool {
	return f.texts != nil || len(f.ticks) > 0 || (f.Header.Kind == PatchFrom && f.Snapshot == nil)
}

// NamesBase reports whether a snapshot of this root is the base the frame's
// delta applies to. A format 4 frame names its base by the low 32 bits of
// its root (the receiver holds the base and the target's 64-bit root
// proves the result): until the frame is applied, its Delta.Base holds
// only those bits, so match bases with NamesBase, not Delta.Base.
func (f *Frame) NamesBase(root uint64) bool {
	if f.Delta == nil && f.Header.Kind != PatchFrom {
		return false
	}
	if f.Header.Version >= 4 {
		return uint32(root) == uint32(f.named)
	}
	return root == f.named
}

// BaseName formats the base root as the frame names it, for messages: 16
// hex digits, or 8 in a format 4 frame.
func (f *Frame) BaseName() string {
	if f.Header.Version >= 4 {
		return fmt.Sprintf("%08x", uint32(f.named))
	}
	return snapshot.FormatHash(f.named)
}

// Apply rebuilds the snapshot the frame describes: a full frame's snapshot,
// or the delta applied to base (ErrUnknownBase when base is nil or is not
// the delta's base). It decodes the items coded against base items first.
// It never modifies base. A Frame is not safe for concurrent Apply calls.
func (f *Frame) Apply(base *snapshot.Snapshot) (*snapshot.Snapshot, error) {
	if f.Header.Kind == Full {
		return f.Snapshot, nil
	}
	if base == nil {
		return nil, fmt.Errorf("codec: %s frame needs base %s, none given: %w", f.Header.Kind, f.BaseName(), ErrUnknownBase)
	}
	if !f.NamesBase(base.Hash()) {
		return nil, fmt.Errorf("codec: %s frame needs base %s, given %s: %w",
			f.Header.Kind, f.BaseName(), snapshot.FormatHash(base.Hash()), ErrUnknownBase)
	}
	if f.Header.Kind == PatchFrom {
		return f.applyPatchFrom(base)
	}
	f.Delta.Base = base.Hash()
	for len(f.ticks) > 0 {
		pt := f.ticks[0]
		e := &f.Delta.Edits[pt.edit]
		arr, ok := nodeAt(base.Root(), e.Path)
		if !ok || arr.Kind() != snapshot.Array {
			return nil, fmt.Errorf("codec: edit %d: a status tick, but the base has no array at %s: %w", pt.edit, delta.PathString(e.Path), ErrCorrupt)
		}
		if err := pt.tick.expand(e.Collection, arr); err != nil {
			return nil, fmt.Errorf("codec: edit %d: %w", pt.edit, err)
		}
		f.ticks = f.ticks[1:]
	}
	if f.texts != nil {
		if err := f.texts.resolve(f.Delta, base); err != nil {
			return nil, err
		}
		f.texts = nil
	}
	if err := f.Delta.SetOrigin(base); err != nil {
		return nil, err
	}
	return delta.Apply(base, f.Delta)
}

// Decoder reads frames within limits. It is safe for concurrent use.
type Decoder struct {
	maxSize  int
	maxDepth int
	maxItems int
	cfg      *snapshot.Config
	window   uint64                   // largest zstd window accepted
	zdec     map[uint64]*zstd.Decoder // by dictionary id
}

// NewDecoder returns a Decoder with the default limits changed by opts.
func NewDecoder(opts ...DecoderOption) (*Decoder, error) {
	d := &Decoder{maxSize: DefaultMaxDecodedSize, maxDepth: DefaultMaxDepth, maxItems: DefaultMaxItems, cfg: snapshot.DefaultConfig()}
	for _, o := range opts {
		if err := o(d); err != nil {
			return nil, err
		}
	}
	window := max(d.maxSize, zstd.MinWindowSize)
	d.window = uint64(min(window, zstd.MaxWindowSize))
	d.zdec = make(map[uint64]*zstd.Decoder, len(dictionaries))
	for id, dict := range dictionaries {
		z, err := zstd.NewReader(nil, d.zstdOptions(dict.zstd)...)
		if err != nil {
			return nil, fmt.Errorf("codec: zstd decoder: %w", err)
		}
		d.zdec[id] = z
	}
	return d, nil
}

// zstdOptions are the zstd decoder's limits, and the raw content
// dictionary of the frames' codec dictionary (nil for none). zstd frames
// carry no dictionary id: the snapdelta header names the dictionary.
func (d *Decoder) zstdOptions(dict []byte) []zstd.DOption {
	opts := []zstd.DOption{
		zstd.WithDecoderMaxMemory(uint64(d.maxSize)),
		zstd.WithDecoderMaxWindow(d.window),
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderLowmem(true),
		// DecodeAll stops at the capacity of its destination, which Decode
		// sizes to the body length the header promises: a body that
		// inflates past its promise is refused there, without the
		// destination growing towards maxSize by doubling first (a 1 GiB
		// bomb behind a small promise cost ~375 MiB of allocation before).
		zstd.WithDecodeAllCapLimit(true),
	}
	if dict != nil {
		opts = append(opts, zstd.WithDecoderDictRaw(0, dict))
	}
	return opts
}

// zstdFor returns the zstd decoder of a frame's dictionary.
func (d *Decoder) zstdFor(h Header) *zstd.Decoder { return d.zdec[h.Dictionary] }

var defaultDecoder, _ = NewDecoder()

// Decode decodes a frame with a shared default Decoder.
func Decode(frame []byte) (*Frame, error) { return defaultDecoder.Decode(frame) }

// Apply rebuilds the snapshot a frame describes with a shared default
// Decoder; see Decoder.Apply.
func Apply(base *snapshot.Snapshot, frame []byte) (*snapshot.Snapshot, error) {
	return defaultDecoder.Apply(base, frame)
}

// Inspect describes a frame with a shared default Decoder.
func Inspect(frame []byte) (*Info, error) { return defaultDecoder.Inspect(frame) }

// Decode decodes a frame. A full frame's snapshot is verified against the
// root hash the frame names (ErrVerify on mismatch).
func (d *Decoder) Decode(frame []byte) (*Frame, error) {
	h, body, err := d.body(frame)
	if err != nil {
		return nil, err
	}
	if h.Kind == PatchFrom {
		return d.decodePatchFrom(h, body)
	}
	r := d.newReader(body, h.Version, dictionaries[h.Dictionary])
	f := &Frame{Header: h}
	switch h.Kind {
	case Full:
		f.Root, f.Snapshot, err = r.verifiedFull(d.cfg, Full)
	case DeltaKind:
		f.Delta, err = r.delta()
		if err == nil {
			f.named, f.ticks = f.Delta.Base, r.ticks
		}
		if err == nil && len(r.pending) > 0 {
			f.texts = &pendingTexts{items: r.pending, blob: r.blob, magicless: h.Version >= 4, version: h.Version, dict: r.dict, dec: d, budget: d.maxItems - r.items}
		}
	}
	if err != nil {
		return nil, err
	}
	f.hex = r.hex
	f.shape = r.shape
	if r.br.Len() != 0 {
		return nil, fmt.Errorf("codec: body: %d trailing bytes: %w", r.br.Len(), ErrCorrupt)
	}
	return f, nil
}

// Apply decodes frame and rebuilds the snapshot it describes: a full frame's
// snapshot, or a delta frame applied to base (which may be nil only for a
// full frame). It never modifies base.
func (d *Decoder) Apply(base *snapshot.Snapshot, frame []byte) (*snapshot.Snapshot, error) {
	f, err := d.Decode(frame)
	if err != nil {
		return nil, err
	}
	return f.Apply(base)
}

// body returns the frame's header and decoded body (a patch-from frame's
// payload as it is).
func (d *Decoder) body(frame []byte) (Header, []byte, error) {
	h, err := ParseHeader(frame)
	if err != nil {
		return h, nil, err
	}
	if h.BodySize > uint64(d.maxSize) {
		return h, nil, fmt.Errorf("codec: body of %d bytes exceeds the limit of %d: %w", h.BodySize, d.maxSize, ErrTooLarge)
	}
	payload := frame[h.HeaderSize:]
	if h.Compression == None || h.Kind == PatchFrom {
		// A patch-from payload inflates only against its base.
		return h, payload, nil
	}
	switch {
	case h.Compression == ZstdBlock:
		buf := lendZstdBuffer()
		*buf = appendBlockFrame(*buf, payload, h.BodySize)
		defer returnZstdBuffer(buf)
		payload = *buf
	case h.Version >= 4:
		buf := lendZstdMagic(payload)
		defer returnZstdBuffer(buf)
		payload = *buf
	}
	// Reserve what the header promises, but never more than the payload
	// can inflate to: a 25-byte frame claiming 64 MiB reserved 64 MiB.
	out, err := d.zstdFor(h).DecodeAll(payload, make([]byte, 0, min(h.BodySize, zstdBound(len(payload)))))
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) {
			return h, nil, fmt.Errorf("codec: body: zstd: %v: %w", err, ErrTooLarge)
		}
		// Running out of room inside a block is reported like a corrupt
		// block, so ask again: a stream that inflates past its promise
		// is too large, whatever else is wrong with it.
		if d.inflatesPast(payload, h.BodySize, dictionaries[h.Dictionary].zstd) {
			return h, nil, fmt.Errorf("codec: body: zstd: inflates past the %d bytes the header promises: %w", h.BodySize, ErrTooLarge)
		}
		return h, nil, fmt.Errorf("codec: body: zstd: %v: %w", err, ErrCorrupt)
	}
	if uint64(len(out)) != h.BodySize {
		return h, nil, fmt.Errorf("codec: body: decompressed to %d bytes, header says %d: %w", len(out), h.BodySize, ErrCorrupt)
	}
	return h, out, nil
}

// zstdBufs lend the buffers a zstd payload is rebuilt in as a whole zstd
// frame: behind the magic number its writer left out (format 4 and
// later), or around a bare block (format 5). zstd decodes a frame whole,
// and a server decodes a frame per poll of every environment.
var zstdBufs = sync.Pool{New: func() any { return new([]byte) }}

// lendZstdMagic returns a lent buffer holding the zstd magic number and
// payload; give it back with returnZstdBuffer once decoded.
func lendZstdMagic(payload []byte) *[]byte {
	buf := lendZstdBuffer()
	*buf = append(append(*buf, zstdMagic[:]...), payload...)
	return buf
}

// lendZstdBuffer returns an empty lent buffer; give it back with
// returnZstdBuffer.
func lendZstdBuffer() *[]byte {
	buf := zstdBufs.Get().(*[]byte)
	*buf = (*buf)[:0]
	return buf
}

// returnZstdBuffer gives a buffer back, unless it grew past what a delta
// frame needs (a full frame's megabytes are not worth holding).
func returnZstdBuffer(buf *[]byte) {
	if cap(*buf) <= 64<<10 {
		zstdBufs.Put(buf)
	}
}

// zstdBound is the most a zstd stream of n bytes inflates to: a block
// yields at most 128 KiB and takes at least 4 bytes (an RLE block). A
// stream past the bound breaks the format and is refused as too large.
func zstdBound(n int) uint64 { return (uint64(n)/4 + 1) * (128 << 10) }

// inflatesPast reports whether the zstd stream payload decodes to more than
// n bytes, holding no more than one window of it at a time. It runs only
// for streams DecodeAll refused.
func (d *Decoder) inflatesPast(payload []byte, n uint64, dict []byte) bool {
	opts := []zstd.DOption{
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(d.window),
	}
	if dict != nil {
		opts = append(opts, zstd.WithDecoderDictRaw(0, dict))
	}
	zr, err := zstd.NewReader(bytes.NewReader(payload), opts...)
	if err != nil {
		return false
	}
	defer zr.Close()
	got, _ := io.CopyN(io.Discard, zr, int64(min(n, math.MaxInt64-1))+1)
	return uint64(got) > n
}

// reader decodes a body through msgpack's primitive calls, checking every
// length prefix against the bytes left before anything is allocated:
// msgpack's own decoding into slices and maps trusts the prefix.
type reader struct {
	br      *bytes.Reader
	dec     *msgpack.Decoder
	d       *Decoder
	items   int
	version uint8
	dict    *dictionary
	edit    int           // index of the edit being read
	pending []pendingText // new items sent as text (format 3)
	blob    []byte        // their zstd stream
	ticks   []pendingTick // status ticks (format 4)
	hex     [2]int        // hex strings read (format 5): without, with a prefix
	shape   map[int]int   // edit -> items patched in shape runs (format 6)
}

func (d *Decoder) newReader(body []byte, version uint8, dict *dictionary) *reader {
	br := bytes.NewReader(body)
	return &reader{br: br, dec: msgpack.NewDecoder(br), d: d, version: version, dict: dict}
}

// name reads a member name, pointer or rule: a string, or (format 2) the
// index of a name in the frame's dictionary.
func (r *reader) name(what string) (string, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return "", r.corrupt(what, err)
	}
	if msgpcode.IsString(c) {
		return r.str(what)
	}
	i, err := r.uint64(what)
	if err != nil {
		return "", err
	}
	s, ok := r.dict.name(i)
	if !ok {
		return "", r.corrupt(fmt.Sprintf("%s: name %d is not in dictionary %d", what, i, r.dict.id), nil)
	}
	return s, nil
}

// ref reads a base item's name: a key, or (format 2) a base position.
func (r *reader) ref(what string) (key string, at int, byPos bool, err error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return "", 0, false, r.corrupt(what, err)
	}
	if r.version >= 2 && !r.isText(c) {
		at, err := r.int(what)
		if err == nil && at < 0 {
			err = r.corrupt(fmt.Sprintf("%s: negative position %d", what, at), nil)
		}
		return "", at, true, err
	}
	key, err = r.text(what)
	return key, 0, false, err
}

func (r *reader) corrupt(what string, err error) error {
	pos := r.br.Size() - int64(r.br.Len())
	if err != nil {
		return fmt.Errorf("codec: body offset %d: %s: %v: %w", pos, what, err, ErrCorrupt)
	}
	return fmt.Errorf("codec: body offset %d: %s: %w", pos, what, ErrCorrupt)
}

// length checks a count of elements, each taking at least minBytes, against
// the bytes left and the item budget.
func (r *reader) length(n, minBytes int, what string) error {
	if n < 0 {
		return r.corrupt(what+": negative length", nil)
	}
	if n > r.br.Len()/minBytes {
		return r.corrupt(fmt.Sprintf("%s: length %d exceeds the %d bytes left", what, n, r.br.Len()), nil)
	}
	return r.spend(n)
}

// spend counts n more items against the item budget.
func (r *reader) spend(n int) error {
	r.items += n
	if r.items > r.d.maxItems {
		return fmt.Errorf("codec: body: more than %d items: %w", r.d.maxItems, ErrTooLarge)
	}
	return nil
}

func (r *reader) arrayLen(what string, minBytes int) (int, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return 0, r.corrupt(what, err)
	}
	if !msgpcode.IsFixedArray(c) && c != msgpcode.Array16 && c != msgpcode.Array32 {
		return 0, r.corrupt(fmt.Sprintf("%s: expected an array, found code 0x%02x", what, c), nil)
	}
	n, err := r.dec.DecodeArrayLen()
	if err != nil {
		return 0, r.corrupt(what, err)
	}
	return n, r.length(n, minBytes, what)
}

// tuple reads an array header that must hold exactly n elements.
func (r *reader) tuple(what string, n int) error {
	got, err := r.arrayLen(what, 1)
	if err != nil {
		return err
	}
	if got != n {
		return r.corrupt(fmt.Sprintf("%s: %d elements, want %d", what, got, n), nil)
	}
	return nil
}

func (r *reader) str(what string) (string, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return "", r.corrupt(what, err)
	}
	if !msgpcode.IsString(c) {
		return "", r.corrupt(fmt.Sprintf("%s: expected a string, found code 0x%02x", what, c), nil)
	}
	b, err := r.payload(what)
	if err != nil {
		return "", err
	}
	// Every string of a frame ends up in JSON (values, member names, keys,
	// pointers), which cannot carry invalid UTF-8.
	if !utf8.Valid(b) {
		return "", r.corrupt(what+": invalid UTF-8", nil)
	}
	return string(b), nil
}

func (r *reader) uint64(what string) (uint64, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return 0, r.corrupt(what, err)
	}
	// Negative fixints are fixnums too, but a hash or a kind is unsigned.
	if c > msgpcode.PosFixedNumHigh && (c < msgpcode.Uint8 || c > msgpcode.Uint64) {
		return 0, r.corrupt(fmt.Sprintf("%s: expected an unsigned integer, found code 0x%02x", what, c), nil)
	}
	v, err := r.dec.DecodeUint64()
	if err != nil {
		return 0, r.corrupt(what, err)
	}
	return v, nil
}

// int reads an integer that must fit 32 bits (positions, lengths).
func (r *reader) int(what string) (int, error) {
	v, err := r.int64(what)
	if err != nil {
		return 0, err
	}
	if v < -1<<31 || v > 1<<31-1 {
		return 0, r.corrupt(fmt.Sprintf("%s: %d out of range", what, v), nil)
	}
	return int(v), nil
}

// positionRun reads ascending base positions written as the first
// position then the gaps to the next (each at least 1): an array of at
// least 2 int32s for a grouped item patch, of any length for a status
// tick's exceptions (least). what names one position in errors.
func (r *reader) positionRun(what string, least int) ([]int, error) {
	n, err := r.arrayLen(what+"s", 1)
	if err != nil {
		return nil, err
	}
	if n < least {
		return nil, r.corrupt(fmt.Sprintf("%ss: %d, want at least %d", what, n, least), nil)
	}
	at := make([]int, n)
	for k := range at {
		v, err := r.int(what)
		if err != nil {
			return nil, err
		}
		switch {
		case k == 0 && v < 0:
			return nil, r.corrupt(fmt.Sprintf("%s %d", what, v), nil)
		case k > 0 && (v < 1 || at[k-1] > math.MaxInt32-v):
			return nil, r.corrupt(fmt.Sprintf("%s gap %d", what, v), nil)
		case k > 0:
			v += at[k-1]
		}
		at[k] = v
	}
	return at, nil
}

// nextIsArray reports whether the next element is an array.
func (r *reader) nextIsArray() bool {
	c, err := r.dec.PeekCode()
	return err == nil && (msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32)
}

// textItem reads the models of an item sent as text into it.Like, and
// returns the length of its text.
func (r *reader) textItem(it *delta.Item) (int, error) {
	n, err := r.arrayLen("put models", 1)
	if err != nil {
		return 0, err
	}
	for range n {
		i, err := r.int("put model")
		if err != nil {
			return 0, err
		}
		if i < 0 || slices.Contains(it.Like, i) {
			return 0, r.corrupt(fmt.Sprintf("put models: position %d negative or named twice", i), nil)
		}
		it.Like = append(it.Like, i)
	}
	size, err := r.int("put text length")
	if err != nil {
		return 0, err
	}
	if size <= 0 {
		return 0, r.corrupt(fmt.Sprintf("item sent as text of %d bytes", size), nil)
	}
	return size, nil
}

func (r *reader) isNil() bool {
	c, err := r.dec.PeekCode()
	return err == nil && c == msgpcode.Nil
}

// verifiedFull reads a whole snapshot's body to its end and checks the
// value against the root it names: a full frame's body, or a patch-from
// frame's once inflated.
func (r *reader) verifiedFull(cfg *snapshot.Config, kind Kind) (uint64, *snapshot.Snapshot, error) {
	if err := r.tuple("full frame", 2); err != nil {
		return 0, nil, err
	}
	root, err := r.uint64("root hash")
	if err != nil {
		return 0, nil, err
	}
	n, err := r.value(0)
	if err != nil {
		return 0, nil, err
	}
	s := snapshot.New(n, cfg)
	if r.br.Len() != 0 {
		return 0, nil, fmt.Errorf("codec: body: %d trailing bytes: %w", r.br.Len(), ErrCorrupt)
	}
	if s.Hash() != root {
		return 0, nil, fmt.Errorf("codec: %s frame: snapshot root is %s, the frame names %s: %w",
			kind, snapshot.FormatHash(s.Hash()), snapshot.FormatHash(root), ErrVerify)
	}
	return root, s, nil
}

func (r *reader) delta() (*delta.Delta, error) {
	m, err := r.arrayLen("delta frame", 1)
	if err != nil {
		return nil, err
	}
	if m != 3 && (m != 4 || r.version < 3) {
		return nil, r.corrupt(fmt.Sprintf("delta frame: %d elements, want 3", m), nil)
	}
	var d delta.Delta
	if d.Base, err = r.uint64("base root"); err != nil {
		return nil, err
	}
	if r.version >= 4 && d.Base > math.MaxUint32 {
		return nil, r.corrupt(fmt.Sprintf("base root: %d does not fit the 32 bits of format %d", d.Base, r.version), nil)
	}
	if d.Target, err = r.uint64("target root"); err != nil {
		return nil, err
	}
	n, err := r.arrayLen("edits", 3)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		d.Edits = make([]delta.Edit, n)
	}
	for i := range d.Edits {
		r.edit = i
		if err := r.readEdit(&d.Edits[i]); err != nil {
			return nil, fmt.Errorf("edit %d: %w", i, err)
		}
	}
	// [base, target, edits, items]: the items stream is there exactly when
	// some item is sent as text.
	if m == 4 {
		if r.blob, err = r.bin("items stream"); err != nil {
			return nil, err
		}
	}
	if (m == 4) != (len(r.pending) > 0) {
		return nil, r.corrupt(fmt.Sprintf("delta frame of %d elements with %d items sent as text", m, len(r.pending)), nil)
	}
	if r.version >= 4 && len(d.Edits) == 0 && d.Base == uint64(uint32(d.Target)) {
		// No edit: only the target itself can be the base it names, so
		// the delta is "no change" (Delta.Empty) before it is applied.
		d.Base = d.Target
	}
	return &d, nil
}

// bin reads a msgpack bin.
func (r *reader) bin(what string) ([]byte, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return nil, r.corrupt(what, err)
	}
	if c != msgpcode.Bin8 && c != msgpcode.Bin16 && c != msgpcode.Bin32 {
		return nil, r.corrupt(fmt.Sprintf("%s: expected a bin, found code 0x%02x", what, c), nil)
	}
	return r.payload(what)
}

// payload reads the bytes of a str or bin whose code was checked, its
// length against the bytes left before allocating.
func (r *reader) payload(what string) ([]byte, error) {
	n, err := r.dec.DecodeBytesLen()
	if err != nil {
		return nil, r.corrupt(what, err)
	}
	if n < 0 || n > r.br.Len() {
		return nil, r.corrupt(fmt.Sprintf("%s: %d bytes exceed the %d bytes left", what, n, r.br.Len()), nil)
	}
	b := make([]byte, n)
	if err := r.dec.ReadFull(b); err != nil {
		return nil, r.corrupt(what, err)
	}
	return b, nil
}

func (r *reader) readEdit(e *delta.Edit) error {
	if err := r.tuple("edit", 3); err != nil {
		return err
	}
	k, err := r.uint64("edit kind")
	if err != nil {
		return err
	}
	if k > math.MaxUint8 {
		// Converting would truncate 257 to Set.
		return r.corrupt(fmt.Sprintf("unknown edit kind %d", k), nil)
	}
	e.Kind = delta.EditKind(k)
	np, err := r.arrayLen("edit path", 1)
	if err != nil {
		return err
	}
	e.Path = make([]string, np)
	for i := range e.Path {
		if e.Path[i], err = r.name("edit path"); err != nil {
			return err
		}
	}
	// A value's depth counts from the place it lands, so that no sequence
	// of deltas can nest a snapshot deeper than one full frame may.
	switch e.Kind {
	case delta.Set:
		e.Value, err = r.value(len(e.Path))
		return err
	case delta.Remove:
		if err := r.dec.DecodeNil(); err != nil {
			return r.corrupt("remove edit payload", err)
		}
		return nil
	case delta.Patch:
		e.Ops, err = r.ops(len(e.Path))
		return err
	case delta.Keyed:
		e.Collection, err = r.collection(len(e.Path) + 1) // items sit inside the array
		return err
	}
	return r.corrupt(fmt.Sprintf("unknown edit kind %d", k), nil)
}

// collection reads a collection edit whose items sit at depth itemDepth.
func (r *reader) collection(itemDepth int) (*delta.CollectionEdit, error) {
	m, err := r.arrayLen("collection edit", 1)
	if err != nil {
		return nil, err
	}
	if m != 5 && (m != 6 || r.version < 4) {
		return nil, r.corrupt(fmt.Sprintf("collection edit: %d elements, want 5", m), nil)
	}
	c := &delta.CollectionEdit{}
	if c.Rule, err = r.name("collection rule"); err != nil {
		return nil, err
	}
	n, err := r.arrayLen("removed items", 1)
	if err != nil {
		return nil, err
	}
	for range n {
		k, at, byPos, err := r.ref("removed item")
		if err != nil {
			return nil, err
		}
		if byPos {
			c.RemoveAt = append(c.RemoveAt, at)
		} else {
			c.Remove = append(c.Remove, k)
		}
	}
	if n, err = r.arrayLen("put items", 4); err != nil {
		return nil, err
	}
	for range n {
		m, err := r.arrayLen("put item", 1)
		if err != nil {
			return nil, err
		}
		var it delta.Item
		newItem := r.version >= 2 && r.isNil()
		switch {
		case newItem && (m == 4 || m == 5 && r.version >= 7):
			_ = r.dec.DecodeNil()
			if it.Index, err = r.int("put index"); err != nil {
				return nil, err
			}
			if it.Index < 0 {
				return nil, r.corrupt("new item: negative position", nil)
			}
			if r.version >= 3 && r.nextIsArray() {
				// [nil, index, like, length]: an item sent as text;
				// [nil, index, like, length, copies]: one leaving out
				// copied members (format 7).
				size, err := r.textItem(&it)
				if err != nil {
					return nil, err
				}
				var copies uint64
				if m == 5 {
					if copies, err = r.uint64("put copied members"); err != nil {
						return nil, err
					}
					if copies == 0 || copies&^allCopies != 0 {
						return nil, r.corrupt(fmt.Sprintf("put copied members: mask %#x", copies), nil)
					}
				}
				r.pending = append(r.pending, pendingText{edit: r.edit, put: len(c.Put), like: it.Like, size: size, copies: copies})
				c.Put = append(c.Put, it)
				continue
			}
			if m == 5 {
				return nil, r.corrupt("item built from a base item: 5 elements, want 4", nil)
			}
			// [nil, index, from, operations]: an item built from a base item.
			if it.From, err = r.int("put model"); err != nil {
				return nil, err
			}
			if it.From < 0 {
				return nil, r.corrupt("item built from a base item: negative position", nil)
			}
			it.HasFrom = true
			if it.Ops, err = r.ops(itemDepth); err != nil {
				return nil, err
			}
			c.Put = append(c.Put, it)
			continue
		case m != 3:
			return nil, r.corrupt(fmt.Sprintf("put item: %d elements, want 3", m), nil)
		case newItem:
			_ = r.dec.DecodeNil()
		default:
			if it.Key, it.At, it.ByPos, err = r.ref("put key"); err != nil {
				return nil, err
			}
		}
		if it.Index, err = r.int("put index"); err != nil {
			return nil, err
		}
		if newItem && it.Index < 0 {
			return nil, r.corrupt("put item without a key must be an insertion", nil)
		}
		if it.Value, err = r.value(itemDepth); err != nil {
			return nil, err
		}
		c.Put = append(c.Put, it)
	}
	if n, err = r.arrayLen("patched items", 3); err != nil {
		return nil, err
	}
	for range n {
		m, err := r.arrayLen("item patch", 1)
		if err != nil {
			return nil, err
		}
		if m == 3 && r.version >= 6 {
			if c.Patch, err = r.shapeRun(itemDepth, c.Patch); err != nil {
				return nil, err
			}
			continue
		}
		if m != 2 {
			return nil, r.corrupt(fmt.Sprintf("item patch: %d elements, want 2", m), nil)
		}
		if r.version >= 3 && r.nextIsArray() {
			// [[first, gap, ...], operations]: one patch for several items.
			at, err := r.positionRun("patched position", 2)
			if err != nil {
				return nil, err
			}
			ops, err := r.ops(itemDepth)
			if err != nil {
				return nil, err
			}
			for _, i := range at {
				c.Patch = append(c.Patch, delta.ItemPatch{At: i, ByPos: true, Ops: ops})
			}
			continue
		}
		var p delta.ItemPatch
		if p.Key, p.At, p.ByPos, err = r.ref("patch key"); err != nil {
			return nil, err
		}
		if p.Ops, err = r.ops(itemDepth); err != nil {
			return nil, err
		}
		c.Patch = append(c.Patch, p)
	}
	if r.isNil() {
		_ = r.dec.DecodeNil()
	} else {
		if n, err = r.arrayLen("order", 1); err != nil {
			return nil, err
		}
		c.Order = make([]int, n)
		for i := range c.Order {
			if c.Order[i], err = r.int("order"); err != nil {
				return nil, err
			}
		}
	}
	if m == 6 {
		t, err := r.tick()
		if err != nil {
			return nil, err
		}
		r.ticks = append(r.ticks, pendingTick{edit: r.edit, tick: t})
	}
	return c, nil
}

// shapeRun reads [[first, gap, ...], operations, columns] (format 6) and
// appends the patch of every item of the run to patches: the first item's
// operations as written, the others' with the numbers their columns give.
func (r *reader) shapeRun(itemDepth int, patches []delta.ItemPatch) ([]delta.ItemPatch, error) {
	at, err := r.positionRun("shape run position", 2)
	if err != nil {
		return nil, err
	}
	first, err := r.ops(itemDepth)
	if err != nil {
		return nil, err
	}
	if err := r.tuple("shape run columns", len(first)); err != nil {
		return nil, err
	}
	// Each item gets its own copy of the operations: count them against
	// the item budget, or a short run of many operations would build
	// millions.
	if err := r.spend((len(at) - 1) * len(first)); err != nil {
		return nil, err
	}
	rows := make([][]delta.Op, len(at))
	rows[0] = first
	for k := 1; k < len(at); k++ {
		rows[k] = slices.Clone(first)
	}
	varies := false
	for j, o := range first {
		if r.isNil() {
			_ = r.dec.DecodeNil()
			continue
		}
		if !hasColumnArgument(o.Kind) {
			return nil, r.corrupt(fmt.Sprintf("shape run: a column for a %s operation", o.Kind), nil)
		}
		if err := r.tuple("shape run column", len(at)-1); err != nil {
			return nil, err
		}
		seconds := o.Kind == delta.OpShiftTime && wholeSeconds(o)
		v := columnArgument(o, seconds)
		for k := 1; k < len(at); k++ {
			d, err := r.int64("shape run difference")
			if err != nil {
				return nil, err
			}
			if (d > 0 && v > math.MaxInt64-d) || (d < 0 && v < math.MinInt64-d) {
				return nil, r.corrupt("shape run: a column overflows", nil)
			}
			v += d
			n := v
			if seconds {
				if v > math.MaxInt64/int64(time.Second) || v < math.MinInt64/int64(time.Second) {
					return nil, r.corrupt(fmt.Sprintf("shape run: time shift of %d seconds overflows", v), nil)
				}
				n = v * int64(time.Second)
			}
			rows[k][j].Int = n
		}
		varies = true
	}
	if !varies {
		// Every column nil: a run of identical patches has its own form.
		return nil, r.corrupt("shape run without a column", nil)
	}
	for k, i := range at {
		patches = append(patches, delta.ItemPatch{At: i, ByPos: true, Ops: rows[k]})
	}
	if r.shape == nil {
		r.shape = map[int]int{}
	}
	r.shape[r.edit] += len(at)
	return patches, nil
}

// tick reads a status tick: [pointer, word, step, [first, gap, ...]], the
// word nil in a humanized tick.
func (r *reader) tick() (tick, error) {
	var t tick
	if err := r.tuple("status tick", 4); err != nil {
		return t, err
	}
	var err error
	if t.pointer, err = r.name("status tick pointer"); err != nil {
		return t, err
	}
	if r.isNil() {
		_ = r.dec.DecodeNil()
		t.humanized = true
	} else if t.word, err = r.str("status tick word"); err != nil {
		return t, err
	} else if t.word == "" || isDigit(t.word[0]) {
		return t, r.corrupt(fmt.Sprintf("status tick word %q: empty or beginning with a digit", t.word), nil)
	}
	if t.step, err = r.int64("status tick step"); err != nil {
		return t, err
	}
	if t.step == 0 {
		return t, r.corrupt("status tick step 0", nil)
	}
	if t.humanized && (t.step < 1 || t.step > maxHumanizedStep) {
		return t, r.corrupt(fmt.Sprintf("humanized status tick step %d: not 1 to %d minutes", t.step, maxHumanizedStep), nil)
	}
	t.except, err = r.positionRun("status tick exception", 0)
	return t, err
}

// ops reads RFC 6902 operations on a value at depth depth.
func (r *reader) ops(depth int) ([]delta.Op, error) {
	n, err := r.arrayLen("operations", 3)
	if err != nil {
		return nil, err
	}
	ops := make([]delta.Op, n)
	for i := range ops {
		m, err := r.arrayLen("operation", 1)
		if err != nil {
			return nil, err
		}
		k, err := r.uint64("operation kind")
		if err != nil {
			return nil, err
		}
		if k > math.MaxUint8 {
			return nil, r.corrupt(fmt.Sprintf("unknown operation kind %d", k), nil)
		}
		o := &ops[i]
		o.Kind = delta.OpKind(k)
		if o.Path, err = r.name("operation path"); err != nil {
			return nil, err
		}
		want := 3
		switch o.Kind {
		case delta.OpAdd, delta.OpReplace, delta.OpTest:
			if m == want {
				// The pointer's reference tokens are the levels below depth.
				o.Value, err = r.value(depth + strings.Count(o.Path, "/"))
			}
		case delta.OpMove, delta.OpCopy:
			if m == want {
				o.From, err = r.name("operation from")
			}
		case delta.OpRemove:
			want = 2
		case delta.OpIncrement:
			if r.version < 2 {
				return nil, r.corrupt(fmt.Sprintf("operation kind %d in a format %d frame", k, r.version), nil)
			}
			if m == want {
				o.Int, err = r.int64("increment")
			}
		case wireShiftSeconds, wireShiftNanos:
			if r.version < 2 {
				return nil, r.corrupt(fmt.Sprintf("operation kind %d in a format %d frame", k, r.version), nil)
			}
			want = 4
			o.Kind = delta.OpShiftTime
			if m == want {
				err = r.shift(o, k == wireShiftSeconds)
			}
		case delta.OpSplice:
			if r.version < 2 {
				return nil, r.corrupt(fmt.Sprintf("operation kind %d in a format %d frame", k, r.version), nil)
			}
			want = 5
			if m == want {
				if o.Prefix, err = r.int("splice prefix"); err == nil {
					if o.Suffix, err = r.int("splice suffix"); err == nil {
						o.Text, err = r.text("splice text")
					}
				}
			}
		case delta.OpIncrementText:
			if r.version < 3 {
				return nil, r.corrupt(fmt.Sprintf("operation kind %d in a format %d frame", k, r.version), nil)
			}
			want = 4
			if m == want {
				if o.Int, err = r.int64("text increment"); err == nil {
					o.Run, err = r.int("text increment run")
				}
			}
		default:
			return nil, r.corrupt(fmt.Sprintf("unknown operation kind %d", k), nil)
		}
		if err != nil {
			return nil, err
		}
		if m != want {
			return nil, r.corrupt(fmt.Sprintf("%s operation of %d elements, want %d", o.Kind, m, want), nil)
		}
	}
	return ops, nil
}

// shift reads a time shift's amount and layout.
func (r *reader) shift(o *delta.Op, seconds bool) error {
	v, err := r.int64("time shift")
	if err != nil {
		return err
	}
	if seconds {
		if v > math.MaxInt64/int64(time.Second) || v < math.MinInt64/int64(time.Second) {
			return r.corrupt(fmt.Sprintf("time shift of %d seconds overflows", v), nil)
		}
		v *= int64(time.Second)
	}
	o.Int = v
	l, err := r.uint64("time layout")
	if err != nil {
		return err
	}
	if l > uint64(delta.LayoutFixed9) {
		return r.corrupt(fmt.Sprintf("unknown time layout %d", l), nil)
	}
	o.Layout = delta.TimeLayout(l)
	return nil
}

func (r *reader) int64(what string) (int64, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return 0, r.corrupt(what, err)
	}
	if !msgpcode.IsFixedNum(c) && (c < msgpcode.Uint8 || c > msgpcode.Int64) {
		return 0, r.corrupt(fmt.Sprintf("%s: expected an integer, found code 0x%02x", what, c), nil)
	}
	if c == msgpcode.Uint64 {
		u, err := r.dec.DecodeUint64()
		if err != nil {
			return 0, r.corrupt(what, err)
		}
		if u > math.MaxInt64 {
			return 0, r.corrupt(fmt.Sprintf("%s: %d out of range", what, u), nil)
		}
		return int64(u), nil
	}
	v, err := r.dec.DecodeInt64()
	if err != nil {
		return 0, r.corrupt(what, err)
	}
	return v, nil
}

// value decodes one JSON value.
func (r *reader) value(depth int) (*snapshot.Node, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return nil, r.corrupt("value", err)
	}
	switch {
	case c == msgpcode.Nil:
		_ = r.dec.DecodeNil()
		return snapshot.NewNull(), nil
	case c == msgpcode.False || c == msgpcode.True:
		b, err := r.dec.DecodeBool()
		if err != nil {
			return nil, r.corrupt("value", err)
		}
		return snapshot.NewBool(b), nil
	case msgpcode.IsFixedNum(c) || (c >= msgpcode.Uint8 && c <= msgpcode.Int64):
		if c == msgpcode.Uint64 {
			v, err := r.dec.DecodeUint64()
			if err != nil {
				return nil, r.corrupt("number", err)
			}
			return snapshot.NewNumber(strconv.FormatUint(v, 10))
		}
		v, err := r.dec.DecodeInt64()
		if err != nil {
			return nil, r.corrupt("number", err)
		}
		return snapshot.NewNumber(strconv.FormatInt(v, 10))
	case msgpcode.IsString(c):
		s, err := r.str("string")
		if err != nil {
			return nil, err
		}
		n, err := snapshot.NewString(s)
		if err != nil {
			return nil, r.corrupt("string", err)
		}
		return n, nil
	case msgpcode.IsExt(c):
		id, n, err := r.dec.DecodeExtHeader()
		if err != nil {
			return nil, r.corrupt("extension", err)
		}
		if r.version >= 5 && (id == extHex || id == extPrefixedHex) {
			s, err := r.hexText(id, n, "string")
			if err != nil {
				return nil, err
			}
			node, err := snapshot.NewString(s)
			if err != nil {
				return nil, r.corrupt("string", err)
			}
			return node, nil
		}
		if id != extNumber {
			return nil, r.corrupt(fmt.Sprintf("unknown extension type %d", id), nil)
		}
		if n < 0 || n > r.br.Len() {
			return nil, r.corrupt(fmt.Sprintf("number literal of %d bytes exceeds the %d bytes left", n, r.br.Len()), nil)
		}
		b := make([]byte, n)
		if err := r.dec.ReadFull(b); err != nil {
			return nil, r.corrupt("number literal", err)
		}
		num, err := snapshot.NewNumber(string(b))
		if err != nil {
			return nil, r.corrupt("number literal", err)
		}
		return num, nil
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		if depth >= r.d.maxDepth {
			return nil, fmt.Errorf("codec: body: values nest deeper than %d: %w", r.d.maxDepth, ErrTooLarge)
		}
		n, err := r.arrayLen("array", 1)
		if err != nil {
			return nil, err
		}
		elems := make([]*snapshot.Node, n)
		for i := range elems {
			if elems[i], err = r.value(depth + 1); err != nil {
				return nil, err
			}
		}
		return snapshot.NewArray(elems, r.d.cfg), nil
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		if depth >= r.d.maxDepth {
			return nil, fmt.Errorf("codec: body: values nest deeper than %d: %w", r.d.maxDepth, ErrTooLarge)
		}
		n, err := r.dec.DecodeMapLen()
		if err != nil {
			return nil, r.corrupt("map", err)
		}
		if err := r.length(n, 2, "map"); err != nil {
			return nil, err
		}
		keys := make([]string, n)
		vals := make([]*snapshot.Node, n)
		for i := range keys {
			if keys[i], err = r.name("map key"); err != nil {
				return nil, err
			}
			if vals[i], err = r.value(depth + 1); err != nil {
				return nil, err
			}
		}
		obj, err := snapshot.NewObject(keys, vals)
		if err != nil {
			return nil, r.corrupt("map", err)
		}
		return obj, nil
	}
	return nil, r.corrupt(fmt.Sprintf("unexpected msgpack code 0x%02x for a value", c), nil)
}
