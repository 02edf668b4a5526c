package codec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
)

// extNumber is the msgpack extension type of a JSON number that is not a
// canonical 64-bit integer; its payload is the literal text.
const extNumber int8 = 1

// An EncoderOption changes an Encoder.
type EncoderOption func(*Encoder) error

// WithoutCompression writes every body raw: for frames that stay on the
// machine (a server's reverse history steps), where the zstd pass costs
// more than the bytes it saves.
func WithoutCompression() EncoderOption {
	return func(e *Encoder) error {
		e.raw = true
		return nil
	}
}

// bodyWindow is the frame bodies' zstd window. The encoder keeps a window
// of history whatever the body's size, and zstd's default of 8 MiB made the
// body encoder hold 11 MB between polls where 2 MiB holds 5 (klauspost/
// compress v1.20.3, default level). A delta body is far smaller; only full
// frames of the largest snapshots lose matches: k8s-large's 8 MB poll 0
// costs 379,003 bytes instead of 370,836 (+2.2%).
const bodyWindow = 2 << 20

// WithLevel sets the zstd level of frame bodies (default zstd.SpeedDefault).
func WithLevel(l zstd.EncoderLevel) EncoderOption {
	return func(e *Encoder) error {
		if l < zstd.SpeedFastest || l > zstd.SpeedBestCompression {
			return fmt.Errorf("codec: zstd level %d out of range: %w", l, ErrInvalidOption)
		}
		e.level = l
		return nil
	}
}

// WithDictionary sets the dictionary frames are written with: its id goes
// in the header, and names found in it travel as small integers. 0 writes
// names as plain strings (any reader of the format decodes those frames);
// the default is BuiltinDictionary3.
func WithDictionary(id uint64) EncoderOption {
	return func(e *Encoder) error {
		d, ok := dictionaries[id]
		if !ok {
			return fmt.Errorf("codec: dictionary %d: %w", id, ErrInvalidOption)
		}
		e.dict = d
		e.dictSet = true
		return nil
	}
}

// WithoutBaseCoding sends new collection items as values or as patches of
// a base item, never as text coded against base items (format 3), and
// names every patched item, never sending a status tick (format 4): frames
// are larger, and Decoder.Decode returns their delta complete without the
// base.
func WithoutBaseCoding() EncoderOption {
	return func(e *Encoder) error {
		e.noBaseCoding = true
		return nil
	}
}

// WithVersion sets the frame format version written: 8 (the default), or
// 7, 6, 5, 4 or 3 for receivers that do not read the newer formats yet (a
// fleet upgrades its servers first); format 3 names dictionary 2 by
// default, and refuses 3. Format 8 differs from 7 only by patch-from frames
// (PatchFrom), which a format 7 encoder never sends. Readers of this build
// decode every version from 1.
func WithVersion(v uint8) EncoderOption {
	return func(e *Encoder) error {
		if v < 3 || v > Version {
			return fmt.Errorf("codec: format version %d: this build writes 3 to %d: %w", v, Version, ErrInvalidOption)
		}
		e.version = v
		return nil
	}
}

// WithItemsLevel sets the zstd level of every items stream, the new
// collection items coded against base items (format 3). By default a
// stream coded against 16 KiB of base items or more goes at
// zstd.SpeedBetterCompression, which sends 6-7% fewer bytes a cycle on the
// simulated Kubernetes workloads for 4-12% more agent time, and a smaller
// one at zstd.SpeedDefault; an Encoder that has written both then holds
// both levels' zstd tables, 21 MB against 10. zstd.SpeedDefault here is
// the least time and memory; zstd.SpeedBetterCompression everywhere sends
// 1-2% fewer bytes on Docker workloads, but costs every small stream the
// better level's fixed 8 MiB of table clearing and copying (docker-large's
// agent 7% more time) and holds 16 MB instead of 10.
func WithItemsLevel(l zstd.EncoderLevel) EncoderOption {
	return func(e *Encoder) error {
		if l < zstd.SpeedFastest || l > zstd.SpeedBestCompression {
			return fmt.Errorf("codec: zstd level %d out of range: %w", l, ErrInvalidOption)
		}
		e.items.level = l
		return nil
	}
}

// WithLowMemory makes an Encoder that keeps no zstd state between frames:
// it builds its zstd encoders for each frame and lets them go after. An
// agent then holds 10 MB less between polls, 21 MB on Kubernetes workloads
// (zstd's tables and windows: 160 times docker-small's JSON, where its
// snapshots are 0.6-1.5 times it), for 1 to 3 ms more per frame on the
// simulated workloads (BenchmarkEncoderMemory in bench); the frames are the
// same bytes. Call debug.FreeOSMemory after a poll to give the memory back
// to the system at once.
func WithLowMemory() EncoderOption {
	return func(e *Encoder) error {
		e.items.release = true
		return nil
	}
}

// Encoder writes frames. It is safe for concurrent use.
type Encoder struct {
	raw          bool // never compress
	noBaseCoding bool
	version      uint8
	dictSet      bool // WithDictionary was given
	dict         *dictionary
	level        zstd.EncoderLevel
	zopts        []zstd.EOption // of the bodies' zstd encoder
	zenc         *zstd.Encoder  // nil WithLowMemory: made per frame
	bufs         sync.Pool
	items        itemsEncoder // for items streams (format 3)
}

type bodyWriter struct {
	buf bytes.Buffer
	enc *msgpack.Encoder
}

// writer writes a body: msgpack, with names (member names, pointers,
// rules) replaced by their index in the frame's dictionary when it has them.
type writer struct {
	*msgpack.Encoder
	dict    *dictionary
	version uint8
	texts   *itemTexts // new items sent as text, nil when none may be
	items   *itemsEncoder
	base    *snapshot.Node // the base's root, when status ticks may be sent (format 4)
	arr     *snapshot.Node // the base array of the edit being written, or nil
}

// name writes a member name, path segment, pointer or rule.
func (w writer) name(s string) {
	if i, ok := w.dict.lookup(s); ok {
		_ = w.EncodeUint(uint64(i))
		return
	}
	_ = w.EncodeString(s)
}

// NewEncoder returns an Encoder.
func NewEncoder(opts ...EncoderOption) (*Encoder, error) {
	e := &Encoder{level: zstd.SpeedDefault, dict: builtinDictionary3, version: Version}
	for _, o := range opts {
		if err := o(e); err != nil {
			return nil, err
		}
	}
	if e.version < 4 && e.dict.id > BuiltinDictionary2 {
		// Format 3 readers know dictionaries 0 to 2 only.
		if e.dictSet {
			return nil, fmt.Errorf("codec: dictionary %d in a format %d frame: %w", e.dict.id, e.version, ErrInvalidOption)
		}
		e.dict = builtinDictionary2
	}
	zopts := []zstd.EOption{
		zstd.WithEncoderLevel(e.level),
		zstd.WithEncoderCRC(false), // the root hash already proves the content
		zstd.WithEncoderConcurrency(1),
		zstd.WithLowerEncoderMem(true),
		zstd.WithWindowSize(bodyWindow),
	}
	if e.dict.zstd != nil {
		zopts = append(zopts, zstd.WithEncoderDictRaw(0, e.dict.zstd))
	}
	z, err := zstd.NewWriter(nil, zopts...)
	if err != nil {
		return nil, fmt.Errorf("codec: zstd encoder: %w", err)
	}
	e.zopts = zopts
	if e.items.release { // WithLowMemory
		_ = z.Close() // made only to check the options
	} else {
		e.zenc = z
	}
	e.bufs.New = func() any {
		w := &bodyWriter{}
		w.enc = msgpack.NewEncoder(&w.buf)
		return w
	}
	return e, nil
}

var defaultEncoder, _ = NewEncoder()

// EncodeFull returns a full frame for s using a shared default Encoder.
func EncodeFull(s *snapshot.Snapshot) ([]byte, error) { return defaultEncoder.AppendFull(nil, s) }

// EncodeDelta returns a delta frame for d using a shared default Encoder.
func EncodeDelta(d *delta.Delta) ([]byte, error) { return defaultEncoder.AppendDelta(nil, d) }

// AppendFull appends a full frame carrying s to dst.
func (e *Encoder) AppendFull(dst []byte, s *snapshot.Snapshot) ([]byte, error) {
	w := e.bufs.Get().(*bodyWriter)
	defer e.bufs.Put(w)
	w.buf.Reset()
	if err := writeFull(writer{Encoder: w.enc, dict: e.dict, version: e.version}, s); err != nil {
		return nil, err
	}
	return e.finish(dst, Full, w.buf.Bytes()), nil
}

// CodesItemsAgainstBase reports whether the Encoder sends the new items of
// a delta from delta.Diff as text coded against their models (format 3):
// it compresses bodies and was not made WithoutBaseCoding. Such an encoder
// needs no model patches (delta.WithoutModelPatches).
func (e *Encoder) CodesItemsAgainstBase() bool { return !e.raw && !e.noBaseCoding }

// AppendDelta appends a delta frame carrying d to dst. When d came from
// delta.Diff (d.Origin is its base), new collection items are coded against
// the base items they resemble, unless the Encoder writes raw bodies or was
// made WithoutBaseCoding. Such an Encoder of format 8 appends instead a
// PatchFrom frame of d.Next against d.Origin when that is shorter, as it
// can be when most items changed: it tries one for a delta frame of at
// least 1 KiB and 1/256 of the base's JSON.
func (e *Encoder) AppendDelta(dst []byte, d *delta.Delta) ([]byte, error) {
	w := e.bufs.Get().(*bodyWriter)
	defer e.bufs.Put(w)
	w.buf.Reset()
	bw := writer{Encoder: w.enc, dict: e.dict, version: e.version, items: &e.items}
	if d != nil && e.CodesItemsAgainstBase() && d.Origin() != nil && d.Origin().Hash() == d.Base {
		bw.texts = newItemTexts(d.Origin(), d, e.dict, e.version)
		if e.version >= 4 {
			bw.base = d.Origin().Root()
		}
	}
	if err := writeDelta(bw, d); err != nil {
		return nil, err
	}
	start := len(dst)
	dst = e.finish(dst, DeltaKind, w.buf.Bytes())
	if e.triesPatchFrom(d, len(dst)-start) {
		if pf, ok := e.patchFrom(d.Origin(), d.Next()); ok && len(pf) < len(dst)-start {
			return append(dst[:start], pf...), nil
		}
	}
	return dst, nil
}

// finish appends header and body, compressed only when that is smaller.
func (e *Encoder) finish(dst []byte, kind Kind, body []byte) []byte {
	if e.raw {
		dst = appendHeader(dst, e.version, kind, None, e.dict.id, uint64(len(body)))
		return append(dst, body...)
	}
	start := len(dst)
	z := e.zenc
	if z == nil {
		var err error
		// The options were accepted when the Encoder was made.
		if z, err = zstd.NewWriter(nil, e.zopts...); err != nil {
			dst = appendHeader(dst, e.version, kind, None, e.dict.id, uint64(len(body)))
			return append(dst, body...)
		}
		defer z.Close()
	}
	dst = appendHeader(dst, e.version, kind, Zstd, e.dict.id, uint64(len(body)))
	at := len(dst)
	dst = z.EncodeAll(body, dst)
	ok := true
	block, single := []byte(nil), false
	if e.version >= 5 && len(body) <= maxBlockBody {
		block, single = singleBlock(dst[at:])
	}
	switch {
	case single:
		dst = dst[:at+copy(dst[at:], block)]
		dst[start+3] = dst[start+3]&^compressionMask | byte(ZstdBlock)<<2
	case e.version >= 4:
		dst, ok = dropZstdMagic(dst, at)
	}
	rawLen := at - start + len(body) // the header's length does not depend on the compression
	// On a tie the raw body wins: same bytes on the wire, nothing to inflate.
	if ok && len(dst)-start < rawLen {
		return dst
	}
	dst = appendHeader(dst[:start], e.version, kind, None, e.dict.id, uint64(len(body)))
	return append(dst, body...)
}

// zstdMagic begins every zstd frame. Format 4 leaves it out of the
// payloads it compresses (four bytes of a 60-byte frame) and readers put
// it back.
var zstdMagic = [4]byte{0x28, 0xb5, 0x2f, 0xfd}

// dropZstdMagic removes the zstd magic number at b[at:], where the encoder
// has just written a zstd frame. klauspost/compress always writes it
// first; should it not, ok is false and the caller must not send b.
func dropZstdMagic(b []byte, at int) (_ []byte, ok bool) {
	if len(b) < at+len(zstdMagic) || [4]byte(b[at:at+4]) != zstdMagic {
		return b, false
	}
	return append(b[:at], b[at+len(zstdMagic):]...), true
}

func writeFull(enc writer, s *snapshot.Snapshot) error {
	if s == nil {
		return fmt.Errorf("codec: encode: nil snapshot")
	}
	_ = enc.EncodeArrayLen(2)
	_ = enc.EncodeUint64(s.Hash())
	return writeValue(enc, s.Root())
}

func writeDelta(enc writer, d *delta.Delta) error {
	if d == nil {
		return fmt.Errorf("codec: encode: nil delta")
	}
	if enc.texts != nil {
		_ = enc.EncodeArrayLen(4)
	} else {
		_ = enc.EncodeArrayLen(3)
	}
	if enc.version >= 4 {
		// The receiver holds the base: 32 bits pick it among the few it
		// keeps, and the target's 64-bit root proves the result.
		_ = enc.EncodeUint32(uint32(d.Base))
	} else {
		_ = enc.EncodeUint64(d.Base)
	}
	_ = enc.EncodeUint64(d.Target)
	_ = enc.EncodeArrayLen(len(d.Edits))
	for i := range d.Edits {
		if enc.texts != nil {
			enc.texts.collection(i)
		}
		enc.arr = nil
		if e := &d.Edits[i]; enc.base != nil && e.Kind == delta.Keyed {
			enc.arr, _ = nodeAt(enc.base, e.Path)
		}
		if err := writeEdit(enc, &d.Edits[i]); err != nil {
			return fmt.Errorf("codec: encode: edit %d: %w", i, err)
		}
	}
	if enc.texts == nil {
		return nil
	}
	return enc.texts.compress(enc.items, func(blob []byte) error {
		if enc.version >= 4 {
			var ok bool
			if blob, ok = dropZstdMagic(blob, 0); !ok {
				return fmt.Errorf("codec: encode: the items' zstd stream lacks the zstd magic number")
			}
		}
		return enc.EncodeBytes(blob)
	})
}

func writeEdit(enc writer, e *delta.Edit) error {
	_ = enc.EncodeArrayLen(3)
	_ = enc.EncodeUint(uint64(e.Kind))
	_ = enc.EncodeArrayLen(len(e.Path))
	for _, p := range e.Path {
		enc.name(p)
	}
	switch e.Kind {
	case delta.Set:
		if e.Value == nil {
			return fmt.Errorf("set without a value")
		}
		return writeValue(enc, e.Value)
	case delta.Remove:
		return enc.EncodeNil()
	case delta.Patch:
		return writeOps(enc, e.Ops)
	case delta.Keyed:
		if e.Collection == nil {
			return fmt.Errorf("collection edit without content")
		}
		return writeCollection(enc, e.Collection)
	}
	return fmt.Errorf("unknown edit kind %d", e.Kind)
}

// writeRef names a base item: by position when known (format 2), by key
// otherwise.
func writeRef(enc writer, key string, at int, byPos bool) {
	if byPos {
		_ = enc.EncodeInt(int64(at))
		return
	}
	_ = enc.text(key)
}

func writeCollection(enc writer, c *delta.CollectionEdit) error {
	patches := c.Patch
	var t *tick
	if enc.arr != nil {
		t, patches = planTick(c, enc.arr)
	}
	if t != nil {
		_ = enc.EncodeArrayLen(6)
	} else {
		_ = enc.EncodeArrayLen(5)
	}
	enc.name(c.Rule)
	_ = enc.EncodeArrayLen(len(c.Remove) + len(c.RemoveAt))
	for _, k := range c.Remove {
		_ = enc.text(k)
	}
	for _, i := range c.RemoveAt {
		_ = enc.EncodeInt(int64(i))
	}
	_ = enc.EncodeArrayLen(len(c.Put))
	for _, it := range c.Put {
		switch {
		case enc.texts.sendsText(&it):
			// [nil, index, like, length]: the text is in the items stream;
			// [nil, index, like, length, copies] when it leaves out copied
			// members (format 7).
			text, like, copies := enc.texts.add(&it)
			if copies != 0 {
				_ = enc.EncodeArrayLen(5)
			} else {
				_ = enc.EncodeArrayLen(4)
			}
			_ = enc.EncodeNil()
			_ = enc.EncodeInt(int64(it.Index))
			_ = enc.EncodeArrayLen(len(like))
			for _, i := range like {
				_ = enc.EncodeInt(int64(i))
			}
			_ = enc.EncodeInt(int64(len(text)))
			if copies != 0 {
				_ = enc.EncodeUint(copies)
			}
			continue
		case it.HasFrom:
			if it.Index < 0 {
				return fmt.Errorf("item built from base position %d must be an insertion", it.From)
			}
			_ = enc.EncodeArrayLen(4)
			_ = enc.EncodeNil()
			_ = enc.EncodeInt(int64(it.Index))
			_ = enc.EncodeInt(int64(it.From))
			if err := writeOps(enc, it.Ops); err != nil {
				return err
			}
			continue
		case it.Value == nil:
			return fmt.Errorf("put %q without a value", it.Key)
		case it.Index < 0:
			_ = enc.EncodeArrayLen(3)
			writeRef(enc, it.Key, it.At, it.ByPos)
		default:
			// A new item's key follows from its value and the rule.
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeNil()
		}
		_ = enc.EncodeInt(int64(it.Index))
		if err := writeValue(enc, it.Value); err != nil {
			return err
		}
	}
	groups, shaped := groupPatches(patches, enc.version >= 6)
	_ = enc.EncodeArrayLen(len(groups))
	for gi, g := range groups {
		p := &patches[g[0]]
		if shaped != nil && shaped[gi] {
			if err := writeShapeRun(enc, patches, g); err != nil {
				return err
			}
			continue
		}
		_ = enc.EncodeArrayLen(2)
		if len(g) == 1 {
			writeRef(enc, p.Key, p.At, p.ByPos)
		} else {
			// [first, gap, ...]: ascending positions, small numbers.
			writePositionRun(enc, len(g), func(k int) int { return patches[g[k]].At })
		}
		if err := writeOps(enc, p.Ops); err != nil {
			return err
		}
	}
	if c.Order == nil {
		_ = enc.EncodeNil()
	} else {
		_ = enc.EncodeArrayLen(len(c.Order))
		for _, i := range c.Order {
			_ = enc.EncodeInt(int64(i))
		}
	}
	if t != nil {
		// [pointer, word, step, [first, gap, ...]]; no word: humanized
		_ = enc.EncodeArrayLen(4)
		enc.name(t.pointer)
		if t.humanized {
			_ = enc.EncodeNil()
		} else {
			_ = enc.EncodeString(t.word)
		}
		_ = enc.EncodeInt(t.step)
		writePositionRun(enc, len(t.except), func(k int) int { return t.except[k] })
	}
	return nil
}

// writePositionRun writes n ascending positions, at(0) to at(n-1), as the
// first then the gaps to the next (what reader.positionRun reads).
func writePositionRun(enc writer, n int, at func(k int) int) {
	_ = enc.EncodeArrayLen(n)
	for k := range n {
		if k == 0 {
			_ = enc.EncodeInt(int64(at(0)))
		} else {
			_ = enc.EncodeInt(int64(at(k) - at(k-1)))
		}
	}
}

// groupPatches returns the item patches to write, as lists of indexes into
// patches: items patched by position with the same operations share one
// entry (format 3), listed by ascending position (a Docker host's
// containers all counting "Up N minutes" up by one cost one entry and a
// byte per container). With shapes (format 6), entries that differ only
// in their numbers then merge into shape runs (mergeShapes); shaped tells
// which groups are those, nil when none is. Patches that name their item
// twice stay alone, in their order; when some patch names its item by key
// (a hand-built delta) all do, since the key may name an item a run would
// move a patch of before it.
func groupPatches(patches []delta.ItemPatch, shapes bool) (groups [][]int, shaped []bool) {
	groups = make([][]int, 0, len(patches))
	if len(patches) < 2 || slices.ContainsFunc(patches, func(p delta.ItemPatch) bool { return !p.ByPos }) {
		for i := range patches {
			groups = append(groups, []int{i})
		}
		return groups, nil
	}
	byOps := map[string]int{} // operations' key -> index in groups
	firstAt := map[int]int{}  // position patched -> the group of its first patch
	var twice map[int]bool    // groups holding a patch of an item patched twice
	var key []byte
	for i := range patches {
		p := &patches[i]
		if g, ok := firstAt[p.At]; ok {
			if twice == nil {
				twice = map[int]bool{}
			}
			twice[g], twice[len(groups)] = true, true
			groups = append(groups, []int{i})
			continue
		}
		key = appendOpsKey(key[:0], p.Ops)
		g, ok := byOps[string(key)]
		if !ok {
			g = len(groups)
			byOps[string(key)] = g
			groups = append(groups, nil)
		}
		firstAt[p.At] = g
		groups[g] = append(groups[g], i)
	}
	for _, g := range groups {
		slices.SortFunc(g, func(x, y int) int { return patches[x].At - patches[y].At })
	}
	if !shapes || len(patches) < minShapeRun {
		return groups, nil
	}
	return mergeShapes(patches, groups, twice)
}

// minShapeRun is the fewest item patches that share a shape run: two or
// three cost more in columns than zstd takes from them written one by
// one (k8s-small +4 and +2 bytes a cycle), four or more save (k8s-large's
// nodes, all patched alike every poll).
const minShapeRun = 4

// mergeShapes merges groupPatches' groups into shape runs (format 6):
// groups of at least minShapeRun items in all whose operations differ only
// in their numbers (every node's heartbeat shifts its timestamps by its own
// amount and bumps its resourceVersion by its own count). A run takes the
// place of its first group. The groups in skip (those of an item patched
// twice) stay where they are: a run moves its members to the place of its
// first, which could put one patch of the item before the other.
func mergeShapes(patches []delta.ItemPatch, groups [][]int, skip map[int]bool) ([][]int, []bool) {
	byShape := map[string][]int{} // shape key -> indexes into groups
	var key []byte
	for gi, g := range groups {
		if skip[gi] || !shapeable(patches[g[0]].Ops) {
			continue
		}
		key = appendShapeKey(key[:0], patches[g[0]].Ops)
		byShape[string(key)] = append(byShape[string(key)], gi)
	}
	var merged map[int][]int // first group index -> the run
	var inRun map[int]bool   // group indexes merged into a run
	for _, members := range byShape {
		// Two groups of one shape differ in their numbers: groupPatches
		// put identical operations in one group.
		if len(members) < 2 {
			continue
		}
		var run []int
		for _, gi := range members {
			run = append(run, groups[gi]...)
		}
		if len(run) < minShapeRun {
			continue
		}
		slices.SortFunc(run, func(x, y int) int { return patches[x].At - patches[y].At })
		if !columnsFit(patches, run) {
			continue
		}
		if merged == nil {
			merged, inRun = map[int][]int{}, map[int]bool{}
		}
		merged[members[0]] = run
		for _, gi := range members {
			inRun[gi] = true
		}
	}
	if merged == nil {
		return groups, nil
	}
	out := make([][]int, 0, len(groups))
	shaped := make([]bool, 0, len(groups))
	for gi, g := range groups {
		switch run, first := merged[gi]; {
		case first:
			out, shaped = append(out, run), append(shaped, true)
		case !inRun[gi]:
			out, shaped = append(out, g), append(shaped, false)
		}
	}
	return out, shaped
}

// shapeable tells whether a patch could join a shape run: some operation
// carries a number a column could hold.
func shapeable(ops []delta.Op) bool {
	for _, o := range ops {
		if hasColumnArgument(o.Kind) {
			return true
		}
	}
	return false
}

// hasColumnArgument tells whether operations of kind k may differ in a
// shape run: those whose argument is one integer.
func hasColumnArgument(k delta.OpKind) bool {
	return k == delta.OpIncrement || k == delta.OpShiftTime || k == delta.OpIncrementText
}

// columnArgument returns the number a shape run's column holds for o:
// a time shift of whole seconds in seconds (when the run's first shift
// is), else the operation's Int.
func columnArgument(o delta.Op, seconds bool) int64 {
	if o.Kind == delta.OpShiftTime && seconds {
		return o.Int / int64(time.Second)
	}
	return o.Int
}

// wholeSeconds tells whether a time shift travels in seconds.
func wholeSeconds(o delta.Op) bool { return o.Int%int64(time.Second) == 0 }

// columnsFit tells whether every difference between neighbouring rows of
// the run's columns fits an int64.
func columnsFit(patches []delta.ItemPatch, run []int) bool {
	for j, o := range patches[run[0]].Ops {
		if !hasColumnArgument(o.Kind) {
			continue
		}
		seconds := o.Kind == delta.OpShiftTime && wholeSeconds(o)
		prev := columnArgument(o, seconds)
		for _, k := range run[1:] {
			v := columnArgument(patches[k].Ops[j], seconds)
			if d := v - prev; (prev > 0 && d > v) || (prev < 0 && d < v) {
				return false // v - prev overflowed
			}
			prev = v
		}
	}
	return true
}

// writeShapeRun writes [[first, gap, ...], operations, columns]: the first
// item's operations, then per operation nil when every item has it as
// written, else the differences of items 2 to n's arguments, each from
// the item before (what reader.shapeRun reads). Differences keep a column
// of heartbeat shifts or resourceVersion increments to a byte an item.
func writeShapeRun(enc writer, patches []delta.ItemPatch, run []int) error {
	_ = enc.EncodeArrayLen(3)
	writePositionRun(enc, len(run), func(k int) int { return patches[run[k]].At })
	first := patches[run[0]].Ops
	if err := writeOps(enc, first); err != nil {
		return err
	}
	_ = enc.EncodeArrayLen(len(first))
	for j, o := range first {
		if !hasColumnArgument(o.Kind) || !slices.ContainsFunc(run[1:], func(k int) bool { return patches[k].Ops[j].Int != o.Int }) {
			_ = enc.EncodeNil()
			continue
		}
		seconds := o.Kind == delta.OpShiftTime && wholeSeconds(o)
		prev := columnArgument(o, seconds)
		_ = enc.EncodeArrayLen(len(run) - 1)
		for _, k := range run[1:] {
			v := columnArgument(patches[k].Ops[j], seconds)
			_ = enc.EncodeInt(v - prev)
			prev = v
		}
	}
	return nil
}

// appendShapeKey appends to dst a key identifying a list of operations by
// everything but the numbers a shape run's columns hold (a time shift
// keeps whether it is whole seconds: a column holds one unit).
func appendShapeKey(dst []byte, ops []delta.Op) []byte {
	return appendOpsKeyAs(dst, ops, true)
}

// appendOpsKey appends to dst a key identifying a list of operations by
// content (values by hash): one per item patch of every poll, so no fmt.
func appendOpsKey(dst []byte, ops []delta.Op) []byte {
	return appendOpsKeyAs(dst, ops, false)
}

func appendOpsKeyAs(dst []byte, ops []delta.Op, shape bool) []byte {
	for _, o := range ops {
		dst = append(dst, byte(o.Kind), byte(o.Layout))
		n := o.Int
		if shape && hasColumnArgument(o.Kind) {
			n = 0
			if o.Kind == delta.OpShiftTime && !wholeSeconds(o) {
				n = 1
			}
		}
		for _, n := range [...]int64{n, int64(o.Prefix), int64(o.Suffix), int64(o.Run)} {
			dst = binary.AppendVarint(dst, n)
		}
		for _, s := range [...]string{o.Path, o.From, o.Text} {
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			dst = append(dst, s...)
		}
		if o.Value != nil {
			dst = binary.LittleEndian.AppendUint64(append(dst, 1), o.Value.Hash())
		} else {
			dst = append(dst, 0)
		}
	}
	return dst
}

// Wire numbers of the time shift, which travels in whole seconds when it
// can (60 is one byte, 60e9 nanoseconds nine).
const (
	wireShiftSeconds = 8
	wireShiftNanos   = 10
)

// writeOps writes operations as [kind, path] plus their arguments: the
// value (add, replace, test), the from pointer (move, copy), the difference
// (increment), the shift and layout (time shift), or prefix, suffix and
// text (splice).
func writeOps(enc writer, ops []delta.Op) error {
	_ = enc.EncodeArrayLen(len(ops))
	for _, o := range ops {
		switch o.Kind {
		case delta.OpAdd, delta.OpReplace, delta.OpTest:
			if o.Value == nil {
				return fmt.Errorf("%s %q without a value", o.Kind, o.Path)
			}
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeUint(uint64(o.Kind))
			enc.name(o.Path)
			if err := writeValue(enc, o.Value); err != nil {
				return err
			}
		case delta.OpMove, delta.OpCopy:
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeUint(uint64(o.Kind))
			enc.name(o.Path)
			enc.name(o.From)
		case delta.OpRemove:
			_ = enc.EncodeArrayLen(2)
			_ = enc.EncodeUint(uint64(o.Kind))
			enc.name(o.Path)
		case delta.OpIncrement:
			_ = enc.EncodeArrayLen(3)
			_ = enc.EncodeUint(uint64(o.Kind))
			enc.name(o.Path)
			_ = enc.EncodeInt(o.Int)
		case delta.OpShiftTime:
			_ = enc.EncodeArrayLen(4)
			if o.Int%int64(time.Second) == 0 {
				_ = enc.EncodeUint(wireShiftSeconds)
				enc.name(o.Path)
				_ = enc.EncodeInt(o.Int / int64(time.Second))
			} else {
				_ = enc.EncodeUint(wireShiftNanos)
				enc.name(o.Path)
				_ = enc.EncodeInt(o.Int)
			}
			_ = enc.EncodeUint(uint64(o.Layout))
		case delta.OpSplice:
			_ = enc.EncodeArrayLen(5)
			_ = enc.EncodeUint(uint64(o.Kind))
			enc.name(o.Path)
			_ = enc.EncodeInt(int64(o.Prefix))
			_ = enc.EncodeInt(int64(o.Suffix))
			_ = enc.text(o.Text)
		case delta.OpIncrementText:
			_ = enc.EncodeArrayLen(4)
			_ = enc.EncodeUint(uint64(o.Kind))
			enc.name(o.Path)
			_ = enc.EncodeInt(o.Int)
			_ = enc.EncodeInt(int64(o.Run))
		default:
			return fmt.Errorf("unknown operation kind %d", o.Kind)
		}
	}
	return nil
}

// writeValue writes a JSON value: null, bool, str, canonical integers as
// msgpack ints, other numbers as extension 1 holding the literal, arrays,
// and maps with keys in sorted order.
func writeValue(enc writer, n *snapshot.Node) error {
	switch n.Kind() {
	case snapshot.Null:
		return enc.EncodeNil()
	case snapshot.Bool:
		return enc.EncodeBool(n.Bool())
	case snapshot.String:
		return enc.text(n.Text())
	case snapshot.Number:
		lit := n.Text()
		if i, ok := canonicalInt(lit); ok {
			return enc.EncodeInt(i)
		}
		if err := enc.EncodeExtHeader(extNumber, len(lit)); err != nil {
			return err
		}
		_, err := enc.Writer().Write([]byte(lit))
		return err
	case snapshot.Array:
		_ = enc.EncodeArrayLen(n.Len())
		for _, e := range n.Elems() {
			if err := writeValue(enc, e); err != nil {
				return err
			}
		}
		return nil
	case snapshot.Object:
		_ = enc.EncodeMapLen(n.Len())
		vals := n.Values()
		for i, k := range n.Keys() {
			enc.name(k)
			if err := writeValue(enc, vals[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown value kind %s", n.Kind())
}

// canonicalInt reports whether lit is an integer whose shortest decimal form
// is lit itself (so "-0", "007" and "1.0" keep their text as extensions).
func canonicalInt(lit string) (int64, bool) {
	if len(lit) == 0 || len(lit) > 20 {
		return 0, false
	}
	i, err := strconv.ParseInt(lit, 10, 64)
	if err != nil || strconv.FormatInt(i, 10) != lit {
		return 0, false
	}
	return i, true
}
