package codec

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// Base-coded items (format 3). A new collection item mostly repeats items
// both ends already hold: a new pod its siblings, a redeployed container the
// one it replaces. So its canonical JSON travels zstd-compressed with those
// base items (delta.Item.Like) as a raw dictionary, which finds every
// repeated run whatever its place in the item, where operations against one
// model only say what changed field by field. All of a frame's texts form
// one zstd stream, so items also repeat each other cheaply.

// maxLikeDictionary bounds the base items' text a frame's items are coded
// against. Writers stop adding models past it; readers refuse a frame that
// names more (too large).
const maxLikeDictionary = 1 << 20

// models is the raw dictionary of an items stream (docs/wire-format.md
// section 7.8): the codec dictionary's zstd content, then the canonical
// JSON of each model the first time a put names it. Writer and reader build
// it with the same code, so they cannot disagree on a byte of it.
type models struct {
	dict  []byte
	room  int  // model text the dictionary may still take
	strip bool // format 7: models without their copied members (stripCanonical)
	index memberIndex
	seen  map[[2]int]bool
}

func newModels(d *dictionary, version uint8) models {
	return models{dict: append([]byte(nil), d.zstd...), room: maxLikeDictionary, strip: version >= 7, seen: map[[2]int]bool{}}
}

// size is the bytes of base items in the dictionary.
func (m *models) size() int { return maxLikeDictionary - m.room }

// add appends item, position pos of the array of edit, unless it is there
// already. In format 7, when the put that names it first leaves out copied
// members (copies, its mask, is not 0), the item goes stripped by every
// rule that applies, so that it lines up with the item coded against it;
// a put without copies leaves its models whole, and the agent and server
// then scan nothing (Docker's items). It reports false, adding nothing,
// when the item would take the models past maxLikeDictionary.
func (m *models) add(edit, pos int, item *snapshot.Node, copies uint64) bool {
	ref := [2]int{edit, pos}
	if m.seen[ref] {
		return true
	}
	mark := len(m.dict)
	m.dict = snapshot.AppendCanonical(m.dict, item)
	if m.strip && copies != 0 {
		stripped, _ := stripCanonical(m.dict[mark:], allCopies, &m.index)
		m.dict = m.dict[:mark+len(stripped)]
	}
	n := len(m.dict) - mark
	if n > m.room {
		m.dict = m.dict[:mark]
		return false
	}
	m.room -= n
	m.seen[ref] = true
	return true
}

// itemTexts collects, while a delta body is written, the new items that go
// as text.
type itemTexts struct {
	colls  []*snapshot.Node // base array of each edit, nil when none or not keyed
	coll   *snapshot.Node   // that of the collection edit being written
	edit   int              // index of that edit
	models models
	blob   []byte // the items' canonical JSON, in frame order
}

// newItemTexts returns the itemTexts of d against its base, or nil when
// no item of d goes as text.
func newItemTexts(base *snapshot.Snapshot, d *delta.Delta, dict *dictionary, version uint8) *itemTexts {
	var colls []*snapshot.Node
	found := false
	for i := range d.Edits {
		e := &d.Edits[i]
		if e.Kind != delta.Keyed || e.Collection == nil {
			continue
		}
		n, ok := nodeAt(base.Root(), e.Path)
		if !ok || n.Kind() != snapshot.Array {
			continue
		}
		if colls == nil {
			colls = make([]*snapshot.Node, len(d.Edits))
		}
		colls[i] = n
		for k := range e.Collection.Put {
			found = found || sendsText(&e.Collection.Put[k])
		}
	}
	if !found {
		return nil
	}
	return &itemTexts{colls: colls, models: newModels(dict, version)}
}

// collection points t at the base array of edit i.
func (t *itemTexts) collection(i int) { t.edit, t.coll = i, t.colls[i] }

// sendsText reports whether item it goes as text when its collection is
// in the base: a new item with its value.
func sendsText(it *delta.Item) bool { return it.Index >= 0 && it.Value != nil }

// sendsText reports whether item it of the current collection goes as text.
func (t *itemTexts) sendsText(it *delta.Item) bool {
	return t != nil && t.coll != nil && sendsText(it)
}

// add appends an item's text and returns the models it is coded against
// (those of it.Like that exist in the base and fit in the dictionary) and
// the copied members it leaves out (stripCanonical).
func (t *itemTexts) add(it *delta.Item) (text []byte, like []int, copies uint64) {
	start := len(t.blob)
	t.blob = snapshot.AppendCanonical(t.blob, it.Value)
	if t.models.strip { // format 7: items leave out their copied members too
		var stripped []byte
		stripped, copies = stripCanonical(t.blob[start:], allCopies, &t.models.index)
		t.blob = t.blob[:start+len(stripped)]
	}
	for _, i := range it.Like {
		if i >= 0 && i < t.coll.Len() && t.models.add(t.edit, i, t.coll.Elem(i), copies) {
			like = append(like, i)
		}
	}
	return t.blob[start:], like, copies
}

// itemsEncoder compresses items streams: a zstd encoder per level, made on
// first use and given each frame's dictionary in turn (building tables for a
// dictionary costs in proportion to its size; a new encoder per frame cost
// megabytes of tables and most of an agent's encode time).
//
// It writes each stream through the encoder's streaming interface, not
// EncodeAll: klauspost/compress v1.20.3 resets the streaming state's encoder
// with the new dictionary on every ResetWithOptions, and EncodeAll would
// then build the same tables again in an encoder of its own. A stream
// shorter than a zstd block (128 KiB) comes out byte for byte as EncodeAll
// writes it (Close encodes it in one call, with a single-segment header).
type itemsEncoder struct {
	mu      sync.Mutex
	z       [2]*zstd.Encoder  // for small streams, for large ones
	out     bytes.Buffer      // what z writes
	level   zstd.EncoderLevel // WithItemsLevel; 0: chosen by the stream's size
	release bool              // WithLowMemory: let z go after each stream
}

// compress compresses the items and hands their zstd stream to use, which
// must not keep it: the buffer serves the next stream.
func (t *itemTexts) compress(ie *itemsEncoder, use func(stream []byte) error) error {
	ie.mu.Lock()
	defer ie.mu.Unlock()
	slot, level := 0, ie.level
	if level == 0 {
		level = smallItemsLevel
		if t.models.size() >= largeModels {
			slot, level = 1, largeItemsLevel
		}
	}
	if ie.z[slot] == nil {
		z, err := zstd.NewWriter(nil,
			zstd.WithEncoderLevel(level),
			zstd.WithEncoderCRC(false),
			zstd.WithEncoderConcurrency(1),
			zstd.WithLowerEncoderMem(true),
			zstd.WithWindowSize(itemsWindow))
		if err != nil {
			return fmt.Errorf("codec: zstd encoder for items: %w", err)
		}
		ie.z[slot] = z
	}
	z := ie.z[slot]
	defer func() {
		if ie.release { // WithLowMemory: keep nothing
			ie.z[slot] = nil
		}
		if ie.release || ie.out.Cap() > maxHeldItemsOut {
			ie.out = bytes.Buffer{} // one large frame does not set what every later poll holds
		}
	}()
	opt := zstd.WithEncoderDictDelete()
	if len(t.models.dict) > 0 {
		opt = zstd.WithEncoderDictRaw(0, t.models.dict)
	}
	ie.out.Reset()
	if err := z.ResetWithOptions(&ie.out, opt); err != nil {
		return fmt.Errorf("codec: zstd encoder for items: %w", err)
	}
	// The content size in the header of a stream written block by block,
	// as EncodeAll writes it (the same dictionary: no table is built again).
	z.ResetContentSize(&ie.out, int64(len(t.blob)))
	if _, err := z.Write(t.blob); err != nil {
		return fmt.Errorf("codec: zstd encoder for items: %w", err)
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("codec: zstd encoder for items: %w", err)
	}
	return use(ie.out.Bytes())
}

// maxHeldItemsOut is the most an Encoder keeps of its items streams' output
// buffer between frames.
const maxHeldItemsOut = 256 << 10

// The items streams' zstd levels and window. A stream coded against
// largeModels bytes of base items or more goes at zstd's "better" level,
// which finds more of the models' text in it: 7% fewer bytes a cycle on the
// simulated Kubernetes workloads, where most frames have that many. Below,
// the default level: klauspost/compress clears and copies the better
// level's 4 MiB hash tables for every new dictionary, whatever its size,
// which costs a small stream more time than its few bytes are worth (on
// every stream, docker-large's agent would spend 7% more time and hold 16 MB
// instead of 10 for 1.7% fewer bytes). The window covers the largest
// dictionary (1 MiB of models after the codec's) and a stretch of items.
const (
	smallItemsLevel = zstd.SpeedDefault
	largeItemsLevel = zstd.SpeedBetterCompression
	largeModels     = 16 << 10
	itemsWindow     = 2 << 20
)

// nodeAt follows the object member names of path from n.
func nodeAt(n *snapshot.Node, path []string) (*snapshot.Node, bool) {
	for _, name := range path {
		if n.Kind() != snapshot.Object {
			return nil, false
		}
		var ok bool
		if n, ok = n.Get(name); !ok {
			return nil, false
		}
	}
	return n, true
}

// pendingText is a new item a decoded frame sends as text: its place, the
// models it is coded against and its length.
type pendingText struct {
	edit   int // index of the collection edit
	put    int // index in its Put
	like   []int
	size   int
	copies uint64 // copied members to put back (format 7, restoreCopies)
}

// pendingTexts is what a frame's base-coded items need to be decoded once
// the base is known.
type pendingTexts struct {
	items     []pendingText
	blob      []byte // the zstd stream, as the frame carries it
	magicless bool   // format 4: blob lacks the zstd magic number
	version   uint8
	dict      *dictionary
	dec       *Decoder
	budget    int // array elements and object members the texts may still hold (WithMaxItems)
}

// resolve decodes the pending items of d against base, whose hash the
// caller has checked.
func (p *pendingTexts) resolve(d *delta.Delta, base *snapshot.Snapshot) error {
	m := newModels(p.dict, p.version)
	total := 0
	for _, pt := range p.items {
		e := &d.Edits[pt.edit]
		coll, ok := nodeAt(base.Root(), e.Path)
		if !ok || coll.Kind() != snapshot.Array {
			return fmt.Errorf("codec: edit %d: items coded against base items, but the base has no array at %s: %w",
				pt.edit, delta.PathString(e.Path), ErrCorrupt)
		}
		for _, i := range pt.like {
			if i >= coll.Len() {
				return fmt.Errorf("codec: edit %d: item coded against base position %d of %d: %w", pt.edit, i, coll.Len(), ErrCorrupt)
			}
			if !m.add(pt.edit, i, coll.Elem(i), pt.copies) {
				return fmt.Errorf("codec: items coded against more than %d bytes of base items: %w", maxLikeDictionary, ErrTooLarge)
			}
		}
		total += pt.size
	}
	texts, err := p.inflate(m.dict, total)
	if err != nil {
		return err
	}
	grown := 0
	for _, pt := range p.items {
		e := &d.Edits[pt.edit]
		it := &e.Collection.Put[pt.put]
		text := texts[:pt.size]
		texts = texts[pt.size:]
		// The body's item budget covers the texts too: 64 MiB of "[0,0,…]"
		// inflated from a few KB would otherwise build 32 M elements.
		if p.budget -= jsonElements(text); p.budget < 0 {
			return fmt.Errorf("codec: items stream: more than %d items: %w", p.dec.maxItems, ErrTooLarge)
		}
		s, err := p.dec.cfg.Parse(text)
		if err != nil {
			if errors.Is(err, snapshot.ErrTooDeep) || errors.Is(err, snapshot.ErrTooLarge) {
				return fmt.Errorf("codec: edit %d: item text: %v: %w", pt.edit, err, ErrTooLarge)
			}
			return fmt.Errorf("codec: edit %d: item text: %v: %w", pt.edit, err, ErrCorrupt)
		}
		v := s.Root()
		if pt.copies != 0 {
			if v, err = restoreCopies(v, pt.copies, p.dec.cfg); err != nil {
				return fmt.Errorf("codec: edit %d: item text: %w", pt.edit, err)
			}
			// A long string copied into every element of a long array
			// would make items far larger than their texts.
			if grown += v.Size() - pt.size; total+grown > p.dec.maxSize {
				return fmt.Errorf("codec: items of more than %d bytes once their copied members are back: %w", p.dec.maxSize, ErrTooLarge)
			}
		}
		// The item lands one level below its collection's path.
		if depth := len(e.Path) + 1 + v.Depth(); depth > p.dec.maxDepth {
			return fmt.Errorf("codec: edit %d: item nests %d levels deep, the limit is %d: %w", pt.edit, depth, p.dec.maxDepth, ErrTooLarge)
		}
		it.Value = v
	}
	return nil
}

// inflate decodes the items' stream, which must give exactly total bytes.
func (p *pendingTexts) inflate(dict []byte, total int) ([]byte, error) {
	if total > p.dec.maxSize {
		return nil, fmt.Errorf("codec: items of %d bytes exceed the limit of %d: %w", total, p.dec.maxSize, ErrTooLarge)
	}
	blob := p.blob
	if p.magicless {
		buf := lendZstdMagic(blob)
		defer returnZstdBuffer(buf)
		blob = *buf
	}
	return p.dec.inflateAgainst(dict, blob, total, "items")
}

// inflateAgainst decodes a zstd stream (its magic number in front) coded
// against the raw content dictionary dict (none when empty), which must
// give exactly size bytes, at most the decoded-size limit; what names the
// stream in errors. The items streams and patch-from frames are coded
// against content of the frame's base, so each needs a decoder of its own.
func (d *Decoder) inflateAgainst(dict, stream []byte, size int, what string) ([]byte, error) {
	if len(dict) == 0 {
		dict = nil
	}
	z, err := zstd.NewReader(nil, d.zstdOptions(dict)...)
	if err != nil {
		return nil, fmt.Errorf("codec: zstd decoder for %s: %w", what, err)
	}
	defer z.Close()
	out, err := z.DecodeAll(stream, make([]byte, 0, min(size, int(min(zstdBound(len(stream)), uint64(d.maxSize))))))
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) {
			return nil, fmt.Errorf("codec: %s: zstd: %v: %w", what, err, ErrTooLarge)
		}
		return nil, fmt.Errorf("codec: %s: zstd: %v: %w", what, err, ErrCorrupt)
	}
	if len(out) != size {
		return nil, fmt.Errorf("codec: %s decompressed to %d bytes, want %d: %w", what, len(out), size, ErrCorrupt)
	}
	return out, nil
}

// jsonElements bounds from above the array elements and object members of
// a JSON text: one per container opened and one per comma, outside strings.
func jsonElements(text []byte) int {
	n, inString, escaped := 0, false, false
	for _, c := range text {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ',' || c == '[' || c == '{':
			n++
		}
	}
	return n
}
