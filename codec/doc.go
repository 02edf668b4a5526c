// Package codec is snapdelta's wire format: it turns a whole snapshot (a
// full frame) or a delta (a delta frame, or a patch-from frame) into bytes
// and back.
//
// A frame is a small header (magic "SD", format version, kind, compression,
// dictionary id, body length) followed by the body: msgpack
// (github.com/vmihailenco/msgpack/v5), compressed with zstd
// (github.com/klauspost/compress) unless the raw body is smaller. JSON
// numbers travel as their literal text, so nothing is rounded. The format is
// specified in docs/wire-format.md, with golden vectors in testdata/vectors.
//
// Both ends hold the base, so a delta frame leans on it: it names the base
// by 32 bits of its root (the target's 64-bit root proves the result), codes
// new items as text against the base items they resemble, and predicts the
// Docker statuses that count a minute up or change words as they age, "Up
// 59 minutes" to "Up About an hour" (status ticks). A decoded frame is
// therefore complete only once applied to its base ([Frame.Apply],
// [Frame.NeedsBase], [Frame.NamesBase]). Encoders write format 8 with
// dictionary 3: format 4 with the hex digits of ids and digests sent as the
// bytes they spell (format 5), items patched alike but for their numbers
// (every node's heartbeat) sent as one shape run with a column of
// differences per number (format 6), new items sent without the members
// that copy another of their members (a Kubernetes event's lastTimestamp is
// its firstTimestamp), which a fixed table of rules puts back (format 7),
// and, when most items changed (an agent back after a day away), the whole
// snapshot compressed against the base's in place of the delta, when that
// is smaller ([PatchFrom] frames, format 8). [WithVersion](7), (6), (5), (4)
// or (3) writes what older receivers read.
//
// Decoding is bounded and never panics: the body length is checked against
// the configured maximum before anything is inflated, zstd is capped at that
// size, every msgpack length prefix is checked against the bytes actually
// left before anything is allocated, and nesting depth and the total number
// of items are limited ([WithMaxDecodedSize], [WithMaxDepth],
// [WithMaxItems]). Errors match the package's sentinels with errors.Is:
// [ErrCorrupt], [ErrTooLarge], [ErrVersion], and, when a frame is applied,
// [ErrUnknownBase] and [ErrVerify].
//
// Encoders and Decoders are safe for concurrent use; create one and reuse it,
// since zstd state is costly to build.
package codec
