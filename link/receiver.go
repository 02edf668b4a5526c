package link

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// Defaults of a Receiver.
const (
	// DefaultRecentRoots is how many snapshots per environment a delta may
	// be based on: the current one and the three before it.
	DefaultRecentRoots = 4
	// DefaultMaxFrameSize bounds the encoded frame.
	DefaultMaxFrameSize = 64 << 20
	// DefaultMaxSnapshotSize bounds the canonical JSON size of a snapshot
	// a frame builds. It matches the codec's default decoded-size limit, so
	// the checkpoint of any snapshot accepted can be decoded again.
	DefaultMaxSnapshotSize = codec.DefaultMaxDecodedSize
)

// ReceiverOption configures a Receiver.
type ReceiverOption func(*Receiver) error

// WithDecoder sets the Decoder frames and stored payloads are read with,
// and so the limits frames must keep (default: codec's defaults).
func WithDecoder(d *codec.Decoder) ReceiverOption {
	return func(r *Receiver) error {
		if d == nil {
			return fmt.Errorf("link: nil decoder: %w", ErrInvalidOption)
		}
		r.dec = d
		return nil
	}
}

// WithReceiverEncoder sets the Encoder of the checkpoints and reverse
// deltas the Receiver stores (default: one at zstd's fastest level, shared
// by the process).
func WithReceiverEncoder(e *codec.Encoder) ReceiverOption {
	return func(r *Receiver) error {
		if e == nil {
			return fmt.Errorf("link: nil encoder: %w", ErrInvalidOption)
		}
		r.enc = e
		return nil
	}
}

// WithRecentRoots sets how many snapshots per environment a delta may be
// based on, the current one included (at least 1; default
// DefaultRecentRoots). Keeping a few lets a delta made against a snapshot
// whose ack was lost apply without a full resend; they share their
// unchanged nodes, so each costs about the size of its changes.
func WithRecentRoots(n int) ReceiverOption {
	return func(r *Receiver) error {
		if n < 1 {
			return fmt.Errorf("link: recent roots %d: must be at least 1: %w", n, ErrInvalidOption)
		}
		r.recent = n
		return nil
	}
}

// WithHistory says whether the Receiver computes a reverse delta for each
// change and hands it to the store as a history step (default true). Turn
// it off when the store keeps no history: the step would be computed and
// dropped.
func WithHistory(on bool) ReceiverOption {
	return func(r *Receiver) error {
		r.history = on
		return nil
	}
}

// WithMaxFrameSize bounds the encoded size of a frame (default
// DefaultMaxFrameSize); a larger one is rejected with ErrTooLarge.
func WithMaxFrameSize(n int) ReceiverOption {
	return func(r *Receiver) error {
		if n < 1 {
			return fmt.Errorf("link: max frame size %d: must be positive: %w", n, ErrInvalidOption)
		}
		r.maxFrame = n
		return nil
	}
}

// WithMaxSnapshotSize bounds the canonical JSON size of the snapshot a frame
// builds (default DefaultMaxSnapshotSize). Each delta is bounded by the
// decoder, but a run of them could grow a snapshot without end; keep this
// within the decoder's decoded-size limit so stored checkpoints stay
// loadable.
func WithMaxSnapshotSize(n int) ReceiverOption {
	return func(r *Receiver) error {
		if n < 1 {
			return fmt.Errorf("link: max snapshot size %d: must be positive: %w", n, ErrInvalidOption)
		}
		r.maxSnap = n
		return nil
	}
}

// ReceiverStats counts what a Receiver did with frames since it was made.
type ReceiverStats struct {
	Applied     uint64 // frames applied
	Full        uint64 // of which full frames
	Duplicates  uint64 // frames answered StatusDuplicate
	UnknownBase uint64 // frames answered StatusUnknownBase
	Rejected    uint64 // frames answered StatusRejected
	Errors      uint64 // frames answered StatusError (store failures)
	Checkpoints uint64 // full frames encoded to renew a stored checkpoint
}

// Receiver is the server side of the link: it applies each environment's
// frames to the snapshot it holds and stores the result.
//
// Per environment it keeps the current snapshot parsed in memory, loaded
// from the store on first use, and the few snapshots before it (see
// WithRecentRoots): a delta may be based on any of them. A frame is applied
// when its seq is above the last applied one (otherwise it is a retry, a
// duplicate or a late frame, answered StatusDuplicate and ignored), it
// decodes within the limits, its base is held and the result verifies
// against the root the frame names. The result is committed to the store
// before the Ack names it, so an Ack never names a root the store does not
// hold; a frame refused for any reason, or whose commit fails, changes
// nothing. The store's seq is the agents' seq, so a restarted Receiver on
// the same store resumes every environment where it was.
//
// What it stores as store.Record.Snapshot is a payload: a checkpoint full
// frame followed by the delta frames applied since, appended as received
// (see payload.go for the layout and the renewal rule). With history on, a
// change also stores a reverse delta (a delta frame from the new snapshot
// back to the one it replaced) as the store.Step.
//
// A Receiver is safe for concurrent use; frames of one environment are
// applied one at a time, different environments in parallel.
type Receiver struct {
	st       store.Store
	dec      *codec.Decoder
	enc      *codec.Encoder
	recent   int
	history  bool
	maxFrame int
	maxSnap  int

	mu   sync.Mutex
	envs map[string]*envState

	stats struct {
		applied, full, duplicates, unknownBase, rejected, errors, checkpoints atomic.Uint64
	}
}

// envState is one environment as the Receiver holds it; mu serializes its
// frames and guards the rest.
type envState struct {
	mu      sync.Mutex
	loaded  bool
	seq     uint64               // last applied seq, as stored
	recent  []*snapshot.Snapshot // recent[0] is current; empty when none is held
	payload payload              // the stored payload of recent[0]
	broken  error                // why a stored record could not be loaded
}

func (e *envState) current() *snapshot.Snapshot {
	if len(e.recent) == 0 {
		return nil
	}
	return e.recent[0]
}

func (e *envState) find(root uint64) *snapshot.Snapshot {
	for _, s := range e.recent {
		if s.Hash() == root {
			return s
		}
	}
	return nil
}

// findBases returns the held snapshots a delta frame may apply to, the
// current one first. A frame of format 4 or later names its base by 32
// bits of its root, which two held snapshots share with odds of 2^-32 a
// pair: the frame's target root then tells which one it was made against.
func (e *envState) findBases(f *codec.Frame) []*snapshot.Snapshot {
	var bases []*snapshot.Snapshot
	for _, s := range e.recent {
		if f.NamesBase(s.Hash()) {
			bases = append(bases, s)
		}
	}
	return bases
}

// push makes s current, keeping at most n snapshots.
func (e *envState) push(s *snapshot.Snapshot, n int) {
	kept := make([]*snapshot.Snapshot, 0, n)
	kept = append(kept, s)
	for _, o := range e.recent {
		if len(kept) == n {
			break
		}
		if o.Hash() != s.Hash() {
			kept = append(kept, o)
		}
	}
	e.recent = kept
}

// NewReceiver returns a Receiver applying frames to the snapshots in st.
// The Receiver must be the only writer of st.
func NewReceiver(st store.Store, opts ...ReceiverOption) (*Receiver, error) {
	if st == nil {
		return nil, fmt.Errorf("link: nil store: %w", ErrInvalidOption)
	}
	r := &Receiver{
		st:       st,
		recent:   DefaultRecentRoots,
		history:  true,
		maxFrame: DefaultMaxFrameSize,
		maxSnap:  DefaultMaxSnapshotSize,
		envs:     make(map[string]*envState),
	}
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, err
		}
	}
	var err error
	if r.dec == nil {
		if r.dec, err = sharedDecoder(); err != nil {
			return nil, err
		}
	}
	if r.enc == nil {
		if r.enc, err = sharedStoreEncoder(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// state returns env's state, creating it (unloaded) on first use.
func (r *Receiver) state(env string) *envState {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.envs[env]
	if e == nil {
		e = &envState{}
		r.envs[env] = e
	}
	return e
}

// lock returns env's state locked and loaded; the caller unlocks e.mu.
func (r *Receiver) lock(op, env string) (*envState, error) {
	if err := checkEnv(env); err != nil {
		return nil, fmt.Errorf("link: %s: %w", op, err)
	}
	e := r.state(env)
	e.mu.Lock()
	if err := r.load(env, e); err != nil {
		e.mu.Unlock()
		return nil, fmt.Errorf("link: %s %q: %w", op, env, err)
	}
	return e, nil
}

func checkEnv(env string) error {
	switch {
	case env == "":
		return fmt.Errorf("empty environment id: %w", store.ErrInvalid)
	case len(env) > store.MaxEnvLen:
		return fmt.Errorf("environment id of %d bytes, max %d: %w", len(env), store.MaxEnvLen, store.ErrInvalid)
	case !utf8.ValidString(env):
		return fmt.Errorf("environment id is not valid UTF-8: %w", store.ErrInvalid)
	}
	return nil
}

// load reads env's record from the store once. A record that cannot be
// read or decoded leaves the environment holding no snapshot (deltas get
// "unknown base"), so the agent's full frame overwrites it; its seq is kept
// when known. Any other store failure is returned and retried next time.
func (r *Receiver) load(env string, e *envState) error {
	if e.loaded {
		return nil
	}
	e.seq, e.recent, e.payload, e.broken = 0, nil, payload{}, nil
	rec, err := r.st.Load(env)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case errors.Is(err, store.ErrCorrupt):
		e.broken = err
	case err != nil:
		return err
	default:
		e.seq = rec.Seq
		states, p, derr := decodePayload(r.dec, rec.Snapshot, r.recent)
		if derr == nil && states[0].Hash() != rec.Root {
			derr = fmt.Errorf("payload builds root %s, the record names %s: %w",
				snapshot.FormatHash(states[0].Hash()), snapshot.FormatHash(rec.Root), ErrCorrupt)
		}
		if derr != nil {
			e.broken = fmt.Errorf("stored record seq %d: %w", rec.Seq, derr)
		} else {
			e.recent, e.payload = states, p
		}
	}
	e.loaded = true
	return nil
}

// Receive applies one frame of env with the given seq and answers with the
// Ack to send back, which names the root the Receiver now holds. The error
// is nil when the frame was applied or was a duplicate (a seq not above the
// last applied one: a retry, a duplicated or a late frame, none of which
// changes anything). Otherwise nothing changed and the error says why:
// ErrUnknownBase (StatusUnknownBase: the delta's base is not among the
// recent snapshots; the agent must send a full frame), ErrCorrupt,
// ErrVerify, ErrTooLarge or ErrVersion (StatusRejected), or a store failure
// (StatusError). frame is not retained.
func (r *Receiver) Receive(env string, seq uint64, frame []byte) (Ack, error) {
	ack := Ack{Env: env}
	e, err := r.lock("receive", env)
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return r.refuse(ack, StatusRejected, err)
		}
		return r.refuse(ack, StatusError, err)
	}
	defer e.mu.Unlock()
	ack.Seq, ack.Root = e.seq, formatRoot(e.current())
	fail := func(st Status, format string, args ...any) (Ack, error) {
		return r.refuse(ack, st, fmt.Errorf("link: receive %q seq %d: "+format, append([]any{env, seq}, args...)...))
	}

	switch {
	case seq == 0:
		return fail(StatusRejected, "seq 0: %w", ErrCorrupt)
	case seq <= e.seq:
		r.stats.duplicates.Add(1)
		ack.Status = StatusDuplicate
		return ack, nil
	case len(frame) > r.maxFrame:
		return fail(StatusRejected, "frame of %d bytes exceeds the limit of %d: %w", len(frame), r.maxFrame, ErrTooLarge)
	}
	f, err := r.dec.Decode(frame)
	if err != nil {
		return fail(StatusRejected, "%w", err)
	}
	var base, next *snapshot.Snapshot
	if f.Header.Kind == codec.Full {
		next = f.Snapshot
	} else {
		bases := e.findBases(f)
		if len(bases) == 0 {
			return fail(StatusUnknownBase, "base %s is not held: %w", f.BaseName(), ErrUnknownBase)
		}
		base = bases[0]
		next, err = f.Apply(base)
		for _, other := range bases[1:] {
			if err == nil {
				break
			}
			// Applying changed f: decode the frame afresh for the next
			// snapshot sharing the 32 bits it names.
			if f, err = r.dec.Decode(frame); err == nil {
				base = other
				next, err = f.Apply(base)
			}
		}
		if err != nil {
			return fail(StatusRejected, "%w", err)
		}
	}
	if size := next.Root().Size(); size > r.maxSnap {
		return fail(StatusRejected, "snapshot of %d bytes exceeds the limit of %d: %w", size, r.maxSnap, ErrTooLarge)
	}
	if err := r.commit(env, e, seq, f, frame, base, next); err != nil {
		return fail(StatusError, "%w", err)
	}
	r.stats.applied.Add(1)
	if f.Header.Kind == codec.Full {
		r.stats.full.Add(1)
	}
	ack.Seq, ack.Root, ack.Status = seq, formatRoot(next), StatusApplied
	return ack, nil
}

func (r *Receiver) refuse(ack Ack, st Status, err error) (Ack, error) {
	switch st {
	case StatusUnknownBase:
		r.stats.unknownBase.Add(1)
	case StatusRejected:
		r.stats.rejected.Add(1)
	default:
		r.stats.errors.Add(1)
	}
	ack.Status, ack.Error = st, err.Error()
	return ack, err
}

// rawEncoder writes the reverse history steps: small, rarely read, and
// kept on the server, so not worth a zstd pass each.
var rawEncoder, _ = codec.NewEncoder(codec.WithoutCompression())

// commit stores next as env's snapshot with seq, then (only then) makes it
// current in memory. base is the snapshot a delta frame was applied to, nil
// for a full frame.
func (r *Receiver) commit(env string, e *envState, seq uint64, f *codec.Frame, frame []byte, base, next *snapshot.Snapshot) error {
	cur := e.current()
	now := time.Now()
	changed := cur == nil || cur.Hash() != next.Hash()
	p := e.payload
	var step *store.Step
	if changed {
		var err error
		if p, err = r.nextPayload(e, f, frame, base, next); err != nil {
			return err
		}
		if r.history && cur != nil {
			rev, err := delta.DiffWhole(next, cur)
			if err != nil {
				return fmt.Errorf("reverse delta: %w", err)
			}
			reverse, err := rawEncoder.AppendDelta(nil, rev)
			if err != nil {
				return fmt.Errorf("reverse delta: %w", err)
			}
			step = &store.Step{Seq: seq, Root: next.Hash(), PrevRoot: cur.Hash(), Time: now, Reverse: reverse}
		}
	}
	rec := store.Record{Seq: seq, Root: next.Hash(), Time: now, Snapshot: p.buf}
	var err error
	if cur == nil {
		// First snapshot, or one replacing a record that could not be
		// read: the store accepts it without a step.
		err = r.st.Commit(env, rec, nil)
	} else {
		err = r.st.CommitIfRoot(env, cur.Hash(), rec, step)
	}
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Someone else wrote the store: read it again next time.
			e.loaded = false
		}
		return err
	}
	e.seq, e.payload, e.broken = seq, p, nil
	if changed {
		e.push(next, r.recent)
	}
	return nil
}

// nextPayload returns the payload of next: the full frame as the new
// checkpoint, or the current payload with the delta frame appended (a delta
// from the current snapshot: a frame based on an older recent root is
// re-made), or a fresh checkpoint when the deltas would outweigh it.
func (r *Receiver) nextPayload(e *envState, f *codec.Frame, frame []byte, base, next *snapshot.Snapshot) (payload, error) {
	if f.Header.Kind == codec.Full {
		return newPayload(frame), nil
	}
	fwd := frame
	if cur := e.current(); base.Hash() != cur.Hash() {
		d, err := delta.DiffWhole(cur, next)
		if err != nil {
			return payload{}, fmt.Errorf("forward delta: %w", err)
		}
		if fwd, err = r.enc.AppendDelta(nil, d); err != nil {
			return payload{}, fmt.Errorf("forward delta: %w", err)
		}
	}
	if e.payload.fits(len(fwd)) {
		return e.payload.withDelta(fwd), nil
	}
	return r.renewPayload(e, next)
}

// renewPayload returns a fresh payload ending at next. Its checkpoint is
// the oldest recent snapshot whose deltas up to next take at most half the
// payload's delta budget: a restart then still accepts deltas against
// those recent roots (an ack lost just before the restart does not force a
// full resend), and half the budget is left for the deltas to come.
func (r *Receiver) renewPayload(e *envState, next *snapshot.Snapshot) (payload, error) {
	budget := e.payload.checkpoint / deltaShare / 2
	newest := []*snapshot.Snapshot{next} // newest first
	var frames [][]byte                  // frames[i] turns newest[i+1] into newest[i]
	used := 0
	for _, s := range e.recent {
		if len(newest) == r.recent {
			break
		}
		if s.Hash() == next.Hash() {
			continue
		}
		// delta.Diff, not DiffWhole: renewals are rare and these deltas
		// must be small to fit.
		d, err := delta.Diff(s, newest[len(newest)-1])
		if err != nil {
			break
		}
		f, err := r.enc.AppendDelta(nil, d)
		if err != nil || used+len(f)+binary.MaxVarintLen64 > budget {
			break
		}
		used += len(f) + binary.MaxVarintLen64
		newest = append(newest, s)
		frames = append(frames, f)
	}
	full, err := r.enc.AppendFull(nil, newest[len(newest)-1])
	if err != nil {
		return payload{}, fmt.Errorf("checkpoint: %w", err)
	}
	r.stats.checkpoints.Add(1)
	p := newPayload(full)
	for i := len(frames) - 1; i >= 0; i-- {
		p = p.withDelta(frames[i])
	}
	return p, nil
}

// Snapshot returns env's current snapshot and the seq that built it, or an
// error matching store.ErrNotFound when it has none.
func (r *Receiver) Snapshot(env string) (*snapshot.Snapshot, uint64, error) {
	e, err := r.lock("snapshot", env)
	if err != nil {
		return nil, 0, err
	}
	defer e.mu.Unlock()
	cur := e.current()
	if cur == nil {
		if e.broken != nil {
			return nil, 0, fmt.Errorf("link: snapshot %q: %w", env, e.broken)
		}
		return nil, 0, fmt.Errorf("link: snapshot %q: %w", env, store.ErrNotFound)
	}
	return cur, e.seq, nil
}

// SnapshotAt returns env's snapshot whose root is root: the current one, a
// recent one, or one rebuilt from the store's history by applying reverse
// deltas. The error matches store.ErrNotFound when none of them has that
// root.
func (r *Receiver) SnapshotAt(env string, root uint64) (*snapshot.Snapshot, error) {
	e, err := r.lock("snapshot", env)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	if s := e.find(root); s != nil {
		return s, nil
	}
	notFound := fmt.Errorf("link: snapshot %q at %s: %w", env, snapshot.FormatHash(root), store.ErrNotFound)
	cur := e.current()
	if cur == nil {
		return nil, notFound
	}
	rec, hist, err := r.st.LoadHistory(env)
	if err != nil {
		return nil, fmt.Errorf("link: snapshot %q at %s: %w", env, snapshot.FormatHash(root), err)
	}
	if rec.Root != cur.Hash() {
		e.loaded = false
		return nil, fmt.Errorf("link: snapshot %q: the store changed under the receiver: %w", env, store.ErrConflict)
	}
	s := cur
	for _, st := range hist {
		if s, err = r.dec.Apply(s, st.Reverse); err != nil {
			return nil, fmt.Errorf("link: snapshot %q at %s: history step seq %d: %w", env, snapshot.FormatHash(root), st.Seq, err)
		}
		if s.Hash() != st.PrevRoot {
			return nil, fmt.Errorf("link: snapshot %q: history step seq %d builds %s, not %s: %w",
				env, st.Seq, snapshot.FormatHash(s.Hash()), snapshot.FormatHash(st.PrevRoot), ErrCorrupt)
		}
		if s.Hash() == root {
			return s, nil
		}
	}
	return nil, notFound
}

// History returns env's history steps as the store holds them, newest
// first; see store.Store.History.
func (r *Receiver) History(env string) ([]store.Step, error) {
	if err := checkEnv(env); err != nil {
		return nil, fmt.Errorf("link: history: %w", err)
	}
	return r.st.History(env)
}

// Stats returns the Receiver's counters.
func (r *Receiver) Stats() ReceiverStats {
	return ReceiverStats{
		Applied:     r.stats.applied.Load(),
		Full:        r.stats.full.Load(),
		Duplicates:  r.stats.duplicates.Load(),
		UnknownBase: r.stats.unknownBase.Load(),
		Rejected:    r.stats.rejected.Load(),
		Errors:      r.stats.errors.Load(),
		Checkpoints: r.stats.checkpoints.Load(),
	}
}
