package snapshot

import (
	"fmt"
	"slices"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"
)

// Compact snapshots. An agent keeps the snapshot it diffs the next poll
// against, and a parsed tree costs about twice its JSON: a node per value,
// a slice per container. But between polls the agent needs little of it:
// the next poll reuses the unchanged items (found by their text's hash) and
// Diff compares them by hash alone; only the few items that change are
// read. So a compact snapshot keeps each item of the lists near the root
// (the items ParseNext tracks: containers, images, pods, events) as its
// canonical JSON text, zstd-compressed (an item's text shrinks to 35-60%
// on its own), with its hash, size and depth, and parses it again only when
// something reads inside it.

// lazyBody is the content of a compact item: its canonical JSON, compressed,
// parsed on first use. Safe for concurrent readers.
type lazyBody struct {
	text   []byte // zstd frame of the canonical JSON
	cfg    *Config
	sketch Sketch
	// kept is the value of the Config's kept member, readable without
	// parsing: a scalar node, noMember when the item has none, nil when
	// it is not known (not an object, no kept member, a container value).
	kept *Node
	once sync.Once
	body *container
}

// noMember stands for a kept member the item does not have.
var noMember = &Node{}

// keptMember returns what a compact item knows of member key without
// parsing: its value (nil when absent) and whether it knows.
func (l *lazyBody) keptMember(key string) (*Node, bool) {
	if l.kept == nil || key != l.cfg.kept {
		return nil, false
	}
	if l.kept == noMember {
		return nil, true
	}
	return l.kept, true
}

// get returns the item's container, parsing its text the first time.
func (l *lazyBody) get() *container {
	l.once.Do(func() {
		text, err := itemZstd.decoder().DecodeAll(l.text, nil)
		var n *Node
		if err == nil {
			n, err = l.cfg.ParseValue(text)
		}
		if err != nil || n.c == nil {
			// The text is canonical JSON this package wrote and
			// compressed from a valid node, within the limits it was
			// parsed under: it inflates and parses.
			panic(fmt.Sprintf("snapshot: a compact item's canonical JSON does not parse: %v", err))
		}
		l.body = n.c
	})
	return l.body
}

// itemCodec compresses compact items: one for every snapshot, made on
// first use; both ends are safe for concurrent use.
type itemCodec struct {
	once sync.Once
	enc  *zstd.Encoder
	dec  *zstd.Decoder
}

var itemZstd itemCodec

func (c *itemCodec) init() {
	var err error
	// The fastest level: compaction runs on every poll's changed items.
	c.enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderCRC(false), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
	if err == nil {
		c.dec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderLowmem(true))
	}
	if err != nil {
		// Only invalid options fail, and these are constant.
		panic(fmt.Sprintf("snapshot: zstd for compact items: %v", err))
	}
}

func (c *itemCodec) encoder() *zstd.Encoder { c.once.Do(c.init); return c.enc }
func (c *itemCodec) decoder() *zstd.Decoder { c.once.Do(c.init); return c.dec }

// body returns n's container (nil for a scalar), parsing a compact item's
// text on first use.
func (n *Node) body() *container {
	c := n.c
	if c != nil && c.lazy != nil {
		return c.lazy.get()
	}
	return c
}

// Compact returns the snapshot with the items of its lists near the root
// held as compressed canonical JSON (see above): the same value and hashes,
// about the size of its JSON instead of two to three times it, a little
// more work the first time anything reads inside an item. Items already
// compact (shared with a compacted previous poll by ParseNext) are kept as
// they are, so compacting each poll after parsing it costs in proportion to
// what changed. ParseNext reuses the items of a compact snapshot like any
// other's.
func (s *Snapshot) Compact() *Snapshot { return s.CompactSharing() }

// CompactSharing is Compact for a snapshot kept beside others (an agent's
// acknowledged base and the polls in flight): an item equal to a compact
// item of others is shared, so that each is held once however s was
// parsed; an item that changed in the last warmPolls polls stays a tree,
// since what changed lately, a node's heartbeat, a pod starting, is what
// will most likely change next and be read again by Diff (compacting it
// only to parse it back cost a large cluster's agent a fifth of its poll);
// other items are compacted. Without others it is Compact.
func (s *Snapshot) CompactSharing(others ...*Snapshot) *Snapshot {
	if len(s.spans) == 0 {
		return s
	}
	known := map[uint64]*Node{} // items of others by hash: compact ones win
	age := map[uint64]uint8{}   // polls the items others hold as trees have gone unchanged
	held := false               // a snapshot is kept beside s
	for _, o := range others {
		if o == nil {
			continue
		}
		held = true
		for _, list := range o.lists {
			for _, sp := range list {
				if k, ok := known[sp.node.hash]; !ok || (k.c != nil && k.c.lazy == nil) {
					known[sp.node.hash] = sp.node
				}
				if a, ok := o.warm[sp.node]; ok && a >= age[sp.node.hash] {
					age[sp.node.hash] = a
				}
			}
		}
	}
	warm := map[*Node]uint8{}
	items := make(map[*Node]*Node, len(s.spans))
	var scratch compactScratch
	for _, list := range s.lists {
		for _, sp := range list {
			n := sp.node
			if _, ok := items[n]; ok {
				continue
			}
			k, ok := known[n.hash]
			switch {
			case ok && k.kind == n.kind && k.c != nil && k.c.lazy != nil:
				// Equal hashes are equal values (content addressing).
				items[n] = k
			case !ok && held:
				items[n] = n // changed this poll: kept as parsed
				warm[n] = 0
			case ok && n.c != nil && n.c.lazy == nil && age[n.hash]+1 < warmPolls:
				items[n] = n // changed lately: kept as parsed a while
				warm[n] = age[n.hash] + 1
			default:
				items[n] = scratch.compact(n, s.cfg)
			}
		}
	}
	out := &Snapshot{root: replaceItems(s.root, items, 0), cfg: s.cfg, warm: warm,
		spans: make(map[spanKey]spanRef, len(s.spans)), lists: make([][]span, len(s.lists))}
	for i, list := range s.lists {
		out.lists[i] = make([]span, len(list))
		for j, sp := range list {
			r := items[sp.node]
			var subs []subSpan
			if r == sp.node {
				// Values inside a compacted item are gone with its tree.
				subs = sp.subs
			}
			out.lists[i][j] = span{sp.key, r, subs}
		}
	}
	for k, ref := range s.spans {
		out.spans[k] = spanRef{items[ref.node], ref.index}
	}
	return out
}

// warmPolls is how many polls an item stays parsed after it last changed.
const warmPolls = 2

// compactScratch holds the buffers one CompactSharing call writes every
// item's JSON and compressed JSON into: a compact item then costs one exact
// allocation for its text, not three growing ones.
type compactScratch struct{ json, zst []byte }

// compact returns the compact form of an item, or n itself when it is
// compact already or not a container.
func (sc *compactScratch) compact(n *Node, cfg *Config) *Node {
	if n.c == nil || n.c.lazy != nil {
		return n
	}
	sc.json = AppendCanonical(sc.json[:0], n)
	sc.zst = itemZstd.encoder().EncodeAll(sc.json, sc.zst[:0])
	lazy := &lazyBody{text: slices.Clone(sc.zst), cfg: cfg, sketch: n.Sketch()}
	if n.kind == Object && cfg.kept != "" {
		switch v, ok := n.Get(cfg.kept); {
		case !ok:
			lazy.kept = noMember
		case v.c == nil:
			lazy.kept = v
		}
	}
	c := &container{lazy: lazy}
	// The identity the item's list keyed it by: the next poll's list keys
	// it again without reading inside.
	c.idMemo.Store(n.c.idMemo.Load())
	return &Node{kind: n.kind, depth: n.depth, size: n.size, hash: n.hash, c: c}
}

// replaceItems rebuilds the containers above the items to replace, down to
// reuseDepth (items sit no deeper), sharing everything else.
func replaceItems(n *Node, items map[*Node]*Node, depth int) *Node {
	if r, ok := items[n]; ok {
		return r
	}
	if n.c == nil || n.c.lazy != nil || depth > reuseDepth {
		return n
	}
	var kids []*Node
	for i, k := range n.c.kids {
		r := replaceItems(k, items, depth+1)
		if r != k && kids == nil {
			kids = slices.Clone(n.c.kids)
		}
		if kids != nil {
			kids[i] = r
		}
	}
	if kids == nil {
		return n
	}
	// Same value, same keys and collection (identities do not change).
	return &Node{kind: n.kind, depth: n.depth, size: n.size, hash: n.hash,
		c: &container{kids: kids, keys: n.c.keys, coll: n.c.coll}}
}

// Sketch summarises a value's scalar members for finding similar values:
// a one-permutation MinHash of the set of its (member name, scalar value)
// pairs, four levels deep: each pair's hash falls in one of 16 slots, which
// keeps the smallest. Two values' sketches agree in about as many slots as
// the share of pairs they have in common (of the slots either fills). A
// compact item keeps its sketch, so finding similar items reads none of
// them.
type Sketch [sketchSlots]uint32

const (
	sketchSlots  = 16
	sketchDepth  = 4
	sketchLeaves = 256
	sketchEmpty  = ^uint32(0)
)

// Sketch returns n's sketch; one with every slot empty for a scalar.
func (n *Node) Sketch() Sketch {
	if c := n.c; c != nil && c.lazy != nil {
		return c.lazy.sketch
	}
	var s Sketch
	for i := range s {
		s[i] = sketchEmpty
	}
	if n.c == nil {
		return s
	}
	leaves := 0
	add := func(h uint64) {
		leaves++
		h *= 0x9e3779b97f4a7c15 // spread the bits the slot and value come from
		slot, v := h>>60, uint32(h)
		if v < s[slot] {
			s[slot] = v
		}
	}
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		if depth > sketchDepth || leaves >= sketchLeaves {
			return
		}
		b := n.body()
		for i, k := range b.kids {
			switch {
			case k.c != nil:
				walk(k, depth+1)
			case b.keys != nil:
				add(xxhash.Sum64String(b.keys[i]) ^ k.hash*0xbf58476d1ce4e5b9)
			default:
				add(k.hash)
			}
		}
	}
	walk(n, 0)
	return s
}

// Similarity returns in how many slots two sketches agree.
func (s *Sketch) Similarity(o *Sketch) int {
	n := 0
	for i := range s {
		if s[i] == o[i] && s[i] != sketchEmpty {
			n++
		}
	}
	return n
}
