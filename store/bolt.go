package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

var (
	bucketMeta = []byte("meta")
	bucketEnvs = []byte("envs")
	bucketHist = []byte("hist")
	keyFormat  = []byte("format")
	keyRecord  = []byte("rec")
)

// Bolt is a Store in one bbolt file. Every Commit is one bbolt write
// transaction, which fsyncs before returning: after a crash each
// environment holds either its old or its new record and history.
type Bolt struct {
	path    string
	history int
	db      *bolt.DB

	// mu lets Close wait for operations in flight, so that they finish
	// normally and later ones report ErrClosed rather than a bbolt error.
	mu     sync.RWMutex
	closed bool
}

var _ Store = (*Bolt)(nil)

// OpenBolt opens (creating if needed, mode 0600) the bbolt file at path.
// Options: WithHistory, WithTimeout. A file held by another opener gives
// ErrLocked after the timeout; a file that is not a store gives ErrCorrupt.
func OpenBolt(path string, opts ...Option) (*Bolt, error) {
	o := buildOptions(opts)
	timeout := o.timeout
	if timeout <= 0 {
		timeout = time.Nanosecond // bbolt reads 0 as "wait forever"
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      timeout,
		NoSync:       false, // durability is the point of this store
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, fmt.Errorf("store: open %s: %w (%w after %v)", path, ErrLocked, err, timeout)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
			errors.Is(err, berrors.ErrVersionMismatch):
			return nil, fmt.Errorf("store: open %s: %w: %w", path, ErrCorrupt, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			// Claim only an empty file: a path typo must not scribble on
			// some other program's bbolt database.
			if k, _ := tx.Cursor().First(); k != nil {
				return fmt.Errorf("a bbolt file of another program: %w", ErrCorrupt)
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put(keyFormat, []byte{formatVersion}); err != nil {
				return err
			}
		}
		if v := meta.Get(keyFormat); !bytes.Equal(v, []byte{formatVersion}) {
			return fmt.Errorf("unsupported file format %x, want %d: %w", v, formatVersion, ErrCorrupt)
		}
		_, err := tx.CreateBucketIfNotExists(bucketEnvs)
		return err
	})
	if err != nil {
		_ = db.Close() // the open error is the one worth reporting
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &Bolt{path: path, history: o.history, db: db}, nil
}

// Path returns the file the store was opened on.
func (b *Bolt) Path() string { return b.path }

// enter registers an operation; the caller must call b.mu.RUnlock when
// enter returned nil.
func (b *Bolt) enter(op, env string) error {
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		if env == "" {
			return fmt.Errorf("store: %s: %w", op, ErrClosed)
		}
		return fmt.Errorf("store: %s %q: %w", op, env, ErrClosed)
	}
	return nil
}

// Load implements Store.
func (b *Bolt) Load(env string) (Record, error) {
	rec, _, err := b.read("load", env, false)
	return rec, err
}

// LoadHistory implements Store.
func (b *Bolt) LoadHistory(env string) (Record, []Step, error) {
	return b.read("load history", env, true)
}

// History implements Store.
func (b *Bolt) History(env string) ([]Step, error) {
	_, hist, err := b.read("history", env, true)
	return hist, err
}

func (b *Bolt) read(op, env string, withHist bool) (Record, []Step, error) {
	if err := checkEnv(op, env); err != nil {
		return Record{}, nil, err
	}
	if err := b.enter(op, env); err != nil {
		return Record{}, nil, err
	}
	defer b.mu.RUnlock()
	var (
		rec  Record
		hist []Step
	)
	err := b.db.View(func(tx *bolt.Tx) error {
		eb, err := envBucket(tx, env)
		if err != nil {
			return err
		}
		v := eb.Get(keyRecord)
		if v == nil {
			return fmt.Errorf("environment bucket without record: %w", ErrCorrupt)
		}
		if rec, err = decodeRecord(v); err != nil {
			return fmt.Errorf("record: %w", err)
		}
		if withHist {
			hist, err = readHistory(eb, b.history, rec.Root)
		}
		return err
	})
	if err != nil {
		return Record{}, nil, fmt.Errorf("store: %s %q: %w", op, env, err)
	}
	return rec, hist, nil
}

func envBucket(tx *bolt.Tx, env string) (*bolt.Bucket, error) {
	envs := tx.Bucket(bucketEnvs)
	if envs == nil {
		return nil, fmt.Errorf("missing %q bucket: %w", bucketEnvs, ErrCorrupt)
	}
	eb := envs.Bucket([]byte(env))
	if eb == nil {
		return nil, ErrNotFound
	}
	return eb, nil
}

// readHistory returns up to n steps, newest first, checking that they form
// a chain from root: the commit rules guarantee it, so a break is damage.
func readHistory(eb *bolt.Bucket, n int, root uint64) ([]Step, error) {
	hist := []Step{}
	hb := eb.Bucket(bucketHist)
	if hb == nil || n == 0 {
		return hist, nil
	}
	c := hb.Cursor()
	for k, v := c.Last(); k != nil && len(hist) < n; k, v = c.Prev() {
		st, err := decodeStep(v)
		if err != nil {
			return nil, fmt.Errorf("history key %x: %w", k, err)
		}
		switch {
		case !bytes.Equal(k, seqKey(st.Seq)):
			return nil, fmt.Errorf("history key %x holds seq %d: %w", k, st.Seq, ErrCorrupt)
		case st.Root != root:
			return nil, fmt.Errorf("history seq %d starts at root %016x, want %016x: %w", st.Seq, st.Root, root, ErrCorrupt)
		}
		hist = append(hist, st)
		root = st.PrevRoot
	}
	return hist, nil
}

// Commit implements Store.
func (b *Bolt) Commit(env string, rec Record, step *Step) error {
	return b.commit(env, rec, step, false, 0)
}

// CommitIfRoot implements Store.
func (b *Bolt) CommitIfRoot(env string, prevRoot uint64, rec Record, step *Step) error {
	return b.commit(env, rec, step, true, prevRoot)
}

func (b *Bolt) commit(env string, rec Record, step *Step, cas bool, prevRoot uint64) error {
	if err := checkCommitArgs(env, rec, step); err != nil {
		return err
	}
	// Encode outside the transaction: bbolt runs one writer at a time.
	recVal := encodeRecord(rec)
	var stepVal []byte
	if step != nil && b.history > 0 {
		stepVal = encodeStep(*step)
	}
	if err := b.enter("commit", env); err != nil {
		return err
	}
	defer b.mu.RUnlock()
	err := b.db.Update(func(tx *bolt.Tx) error {
		envs := tx.Bucket(bucketEnvs)
		if envs == nil {
			return fmt.Errorf("missing %q bucket: %w", bucketEnvs, ErrCorrupt)
		}
		var (
			cur    Record
			curErr error
		)
		eb := envs.Bucket([]byte(env))
		exists := eb != nil
		if exists {
			cur, curErr = peekRecord(eb.Get(keyRecord))
		}
		action, err := planCommit(cur, exists, curErr, rec, step, cas, prevRoot)
		if err != nil {
			return err
		}
		if !exists {
			if eb, err = envs.CreateBucket([]byte(env)); err != nil {
				return err
			}
		}
		if err := eb.Put(keyRecord, recVal); err != nil {
			return err
		}
		if err := updateHistory(eb, action, seqKey(rec.Seq), stepVal, b.history); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: commit %q: %w", env, err)
	}
	return nil
}

// peekRecord checks a stored record and reads its header without copying
// the payload, which a commit is about to replace anyway.
func peekRecord(v []byte) (Record, error) {
	if v == nil {
		return Record{}, fmt.Errorf("environment bucket without record: %w", ErrCorrupt)
	}
	if _, err := checkFrame(v, kindRecord, recordHeader); err != nil {
		return Record{}, fmt.Errorf("record: %w", err)
	}
	return Record{Seq: seqOf(v), Root: rootOf(v)}, nil
}

func updateHistory(eb *bolt.Bucket, action histAction, key, stepVal []byte, n int) error {
	if action == histClear || n == 0 {
		if eb.Bucket(bucketHist) == nil {
			return nil
		}
		return eb.DeleteBucket(bucketHist)
	}
	hb := eb.Bucket(bucketHist)
	if action == histPrepend {
		var err error
		if hb, err = eb.CreateBucketIfNotExists(bucketHist); err != nil {
			return err
		}
		if err := hb.Put(key, stepVal); err != nil {
			return err
		}
	}
	if hb == nil {
		return nil
	}
	// Keep the n newest (highest seq) keys. Collect before deleting: a
	// bbolt cursor must not be moved across its own deletions.
	c := hb.Cursor()
	k, _ := c.Last()
	for i := 1; k != nil && i < n; i++ {
		k, _ = c.Prev()
	}
	var drop [][]byte
	for k != nil {
		if k, _ = c.Prev(); k != nil {
			drop = append(drop, clone(k))
		}
	}
	for _, k := range drop {
		if err := hb.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Environments implements Store.
func (b *Bolt) Environments() ([]string, error) {
	if err := b.enter("environments", ""); err != nil {
		return nil, err
	}
	defer b.mu.RUnlock()
	envs := []string{}
	err := b.db.View(func(tx *bolt.Tx) error {
		eb := tx.Bucket(bucketEnvs)
		if eb == nil {
			return fmt.Errorf("missing %q bucket: %w", bucketEnvs, ErrCorrupt)
		}
		// bbolt keeps keys sorted bytewise, as sort.Strings would.
		return eb.ForEachBucket(func(k []byte) error {
			envs = append(envs, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: environments: %w", err)
	}
	return envs, nil
}

// Delete implements Store.
func (b *Bolt) Delete(env string) error {
	if err := checkEnv("delete", env); err != nil {
		return err
	}
	if err := b.enter("delete", env); err != nil {
		return err
	}
	defer b.mu.RUnlock()
	err := b.db.Update(func(tx *bolt.Tx) error {
		if _, err := envBucket(tx, env); err != nil {
			return err
		}
		return tx.Bucket(bucketEnvs).DeleteBucket([]byte(env))
	})
	if err != nil {
		return fmt.Errorf("store: delete %q: %w", env, err)
	}
	return nil
}

// Close implements Store: it waits for operations in flight, then closes
// the file.
func (b *Bolt) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", b.path, err)
	}
	return nil
}
