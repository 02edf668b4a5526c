package link

import (
	"fmt"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Ack is the receiver's answer to a frame. Whatever happened to the frame,
// it names the snapshot the receiver holds now (durably: a root is only
// acknowledged after the store committed it), so a sender can always take
// Root as a base it may diff against.
type Ack struct {
	Env    string `json:"env"`
	Seq    uint64 `json:"seq"`    // the highest seq the receiver has applied for this env (0 if none)
	Root   string `json:"root"`   // root hash the receiver holds now, as snapshot.FormatHash ("" if none)
	Status Status `json:"status"` // what happened to the frame
	Error  string `json:"error,omitempty"`
}

// Status says what a receiver did with a frame.
type Status string

// The statuses of an Ack.
const (
	// StatusApplied: the frame was applied; Root is its target.
	StatusApplied Status = "applied"
	// StatusDuplicate: the frame's seq was not above the last applied one
	// (a retry, a duplicate or a stale frame); nothing changed.
	StatusDuplicate Status = "duplicate"
	// StatusUnknownBase: the delta's base is not held; send a full frame.
	StatusUnknownBase Status = "unknown-base"
	// StatusRejected: the frame is corrupt, failed verification or is too
	// large; nothing changed.
	StatusRejected Status = "rejected"
	// StatusError: the receiver failed (its store did); nothing changed and
	// the frame may be sent again later.
	StatusError Status = "error"
)

// RootHash returns the root the ack names, and false when it names none.
func (a Ack) RootHash() (uint64, bool, error) {
	if a.Root == "" {
		return 0, false, nil
	}
	h, err := snapshot.ParseHash(a.Root)
	if err != nil {
		return 0, false, fmt.Errorf("link: ack root %q: %w", a.Root, ErrInvalidAck)
	}
	return h, true, nil
}

// formatRoot is the Ack form of a root: "" for none.
func formatRoot(s *snapshot.Snapshot) string {
	if s == nil {
		return ""
	}
	return snapshot.FormatHash(s.Hash())
}
