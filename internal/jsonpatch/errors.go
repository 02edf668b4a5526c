package jsonpatch

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors; every error returned by this package wraps one of them.
var (
	// ErrInvalidOp reports an operation that is malformed whatever the
	// document: an unknown op, a missing member, a value that is not a value
	// tree, a move into its own child or the removal of the root.
	ErrInvalidOp = errors.New("invalid operation")
	// ErrPathNotFound reports a path or from location that does not exist in
	// the document, including array indexes that are malformed or out of range.
	ErrPathNotFound = errors.New("path not found")
	// ErrTestFailed reports a "test" operation whose value differs from the
	// document's.
	ErrTestFailed = errors.New("test failed")
	// ErrInvalidPointer reports a JSON Pointer that is not well formed.
	ErrInvalidPointer = errors.New("invalid pointer")
	// ErrTooLarge reports a patch that would go past the nesting or copy
	// limits described in the package documentation.
	ErrTooLarge = errors.New("result too large")
)

// opError puts the failing operation's position and target in front of err.
func opError(i int, op *Op, err error) error {
	if op.Op == opMove || op.Op == opCopy {
		return fmt.Errorf("jsonpatch: op %d (%s %s from %s): %w", i, show(op.Op), show(op.Path), show(op.From), err)
	}
	return fmt.Errorf("jsonpatch: op %d (%s %s): %w", i, show(op.Op), show(op.Path), err)
}

// maxShown bounds how much of a hostile string an error message repeats.
const maxShown = 64

// show renders s for an error message: as is when it is short plain text,
// quoted and truncated otherwise, so that input cannot forge log lines.
func show(s string) string {
	plain := s != ""
	for _, r := range s {
		if r <= ' ' || r == '"' || r >= 0x7f {
			plain = false
			break
		}
	}
	if plain && len(s) <= maxShown {
		return s
	}
	if len(s) > maxShown {
		return strconv.Quote(s[:maxShown]) + "..."
	}
	return strconv.Quote(s)
}
