package link

import (
	"errors"

	"github.com/snapdelta/snapdelta/codec"
)

// Sentinel errors; match them with errors.Is. The frame errors are the
// codec's own values, so an error from any layer matches the same sentinel.
var (
	// ErrUnknownBase: a delta frame was built against a snapshot the
	// receiver does not hold (any more). The sender must send a full frame.
	ErrUnknownBase = codec.ErrUnknownBase
	// ErrVerify: the snapshot rebuilt from a frame does not have the root
	// hash the frame names. Nothing was changed.
	ErrVerify = codec.ErrVerify
	// ErrCorrupt: the frame (or a stored payload) is malformed. Nothing was
	// changed.
	ErrCorrupt = codec.ErrCorrupt
	// ErrTooLarge: the frame, or the snapshot it would build, exceeds a
	// configured limit. Nothing was changed.
	ErrTooLarge = codec.ErrTooLarge
	// ErrVersion: the frame's format version or dictionary is unknown to
	// this build. Nothing was changed.
	ErrVersion = codec.ErrVersion
	// ErrUnauthorized: the request did not carry the environment's secret
	// (used by the HTTP layer).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrInvalidOption: an option given to NewSender or NewReceiver is
	// unusable.
	ErrInvalidOption = errors.New("invalid option")
	// ErrInvalidAck: an Ack that names no valid root or status. The Sender
	// ignores it.
	ErrInvalidAck = errors.New("invalid ack")
)
