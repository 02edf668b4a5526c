package delta

import (
	"fmt"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Delta turns the snapshot whose root hash is Base into the one whose root
// hash is Target. A Delta with no edits and Base == Target says "no change".
type Delta struct {
	Base   uint64
	Target uint64
	Edits  []Edit

	origin *snapshot.Snapshot // what Diff computed the delta from
	next   *snapshot.Snapshot // what Diff computed the delta toward
}

// Origin returns the snapshot Diff or DiffWhole computed d from (its root
// hash is Base), or nil for a delta built or decoded otherwise. An encoder
// that has it may code new items against the base items they resemble
// (Item.Like), which both ends hold.
func (d *Delta) Origin() *snapshot.Snapshot { return d.origin }

// Next returns the snapshot Diff or DiffWhole computed d toward (its root
// hash is Target), or nil for a delta built or decoded otherwise. An
// encoder that has it and Origin may send next whole, compressed against
// the base, when that is smaller than the delta (codec, format 8).
func (d *Delta) Next() *snapshot.Snapshot { return d.next }

// SetOrigin records base as the snapshot d applies to (see Origin), as a
// decoder does once it has applied a frame: the delta then encodes again to
// the same frame. It refuses a base whose root hash is not d.Base
// (ErrUnknownBase).
func (d *Delta) SetOrigin(base *snapshot.Snapshot) error {
	if base == nil || base.Hash() != d.Base {
		return fmt.Errorf("delta: origin is not the base %s: %w", snapshot.FormatHash(d.Base), ErrUnknownBase)
	}
	d.origin = base
	return nil
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

// OpKind is an operation on a value: one of RFC 6902's six, or one of the
// scalar transforms snapdelta adds to describe a small change in fewer
// bytes than the new value.
type OpKind uint8

// The operations. Their numbers are part of the wire format.
const (
	OpAdd     OpKind = 1
	OpRemove  OpKind = 2
	OpReplace OpKind = 3
	OpMove    OpKind = 4
	OpCopy    OpKind = 5
	OpTest    OpKind = 6
	// OpIncrement adds Int to the integer at Path: a JSON number, or a
	// string holding a decimal integer (Kubernetes' resourceVersion), which
	// stays a string. Format 2 and later.
	OpIncrement OpKind = 7
	// OpShiftTime adds Int nanoseconds to the RFC 3339 timestamp string at
	// Path and writes it back in Layout. Format 2 and later.
	OpShiftTime OpKind = 8
	// OpSplice keeps the first Prefix and last Suffix bytes of the string at
	// Path and puts Text between them. Format 2 and later.
	OpSplice OpKind = 9
	// OpIncrementText adds Int to the integer written in the Run-th run of
	// ASCII digits (counting from 0) of the string at Path: "Up 4 minutes"
	// becomes "Up 5 minutes", "Exited (0) 2 hours ago" (run 1) becomes
	// "Exited (0) 3 hours ago". Format 3 and later. (10 is taken on the wire
	// by the nanosecond form of OpShiftTime.)
	OpIncrementText OpKind = 11
)

var opNames = [...]string{OpAdd: "add", OpRemove: "remove", OpReplace: "replace", OpMove: "move", OpCopy: "copy", OpTest: "test",
	OpIncrement: "increment", OpShiftTime: "shift-time", OpSplice: "splice", OpIncrementText: "increment-text"}

func (k OpKind) String() string {
	if int(k) < len(opNames) && opNames[k] != "" {
		return opNames[k]
	}
	return "unknown"
}

// known reports whether k is an operation this build applies.
func (k OpKind) known() bool { return (k >= OpAdd && k <= OpSplice) || k == OpIncrementText }

// IsRFC6902 reports whether k is one of RFC 6902's operations.
func (k OpKind) IsRFC6902() bool { return k >= OpAdd && k <= OpTest }

// Op is one operation. Path and From are JSON Pointers (RFC 6901); Value is
// set for add, replace and test; Int, Layout, Prefix, Suffix and Text are
// the arguments of the scalar transforms.
type Op struct {
	Kind   OpKind
	Path   string
	From   string
	Value  *snapshot.Node
	Int    int64      // OpIncrement, OpIncrementText: the difference; OpShiftTime: nanoseconds
	Layout TimeLayout // OpShiftTime
	Prefix int        // OpSplice
	Suffix int        // OpSplice
	Text   string     // OpSplice
	Run    int        // OpIncrementText
}

// CollectionEdit changes a keyed collection. Apply removes the items named
// in Remove and RemoveAt, replaces in place or patches the items named in
// Put (Index -1) and Patch, inserts the new items of Put at their Index
// (positions in the result, taken in ascending order), and finally, when
// Order is set, reorders the items: item i of the result is item Order[i]
// of the list built so far.
//
// Base items are named by key (format 1) or by position in the base array
// (format 2: a position costs a byte or two where a Docker id costs 64).
// Diff fills both; positions win when ByPos is set.
type CollectionEdit struct {
	Rule     string // identity rule, as snapshot.Rule's text form
	Remove   []string
	RemoveAt []int
	Put      []Item
	Patch    []ItemPatch
	Order    []int
}

// Item is a collection item put whole, or built from a base item.
type Item struct {
	Key   string
	At    int  // base position of the item replaced in place, when ByPos
	ByPos bool // At names the replaced item (Index -1)
	Index int  // position in the result for a new item; -1 replaces the item in place
	Value *snapshot.Node
	// A new item may instead be built from the base item at position From
	// (format 2), patched with Ops: a new container looks like the one it
	// replaces, a new pod like its siblings. Apply then builds it so and
	// ignores Value, which Diff still sets, so that an encoder may send
	// either form.
	From    int
	HasFrom bool
	Ops     []Op
	// Like lists the base positions of the items a new item most resembles,
	// likeliest last (Diff sets it for insertions; Apply does not read it).
	// An encoder may code the new item's text against theirs (format 3),
	// taking them into its dictionary in this order: the last lands nearest
	// the item, where zstd's offsets are shortest.
	Like []int
}

// ItemPatch changes one collection item with operations whose pointers are
// relative to the item.
type ItemPatch struct {
	Key   string
	At    int // base position of the item, when ByPos
	ByPos bool
	Ops   []Op
}

// Empty reports whether the delta changes nothing.
func (d *Delta) Empty() bool { return len(d.Edits) == 0 && d.Base == d.Target }
