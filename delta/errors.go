package delta

import "errors"

// Sentinel errors; match them with errors.Is. Package codec re-exports them.
var (
	// ErrUnknownBase: the delta was made against another snapshot than the
	// one it is applied to. The sender must resend against a base the
	// receiver holds, or send a full snapshot.
	ErrUnknownBase = errors.New("unknown base")
	// ErrVerify: the rebuilt snapshot's root hash is not the target root the
	// delta names. Nothing was changed.
	ErrVerify = errors.New("verification failed")
	// ErrCorrupt: the delta is malformed or does not fit its base (a path
	// or an item key that is not there, an invalid operation).
	ErrCorrupt = errors.New("corrupt delta")
)
