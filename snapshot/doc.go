// Package snapshot is snapdelta's model of one environment snapshot: a JSON
// value held as a tree of [Node]s in which every node carries a content hash.
//
// Parsing keeps JSON exactly as sent where it matters for a lossless round
// trip: arrays keep their order, strings their exact text (after unescaping),
// numbers their literal text ("1.0" stays "1.0", "1e400" and
// "12345678901234567890" survive). Object member order is not kept: objects
// are held with their members sorted by key, which is also the order of the
// canonical JSON that [Snapshot.MarshalCanonical] writes.
//
// Arrays whose elements are all objects carrying a unique identity (an "Id",
// "ID", "id", "metadata.uid", "metadata.namespace"+"metadata.name" or "Name"
// member by default; see [Rule]) are keyed collections: each item has a key,
// so a delta can address it by identity instead of by position. An array with
// a missing or repeated identity stays positional.
//
// Hashes are xxhash64 over a canonical encoding, built as a Merkle tree:
// scalars hash their tagged bytes, arrays and objects hash their children's
// hashes (objects with sorted keys). Equal JSON values therefore hash equal
// whatever their member order or whitespace, a changed item is found with one
// comparison per level, and the root hash names a snapshot exactly. The
// encoding is specified in docs/wire-format.md.
//
// A Node is immutable once built and may be shared between snapshots and
// read by many goroutines at once; packages that build new trees (delta)
// copy the nodes along the path they change and share the rest.
//
// An agent polls every minute and keeps the last snapshot to diff the next
// one against: [Config.ParseNext] reuses the items of that snapshot whose
// text did not change, and [Snapshot.CompactSharing] keeps it in about the
// size of its JSON, each list item as compressed canonical JSON parsed again
// only when read.
package snapshot
