// Package store is the server's memory of each environment's current
// snapshot and a short history of reverse deltas, so that a past poll can be
// rebuilt and a lost ack does not force a full resend.
//
// The package knows nothing of snapshots or frames: a Record holds an opaque
// payload (an encoded full frame) and its 64-bit root hash, a Step holds an
// opaque reverse delta (a frame turning the snapshot named Root back into
// the one named PrevRoot). Two implementations share one contract: Memory
// (tests, stateless servers) and Bolt (one go.etcd.io/bbolt file).
//
// # Commit rules
//
// Commit(env, rec, step) replaces the current record in one atomic step, all
// or nothing. Before changing anything it checks, returning ErrConflict on
// failure:
//
//   - rec.Seq is greater than the current Seq (seq restarts only after Delete);
//   - a non-nil step starts from the current snapshot: step.PrevRoot equals
//     the current Root (so an environment without a snapshot takes no step);
//   - for CommitIfRoot, the environment exists and its Root is prevRoot.
//
// and, returning ErrInvalid, that the environment id is 1..MaxEnvLen bytes of
// UTF-8, rec.Snapshot and step.Reverse are non-empty and at most MaxPayload
// bytes, step.Seq == rec.Seq and step.Root == rec.Root, and times lie within
// the range of UnixNano (years 1678 to 2262) or are zero.
//
// The history, newest first, is always a chain from the current snapshot
// (h[0].Root == current Root, h[i].PrevRoot == h[i+1].Root); Rewind walks it.
// To keep it so, a commit with a step prepends the step and trims to the
// configured length (WithHistory, default 8); a commit without a step keeps
// the history when rec.Root equals the current Root (a no-change poll) and
// clears it otherwise (a full resend: no reverse delta reaches the old
// chain). With history disabled steps are validated, then dropped.
//
// History and LoadHistory return ErrNotFound for an environment without a
// snapshot and an empty slice for one without history. Delete of an absent
// environment returns ErrNotFound. Times come back in UTC at nanosecond
// precision without a monotonic clock reading. Returned slices are fresh
// copies; arguments are copied, never retained.
//
// # Bolt file layout
//
// Top-level buckets:
//
//	meta              "format" → 0x01 (file format version; others are refused)
//	envs              one nested bucket per environment id (the id's bytes):
//	  <env>
//	    rec           → record value
//	    hist          nested bucket: 8-byte big-endian seq → step value
//
// Big-endian seq keys sort numerically, so the newest step is the last key
// and trimming is a cursor walk from it. Values are (all integers
// big-endian):
//
//	record: version u8 = 1 | kind u8 = 'R' | seq u64 | root u64 | time i64 |
//	        len u32 | snapshot [len] | crc u32
//	step:   version u8 = 1 | kind u8 = 'S' | seq u64 | root u64 | prevRoot u64 |
//	        time i64 | len u32 | reverse [len] | crc u32
//
// time is Unix nanoseconds, math.MinInt64 standing for the zero time. crc is
// CRC-32C (Castagnoli) of every preceding byte of the value. A value whose
// checksum, version, kind or length does not match, or a history key that
// differs from its step's seq, reads as ErrCorrupt. A corrupt current
// record can be overwritten by a Commit without step (a full resend) or
// removed by Delete.
//
// # Durability
//
// Each Commit or Delete is one bbolt read-write transaction, and bbolt
// fsyncs the file before the commit returns (NoSync is never set). After a
// crash at any moment, each environment holds either its old or its new
// record and history, never a mix. The file is locked while open; a second
// opener fails with ErrLocked after the WithTimeout delay (default 2 s).
package store
