package codec

import (
	"errors"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrCorrupt: the frame is malformed: bad magic, truncated, an invalid
	// msgpack or zstd stream, a value that is not JSON, a delta that does not
	// fit its base. It is the same value as delta.ErrCorrupt.
	ErrCorrupt = delta.ErrCorrupt
	// ErrTooLarge: the frame or what it decodes to exceeds a configured
	// limit (decoded size, nesting depth, item count).
	ErrTooLarge = errors.New("frame too large")
	// ErrVersion: the frame's format version or dictionary is not one this
	// build knows.
	ErrVersion = errors.New("unsupported frame version")
	// ErrUnknownBase: a delta frame was applied to another snapshot than its
	// base. The same value as delta.ErrUnknownBase.
	ErrUnknownBase = delta.ErrUnknownBase
	// ErrVerify: the rebuilt snapshot's root hash is not the one the frame
	// names. The same value as delta.ErrVerify.
	ErrVerify = delta.ErrVerify
	// ErrInvalidOption: an Encoder or Decoder option's value is out of
	// range. The same value as snapshot.ErrInvalidOption.
	ErrInvalidOption = snapshot.ErrInvalidOption
)
