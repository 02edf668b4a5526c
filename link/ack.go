package link

import (
	"encoding/binary"
	"fmt"
	"net/url"

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

// Compact acks. The JSON of an Ack is 88 bytes of every poll's answer,
// where the headers around it cost a few bytes over HTTP/2: a Client asks
// for this form instead (the query "ack=compact" on its POST, which a
// server that does not know it ignores, answering JSON as before), and
// NewHandler gives it to the answers that apply or acknowledge a frame.
// Refusals keep JSON, which carries the error text.
//
// Layout: the form's version (1), the status (1 applied, 2 duplicate), the
// seq as a uvarint, the root as 8 bytes, most significant first.
const (
	// AckContentType is the media type of a compact ack.
	AckContentType = "application/vnd.snapdelta.ack"
	compactAckV1   = 1
)

// compactAckQuery is what a Client adds to a POST's URL to ask for one.
var compactAckQuery = url.Values{"ack": {"compact"}}

var compactStatuses = [...]Status{1: StatusApplied, 2: StatusDuplicate}

// appendCompactAck appends a's compact form to dst, or returns false when
// a has none: only applied and duplicate acks naming a root do.
func appendCompactAck(dst []byte, a Ack) ([]byte, bool) {
	root, ok, err := a.RootHash()
	if err != nil || !ok || a.Error != "" {
		return dst, false
	}
	code := 0
	for c, st := range compactStatuses {
		if st != "" && st == a.Status {
			code = c
		}
	}
	if code == 0 {
		return dst, false
	}
	dst = append(dst, compactAckV1, byte(code))
	dst = binary.AppendUvarint(dst, a.Seq)
	return binary.BigEndian.AppendUint64(dst, root), true
}

// parseCompactAck reads a compact ack for env.
func parseCompactAck(b []byte, env string) (Ack, error) {
	if len(b) < 2 || b[0] != compactAckV1 || int(b[1]) >= len(compactStatuses) || compactStatuses[b[1]] == "" {
		return Ack{}, fmt.Errorf("link: compact ack %x: %w", b, ErrInvalidAck)
	}
	seq, n := binary.Uvarint(b[2:])
	// One form per ack: a seq written longer than it needs is refused.
	var shortest [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutUvarint(shortest[:], seq) || len(b) != 2+n+8 {
		return Ack{}, fmt.Errorf("link: compact ack %x: %w", b, ErrInvalidAck)
	}
	root := binary.BigEndian.Uint64(b[2+n:])
	return Ack{Env: env, Seq: seq, Root: snapshot.FormatHash(root), Status: compactStatuses[b[1]]}, nil
}
