package store

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// Sentinel errors. Every error a Store returns wraps at most one of these
// (plus context naming the operation and environment); match with errors.Is.
var (
	// ErrNotFound: the environment has no snapshot.
	ErrNotFound = errors.New("not found")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store closed")
	// ErrInvalid: the arguments are unusable (empty or oversized environment
	// id, empty snapshot, a step that does not describe rec, a time outside
	// the representable range). Nothing was changed.
	ErrInvalid = errors.New("invalid argument")
	// ErrConflict: the commit does not follow the stored state (compare-and-
	// swap root mismatch, seq not increasing, step not starting from the
	// current root). Nothing was changed.
	ErrConflict = errors.New("conflict")
	// ErrCorrupt: stored bytes failed their checksum or could not be decoded.
	ErrCorrupt = errors.New("corrupt data")
	// ErrLocked: another process (or another Bolt in this process) holds the
	// database file and did not release it within the open timeout.
	ErrLocked = errors.New("database file locked")
)

const (
	// MaxEnvLen is the longest environment id, in bytes.
	MaxEnvLen = 256
	// MaxPayload is the largest Snapshot or Reverse payload, in bytes.
	MaxPayload = 1 << 30
	// DefaultHistory is the number of history steps kept per environment
	// unless WithHistory says otherwise.
	DefaultHistory = 8
	// DefaultTimeout is how long OpenBolt waits for the file lock unless
	// WithTimeout says otherwise.
	DefaultTimeout = 2 * time.Second
)

// Record is the current state of one environment.
type Record struct {
	Seq      uint64    // strictly increasing per environment
	Root     uint64    // root hash of the snapshot
	Time     time.Time // when the snapshot was taken or received
	Snapshot []byte    // opaque, non-empty (an encoded full frame)
}

// Step is one history entry: Reverse turns the snapshot named Root (the one
// committed with Seq) into the snapshot named PrevRoot (the one it replaced).
type Step struct {
	Seq      uint64 // equals the Seq of the Record committed with it
	Root     uint64 // equals the Root of the Record committed with it
	PrevRoot uint64 // the Root of the Record it replaced
	Time     time.Time
	Reverse  []byte // opaque, non-empty (an encoded delta frame)
}

// Store keeps each environment's current snapshot and a short history of
// reverse deltas. Implementations are safe for concurrent use; slices they
// return belong to the caller and slices passed in are never retained.
//
// Invariant kept by every implementation: the history, newest first, is a
// chain starting at the current snapshot: h[0].Root == current.Root and
// h[i].PrevRoot == h[i+1].Root. So a past snapshot named by h[i].PrevRoot is
// rebuilt by applying h[0].Reverse … h[i].Reverse in turn (see Rewind).
type Store interface {
	// Load returns the environment's current record, or ErrNotFound.
	Load(env string) (Record, error)
	// LoadHistory returns the current record and its history (newest
	// first) read at the same instant, or ErrNotFound.
	LoadHistory(env string) (Record, []Step, error)
	// History returns the environment's history, newest first; ErrNotFound
	// when the environment has no snapshot, an empty slice when it has a
	// snapshot but no history.
	History(env string) ([]Step, error)
	// Commit atomically makes rec the environment's current record and
	// updates the history; see the package documentation for the rules.
	Commit(env string, rec Record, step *Step) error
	// CommitIfRoot is Commit that first checks, in the same transaction,
	// that the environment exists and its current root is prevRoot;
	// otherwise it returns ErrConflict and changes nothing.
	CommitIfRoot(env string, prevRoot uint64, rec Record, step *Step) error
	// Environments returns the ids of all environments holding a
	// snapshot, sorted bytewise.
	Environments() ([]string, error)
	// Delete removes the environment's record and history, or returns
	// ErrNotFound.
	Delete(env string) error
	// Close releases the store; later calls return ErrClosed. Closing
	// twice is not an error.
	Close() error
}

// Option configures NewMemory and OpenBolt.
type Option func(*options)

type options struct {
	history int
	timeout time.Duration
}

func buildOptions(opts []Option) options {
	o := options{history: DefaultHistory, timeout: DefaultTimeout}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// WithHistory sets how many history steps are kept per environment (default
// DefaultHistory). 0, or a negative n, disables history: steps are still
// validated but not stored.
func WithHistory(n int) Option {
	return func(o *options) { o.history = max(n, 0) }
}

// WithTimeout sets how long OpenBolt waits for another holder of the file to
// let go before failing with ErrLocked (default DefaultTimeout). d <= 0 means
// fail at once; waiting forever is deliberately not offered. Memory ignores it.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// Time bounds: UnixNano is only defined inside them, and the lowest value is
// reserved in the bolt encoding for the zero time.
var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64)
)

func validTime(t time.Time) bool {
	return t.IsZero() || (!t.Before(minTime) && !t.After(maxTime))
}

// normTime gives both implementations the same observable time: UTC,
// nanosecond precision, no monotonic reading.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano()).UTC()
}

func checkEnv(op, env string) error {
	switch {
	case env == "":
		return fmt.Errorf("store: %s: empty environment id: %w", op, ErrInvalid)
	case len(env) > MaxEnvLen:
		return fmt.Errorf("store: %s: environment id is %d bytes, max %d: %w", op, len(env), MaxEnvLen, ErrInvalid)
	case !utf8.ValidString(env):
		return fmt.Errorf("store: %s %q: environment id is not valid UTF-8: %w", op, env, ErrInvalid)
	}
	return nil
}

// checkCommitArgs validates what can be checked without the stored state.
func checkCommitArgs(env string, rec Record, step *Step) error {
	if err := checkEnv("commit", env); err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("store: commit %q: %s: %w", env, fmt.Sprintf(format, args...), ErrInvalid)
	}
	switch {
	case len(rec.Snapshot) == 0:
		return bad("empty snapshot")
	case len(rec.Snapshot) > MaxPayload:
		return bad("snapshot is %d bytes, max %d", len(rec.Snapshot), MaxPayload)
	case !validTime(rec.Time):
		return bad("record time %v out of range", rec.Time)
	}
	if step == nil {
		return nil
	}
	switch {
	case len(step.Reverse) == 0:
		return bad("empty reverse delta")
	case len(step.Reverse) > MaxPayload:
		return bad("reverse delta is %d bytes, max %d", len(step.Reverse), MaxPayload)
	case step.Seq != rec.Seq:
		return bad("step seq %d differs from record seq %d", step.Seq, rec.Seq)
	case step.Root != rec.Root:
		return bad("step root %016x differs from record root %016x", step.Root, rec.Root)
	case !validTime(step.Time):
		return bad("step time %v out of range", step.Time)
	}
	return nil
}

// histAction is what a commit does to the stored history.
type histAction int

const (
	histKeep    histAction = iota // the chain still starts at the new current root
	histPrepend                   // add the step, then trim
	histClear                     // the new snapshot is unrelated to the old chain
)

// planCommit applies the commit rules shared by every implementation to the
// stored state. Its errors lack the "store: commit" prefix. curErr is non-nil when the current record exists but could
// not be read (corrupt); such a record may only be overwritten by a plain
// Commit without a step, which is how an operator recovers by a full resend.
func planCommit(cur Record, exists bool, curErr error,
	rec Record, step *Step, cas bool, prevRoot uint64) (histAction, error) {
	conflict := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrConflict)
	}
	if curErr != nil {
		if cas || step != nil {
			return 0, fmt.Errorf("current record: %w", curErr)
		}
		return histClear, nil
	}
	if cas {
		if !exists {
			return 0, conflict("no current snapshot, expected root %016x", prevRoot)
		}
		if cur.Root != prevRoot {
			return 0, conflict("current root %016x, expected %016x", cur.Root, prevRoot)
		}
	}
	if !exists {
		if step != nil {
			return 0, conflict("step from root %016x but the environment has no snapshot", step.PrevRoot)
		}
		return histClear, nil
	}
	if rec.Seq <= cur.Seq {
		return 0, conflict("seq %d does not follow current seq %d", rec.Seq, cur.Seq)
	}
	if step != nil {
		if step.PrevRoot != cur.Root {
			return 0, conflict("step from root %016x but current root is %016x", step.PrevRoot, cur.Root)
		}
		return histPrepend, nil
	}
	if rec.Root == cur.Root {
		return histKeep, nil
	}
	return histClear, nil
}

// Rewind rebuilds the snapshot named target from rec and its history hist
// (newest first, as LoadHistory returns them), applying one reverse delta
// per step with apply, which receives the snapshot named step.Root and must
// return the one named step.PrevRoot (and should verify it). The result
// never aliases rec.Snapshot. ErrNotFound when target is not reachable;
// ErrCorrupt when hist is not a chain starting at rec.
func Rewind(rec Record, hist []Step, target uint64,
	apply func(snapshot []byte, step Step) ([]byte, error)) ([]byte, error) {
	if target == rec.Root {
		return clone(rec.Snapshot), nil
	}
	if apply == nil {
		return nil, fmt.Errorf("store: rewind: nil apply: %w", ErrInvalid)
	}
	cur, root := rec.Snapshot, rec.Root
	for _, st := range hist {
		if st.Root != root {
			return nil, fmt.Errorf("store: rewind: step seq %d starts at root %016x, want %016x: %w",
				st.Seq, st.Root, root, ErrCorrupt)
		}
		next, err := apply(cur, st)
		if err != nil {
			return nil, fmt.Errorf("store: rewind: step seq %d: %w", st.Seq, err)
		}
		cur, root = next, st.PrevRoot
		if root == target {
			if sameArray(cur, rec.Snapshot) {
				cur = clone(cur) // apply handed back its input: keep the promise of a fresh slice
			}
			return cur, nil
		}
	}
	return nil, fmt.Errorf("store: rewind: root %016x not in history: %w", target, ErrNotFound)
}

func sameArray(a, b []byte) bool {
	return len(a) > 0 && len(b) > 0 && &a[0] == &b[0]
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}
