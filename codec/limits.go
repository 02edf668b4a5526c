package codec

import (
	"fmt"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Default decoding limits.
const (
	DefaultMaxDecodedSize = 64 << 20
	DefaultMaxDepth       = snapshot.DefaultMaxDepth
	// DefaultMaxItems bounds what a hostile frame can make a reader build
	// (~100 MiB of nodes at worst). Kubernetes JSON holds ~47 items per
	// KB (an 8 MB cluster: 380k), so servers of clusters above ~20 MB of
	// JSON raise it with WithMaxItems.
	DefaultMaxItems = 1 << 20
)

// A DecoderOption changes a Decoder's limits.
type DecoderOption func(*Decoder) error

// WithMaxDecodedSize bounds the body's decoded (decompressed) size in bytes.
func WithMaxDecodedSize(n int) DecoderOption {
	return func(d *Decoder) error {
		if n < 1 {
			return fmt.Errorf("codec: max decoded size %d: must be positive: %w", n, ErrInvalidOption)
		}
		d.maxSize = n
		return nil
	}
}

// WithMaxDepth bounds how deep arrays and maps nest: in a full frame's
// snapshot, and in the snapshot a delta's values land in (a value's own
// nesting plus the depth of its place: the edit path, the collection, the
// operation's pointer). So a snapshot rebuilt from accepted frames never
// nests deeper than a full frame may.
func WithMaxDepth(n int) DecoderOption {
	return func(d *Decoder) error {
		if n < 1 {
			return fmt.Errorf("codec: max depth %d: must be positive: %w", n, ErrInvalidOption)
		}
		d.maxDepth = n
		return nil
	}
}

// WithMaxItems bounds the total number of array elements and map members in
// a body.
func WithMaxItems(n int) DecoderOption {
	return func(d *Decoder) error {
		if n < 1 {
			return fmt.Errorf("codec: max items %d: must be positive: %w", n, ErrInvalidOption)
		}
		d.maxItems = n
		return nil
	}
}

// WithConfig sets the snapshot configuration (identity rules) of the
// snapshots a Decoder builds from full frames. Delta frames apply with their
// base's configuration.
func WithConfig(cfg *snapshot.Config) DecoderOption {
	return func(d *Decoder) error {
		if cfg == nil {
			return fmt.Errorf("codec: nil snapshot config: %w", ErrInvalidOption)
		}
		d.cfg = cfg
		return nil
	}
}
