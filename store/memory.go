package store

import (
	"fmt"
	"slices"
	"sync"
)

// Memory is a Store held in process memory: for tests, and for servers that
// rebuild their state from agents (a restarted server answers "unknown base"
// and the agents resend full frames).
type Memory struct {
	history int

	mu     sync.RWMutex
	closed bool
	envs   map[string]*memEnv
}

// memEnv is never mutated in place once published: a commit swaps in a new
// value, so readers copying under the read lock see one consistent state.
type memEnv struct {
	rec  Record
	hist []Step // newest first
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store. Of the options only
// WithHistory applies.
func NewMemory(opts ...Option) *Memory {
	o := buildOptions(opts)
	return &Memory{history: o.history, envs: make(map[string]*memEnv)}
}

// Load implements Store.
func (m *Memory) Load(env string) (Record, error) {
	rec, _, err := m.read("load", env, false)
	return rec, err
}

// LoadHistory implements Store.
func (m *Memory) LoadHistory(env string) (Record, []Step, error) {
	return m.read("load history", env, true)
}

// History implements Store.
func (m *Memory) History(env string) ([]Step, error) {
	_, hist, err := m.read("history", env, true)
	return hist, err
}

func (m *Memory) read(op, env string, withHist bool) (Record, []Step, error) {
	if err := checkEnv(op, env); err != nil {
		return Record{}, nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return Record{}, nil, fmt.Errorf("store: %s %q: %w", op, env, ErrClosed)
	}
	e, ok := m.envs[env]
	if !ok {
		return Record{}, nil, fmt.Errorf("store: %s %q: %w", op, env, ErrNotFound)
	}
	rec := copyRecord(e.rec)
	if !withHist {
		return rec, nil, nil
	}
	hist := make([]Step, len(e.hist))
	for i, st := range e.hist {
		hist[i] = copyStep(st)
	}
	return rec, hist, nil
}

// Commit implements Store.
func (m *Memory) Commit(env string, rec Record, step *Step) error {
	return m.commit(env, rec, step, false, 0)
}

// CommitIfRoot implements Store.
func (m *Memory) CommitIfRoot(env string, prevRoot uint64, rec Record, step *Step) error {
	return m.commit(env, rec, step, true, prevRoot)
}

func (m *Memory) commit(env string, rec Record, step *Step, cas bool, prevRoot uint64) error {
	if err := checkCommitArgs(env, rec, step); err != nil {
		return err
	}
	// Copy before locking: the copies are the expensive part and need no lock.
	next := &memEnv{rec: copyRecord(rec)}
	var st Step
	if step != nil && m.history > 0 {
		st = copyStep(*step)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("store: commit %q: %w", env, ErrClosed)
	}
	old, exists := m.envs[env]
	var cur Record
	if exists {
		cur = old.rec
	}
	action, err := planCommit(cur, exists, nil, rec, step, cas, prevRoot)
	if err != nil {
		return fmt.Errorf("store: commit %q: %w", env, err)
	}
	switch {
	case m.history == 0 || action == histClear:
	case action == histKeep:
		next.hist = old.hist // shared, safe: never mutated in place
	case action == histPrepend:
		n := min(len(old.hist)+1, m.history)
		next.hist = make([]Step, 0, n)
		next.hist = append(next.hist, st)
		next.hist = append(next.hist, old.hist[:n-1]...)
	}
	m.envs[env] = next
	return nil
}

// Environments implements Store.
func (m *Memory) Environments() ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, fmt.Errorf("store: environments: %w", ErrClosed)
	}
	envs := make([]string, 0, len(m.envs))
	for env := range m.envs {
		envs = append(envs, env)
	}
	slices.Sort(envs)
	return envs, nil
}

// Delete implements Store.
func (m *Memory) Delete(env string) error {
	if err := checkEnv("delete", env); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("store: delete %q: %w", env, ErrClosed)
	}
	if _, ok := m.envs[env]; !ok {
		return fmt.Errorf("store: delete %q: %w", env, ErrNotFound)
	}
	delete(m.envs, env)
	return nil
}

// Close implements Store. It drops the data.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.envs = nil
	return nil
}

func copyRecord(r Record) Record {
	r.Snapshot = clone(r.Snapshot)
	r.Time = normTime(r.Time)
	return r
}

func copyStep(s Step) Step {
	s.Reverse = clone(s.Reverse)
	s.Time = normTime(s.Time)
	return s
}
