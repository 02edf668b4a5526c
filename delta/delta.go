package delta

import (
	"github.com/snapdelta/snapdelta/snapshot"
)

// Delta turns the snapshot whose root hash is Base into the one whose root
// hash is Target. A Delta with no edits and Base == Target says "no change".
type Delta struct {
	Base   uint64
	Target uint64
	Edits  []Edit
}

// EditKind says what an Edit does.
type EditKind uint8

// The edit kinds. Their numbers are part of the wire format.
const (
	// Set puts Value at Path: the member is added or replaced; an empty
	// Path replaces the whole document.
	Set EditKind = 1
	// Remove removes the member at Path.
	Remove EditKind = 2
	// Patch applies Ops (RFC 6902, pointers relative to the value at Path).
	Patch EditKind = 3
	// Keyed applies Collection to the keyed array at Path.
	Keyed EditKind = 4
)

func (k EditKind) String() string {
	switch k {
	case Set:
		return "set"
	case Remove:
		return "remove"
	case Patch:
		return "patch"
	case Keyed:
		return "collection"
	}
	return "unknown"
}

// Edit is one change at one place. Path lists the object member names that
// lead from the root to the place; no Edit's Path is a prefix of another's in
// the same Delta, so edits commute.
type Edit struct {
	Path       []string
	Kind       EditKind
	Value      *snapshot.Node  // Set
	Ops        []Op            // Patch
	Collection *CollectionEdit // Keyed
}

// OpKind is an RFC 6902 operation.
type OpKind uint8

// The RFC 6902 operations. Their numbers are part of the wire format.
const (
	OpAdd     OpKind = 1
	OpRemove  OpKind = 2
	OpReplace OpKind = 3
	OpMove    OpKind = 4
	OpCopy    OpKind = 5
	OpTest    OpKind = 6
)

var opNames = [...]string{OpAdd: "add", OpRemove: "remove", OpReplace: "replace", OpMove: "move", OpCopy: "copy", OpTest: "test"}

func (k OpKind) String() string {
	if int(k) < len(opNames) && opNames[k] != "" {
		return opNames[k]
	}
	return "unknown"
}

// Op is one RFC 6902 operation. Path and From are JSON Pointers (RFC 6901);
// Value is set for add, replace and test.
type Op struct {
	Kind  OpKind
	Path  string
	From  string
	Value *snapshot.Node
}

// CollectionEdit changes a keyed collection. Apply removes the items named in
// Remove, replaces in place or patches the items named in Put (Index -1) and
// Patch, inserts the new items of Put at their Index (positions in the
// result, taken in ascending order), and finally, when Order is set, reorders
// the items: item i of the result is item Order[i] of the list built so far.
type CollectionEdit struct {
	Rule   string // identity rule, as snapshot.Rule's text form
	Remove []string
	Put    []Item
	Patch  []ItemPatch
	Order  []int
}

// Item is a whole collection item.
type Item struct {
	Key   string
	Index int // position in the result for a new item; -1 replaces the item in place
	Value *snapshot.Node
}

// ItemPatch changes one collection item with RFC 6902 operations whose
// pointers are relative to the item.
type ItemPatch struct {
	Key string
	Ops []Op
}

// Empty reports whether the delta changes nothing.
func (d *Delta) Empty() bool { return len(d.Edits) == 0 && d.Base == d.Target }
