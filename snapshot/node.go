package snapshot

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
)

// Kind is the JSON type of a Node.
type Kind uint8

// The JSON types.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "bool"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Hash tags of the canonical encoding (docs/wire-format.md, "Content hash").
// Changing any of them changes every root hash: they are part of the format.
const (
	tagNull   = 'n'
	tagFalse  = 'f'
	tagTrue   = 't'
	tagNumber = 'd'
	tagString = 's'
	tagArray  = 'a'
	tagObject = 'o'
)

// Node is one JSON value with its content hash. Nodes are immutable once
// built: they can be shared between snapshots and read concurrently.
type Node struct {
	kind  Kind
	bval  bool
	depth uint16 // levels of arrays and objects, this one included (saturating)
	size  uint32 // length of the node's canonical JSON, escapes aside (saturating)
	hash  uint64
	text  string     // number literal or string value
	c     *container // arrays and objects; nil for scalars, most of a snapshot's nodes
}

// container is what only arrays and objects hold, kept apart so that a
// scalar node costs 40 bytes rather than 100.
type container struct {
	kids []*Node  // array elements, or object member values aligned with keys
	keys []string // object member names, sorted, unique
	coll *Collection
	// idMemo caches the object's identity under the last rule asked: a
	// cache, not content, so atomic for readers sharing the node.
	idMemo atomic.Pointer[idMemo]
	// lazy, for an item of a compact snapshot, holds its text: kids, keys
	// and coll are then in lazy's container (see body and compact.go).
	lazy *lazyBody
}

// Kind returns the node's JSON type.
func (n *Node) Kind() Kind { return n.kind }

// Hash returns the node's content hash.
func (n *Node) Hash() uint64 { return n.hash }

// Depth returns how many levels of arrays and objects n nests, itself
// included: 0 for a scalar, 1 for [1,2], 2 for {"a":[]}. It saturates at
// 65535 and costs nothing (computed when built).
func (n *Node) Depth() int { return int(n.depth) }

// Size returns the approximate length in bytes of the node's canonical JSON
// (exact unless strings need escaping). It is cheap: computed when built.
func (n *Node) Size() int { return int(n.size) }

// Bool returns the value of a Bool node.
func (n *Node) Bool() bool { return n.bval }

// Text returns the literal text of a Number node or the value of a String node.
func (n *Node) Text() string { return n.text }

// Len returns the number of elements of an Array or members of an Object.
func (n *Node) Len() int {
	if n.c == nil {
		return 0
	}
	return len(n.body().kids)
}

// Elem returns element i of an Array.
func (n *Node) Elem(i int) *Node { return n.body().kids[i] }

// Elems returns the elements of an Array. The slice must not be modified.
func (n *Node) Elems() []*Node {
	if n.kind != Array {
		return nil
	}
	return n.body().kids
}

// Keys returns the sorted member names of an Object. The slice must not be
// modified.
func (n *Node) Keys() []string {
	if n.kind != Object {
		return nil
	}
	return n.body().keys
}

// Values returns the member values of an Object, aligned with Keys. The
// slice must not be modified.
func (n *Node) Values() []*Node {
	if n.kind != Object {
		return nil
	}
	return n.body().kids
}

// Get returns the value of member key of an Object. On a compact item it
// parses the item's text, unless key is one of the members the item keeps
// (Config's kept members).
func (n *Node) Get(key string) (*Node, bool) {
	if n.kind != Object {
		return nil, false
	}
	if n.c != nil && n.c.lazy != nil {
		if v, known := n.c.lazy.keptMember(key); known {
			return v, v != nil
		}
	}
	i, ok := n.find(key)
	if !ok {
		return nil, false
	}
	return n.body().kids[i], true
}

func (n *Node) find(key string) (int, bool) {
	return slices.BinarySearch(n.body().keys, key)
}

// Collection returns the keyed collection view of an Array whose elements
// all carry a unique identity, or nil.
func (n *Node) Collection() *Collection {
	if n.c == nil {
		return nil
	}
	return n.body().coll
}

// Equal reports whether two nodes hold the same JSON value, number literals
// compared as text. It compares hashes first and structure only when they
// match, so a hash collision cannot make it lie.
func Equal(a, b *Node) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.hash != b.hash || a.kind != b.kind {
		return false
	}
	switch a.kind {
	case Null:
		return true
	case Bool:
		return a.bval == b.bval
	case Number, String:
		return a.text == b.text
	case Array:
		if len(a.body().kids) != len(b.body().kids) {
			return false
		}
		for i := range a.body().kids {
			if !Equal(a.body().kids[i], b.body().kids[i]) {
				return false
			}
		}
		return true
	case Object:
		if !slices.Equal(a.body().keys, b.body().keys) {
			return false
		}
		for i := range a.body().kids {
			if !Equal(a.body().kids[i], b.body().kids[i]) {
				return false
			}
		}
		return true
	}
	return false
}

var (
	nullNode  = &Node{kind: Null, hash: xxhash.Sum64([]byte{tagNull}), size: 4}
	falseNode = &Node{kind: Bool, hash: xxhash.Sum64([]byte{tagFalse}), size: 5}
	trueNode  = &Node{kind: Bool, bval: true, hash: xxhash.Sum64([]byte{tagTrue}), size: 4}
)

// The empty containers are shared like the literals: Kubernetes'
// managedFields alone hold thousands of {} per cluster.
var emptyObject, emptyArray *Node

func init() {
	emptyObject = newObjectSorted(nil, nil)
	emptyArray = NewArray(nil, nil)
}

// NewNull returns the JSON null.
func NewNull() *Node { return nullNode }

// NewBool returns a JSON boolean.
func NewBool(b bool) *Node {
	if b {
		return trueNode
	}
	return falseNode
}

// NewString returns a JSON string. It refuses invalid UTF-8, which no JSON
// text can carry.
func NewString(s string) (*Node, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("snapshot: string is not valid UTF-8: %w", ErrInvalidValue)
	}
	return newString(s), nil
}

func newString(s string) *Node {
	return &Node{kind: String, text: s, hash: hashScalar(tagString, s), size: clampSize(len(s) + 2)}
}

// NewNumber returns a JSON number holding the literal text lit, which must be
// a valid JSON number ("1.0", "-0", "1e400" are; "01", "+1", "NaN" are not).
func NewNumber(lit string) (*Node, error) {
	if !ValidNumber(lit) {
		return nil, fmt.Errorf("snapshot: %q is not a JSON number: %w", truncate(lit, 40), ErrInvalidValue)
	}
	return newNumber(lit), nil
}

func newNumber(lit string) *Node {
	return &Node{kind: Number, text: lit, hash: hashScalar(tagNumber, lit), size: clampSize(len(lit))}
}

// NewArray returns a JSON array of elems, detecting a keyed collection with
// the rules of cfg (nil means the default configuration). NewArray keeps
// elems: the caller must not modify the slice afterwards.
func NewArray(elems []*Node, cfg *Config) *Node {
	if cfg == nil {
		cfg = defaultConfig
	}
	if len(elems) == 0 && emptyArray != nil {
		return emptyArray
	}
	n := &Node{kind: Array, c: &container{kids: elems}, depth: childDepth(elems)}
	var size int
	n.hash, size = hashArray(elems)
	n.size = clampSize(size)
	n.body().coll = cfg.detect(elems)
	return n
}

// NewObject returns a JSON object with the given members. It refuses a
// repeated key. NewObject keeps keys and vals (sorting them in place): the
// caller must not modify the slices afterwards.
func NewObject(keys []string, vals []*Node) (*Node, error) {
	if len(keys) != len(vals) {
		return nil, fmt.Errorf("snapshot: object with %d keys and %d values: %w", len(keys), len(vals), ErrInvalidValue)
	}
	for _, k := range keys {
		if !utf8.ValidString(k) {
			return nil, fmt.Errorf("snapshot: object key is not valid UTF-8: %w", ErrInvalidValue)
		}
	}
	sortMembers(keys, vals)
	for i := 1; i < len(keys); i++ {
		if keys[i] == keys[i-1] {
			return nil, fmt.Errorf("snapshot: duplicate object key %q: %w", truncate(keys[i], 40), ErrInvalidValue)
		}
	}
	return newObjectSorted(keys, vals), nil
}

// newObjectSorted builds an object from members already sorted and unique.
func newObjectSorted(keys []string, vals []*Node) *Node {
	if len(keys) == 0 && emptyObject != nil {
		return emptyObject
	}
	n := &Node{kind: Object, c: &container{keys: keys, kids: vals}, depth: childDepth(vals)}
	var size int
	n.hash, size = hashObject(keys, vals)
	n.size = clampSize(size)
	return n
}

// WithMember returns a copy of object n in which member key is set to v
// (added or replaced). n is not modified.
func (n *Node) WithMember(key string, v *Node) *Node {
	i, found := n.find(key)
	var keys []string
	var vals []*Node
	if found {
		keys = n.body().keys
		vals = slices.Clone(n.body().kids)
		vals[i] = v
	} else {
		keys = slices.Insert(slices.Clone(n.body().keys), i, key)
		vals = slices.Insert(slices.Clone(n.body().kids), i, v)
	}
	return newObjectSorted(keys, vals)
}

// WithoutMember returns a copy of object n without member key, and whether
// the member was there. n is not modified.
func (n *Node) WithoutMember(key string) (*Node, bool) {
	i, found := n.find(key)
	if !found {
		return n, false
	}
	keys := slices.Delete(slices.Clone(n.body().keys), i, i+1)
	vals := slices.Delete(slices.Clone(n.body().kids), i, i+1)
	return newObjectSorted(keys, vals), true
}

func sortMembers(keys []string, vals []*Node) {
	if slices.IsSorted(keys) {
		return
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	k2 := make([]string, len(keys))
	v2 := make([]*Node, len(vals))
	for i, j := range idx {
		k2[i], v2[i] = keys[j], vals[j]
	}
	copy(keys, k2)
	copy(vals, v2)
}

func hashScalar(tag byte, s string) uint64 {
	var d xxhash.Digest
	d.Reset()
	b := [1]byte{tag}
	_, _ = d.Write(b[:])
	_, _ = d.WriteString(s)
	return d.Sum64()
}

func hashArray(elems []*Node) (uint64, int) {
	var d xxhash.Digest
	d.Reset()
	var buf [binary.MaxVarintLen64 + 1]byte
	buf[0] = tagArray
	k := binary.PutUvarint(buf[1:], uint64(len(elems)))
	_, _ = d.Write(buf[:1+k])
	size := 2
	if len(elems) > 1 {
		size += len(elems) - 1
	}
	var h [8]byte
	for _, e := range elems {
		binary.LittleEndian.PutUint64(h[:], e.hash)
		_, _ = d.Write(h[:])
		size = addSize(size, int(e.size))
	}
	return d.Sum64(), size
}

func hashObject(keys []string, vals []*Node) (uint64, int) {
	var d xxhash.Digest
	d.Reset()
	var buf [binary.MaxVarintLen64 + 1]byte
	buf[0] = tagObject
	k := binary.PutUvarint(buf[1:], uint64(len(keys)))
	_, _ = d.Write(buf[:1+k])
	size := 2
	if len(keys) > 1 {
		size += len(keys) - 1
	}
	var h [8]byte
	for i, key := range keys {
		k := binary.PutUvarint(buf[:], uint64(len(key)))
		_, _ = d.Write(buf[:k])
		_, _ = d.WriteString(key)
		binary.LittleEndian.PutUint64(h[:], vals[i].hash)
		_, _ = d.Write(h[:])
		size = addSize(size, len(key)+3+int(vals[i].size))
	}
	return d.Sum64(), size
}

// addSize adds without overflowing: sizes only steer heuristics.
func addSize(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// childDepth is the depth of a container holding kids.
func childDepth(kids []*Node) uint16 {
	d := uint16(0)
	for _, k := range kids {
		d = max(d, k.depth)
	}
	if d == math.MaxUint16 {
		return d
	}
	return d + 1
}

// clampSize fits a size into a node's field: sizes only steer heuristics.
func clampSize(n int) uint32 {
	if n > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(n)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
