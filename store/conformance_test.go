package store

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// impl opens a fresh, empty store of one implementation, closed at cleanup.
type impl struct {
	name string
	open func(t *testing.T, opts ...Option) Store
}

func impls() []impl {
	return []impl{
		{"memory", func(t *testing.T, opts ...Option) Store {
			m := NewMemory(opts...)
			t.Cleanup(func() { _ = m.Close() })
			return m
		}},
		{"bolt", func(t *testing.T, opts ...Option) Store {
			b, err := OpenBolt(filepath.Join(t.TempDir(), "store.db"), opts...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = b.Close() })
			return b
		}},
	}
}

// snap and rev are deterministic payloads; root names a snapshot by seq, so
// history chains can be checked by arithmetic.
func snap(env string, seq uint64) []byte { return fmt.Appendf(nil, "snapshot %s #%d", env, seq) }
func rev(env string, seq uint64) []byte  { return fmt.Appendf(nil, "reverse %s #%d", env, seq) }
func root(seq uint64) uint64             { return 0xabc0000 + seq }

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)

func rec(env string, seq uint64) Record {
	return Record{Seq: seq, Root: root(seq), Time: t0.Add(time.Duration(seq) * time.Minute), Snapshot: snap(env, seq)}
}

// step describes the commit of seq on top of seq-1.
func step(env string, seq uint64) *Step {
	return &Step{Seq: seq, Root: root(seq), PrevRoot: root(seq - 1), Time: t0.Add(time.Duration(seq) * time.Minute), Reverse: rev(env, seq)}
}

// commitChain commits seqs 1..n for env, each after the first with a step.
func commitChain(t *testing.T, s Store, env string, n uint64) {
	t.Helper()
	for seq := uint64(1); seq <= n; seq++ {
		var st *Step
		if seq > 1 {
			st = step(env, seq)
		}
		if err := s.Commit(env, rec(env, seq), st); err != nil {
			t.Fatalf("commit %s #%d: %v", env, seq, err)
		}
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func wantRecord(t *testing.T, s Store, env string, want Record) {
	t.Helper()
	got, err := s.Load(env)
	if err != nil {
		t.Fatalf("load %s: %v", env, err)
	}
	if got.Seq != want.Seq || got.Root != want.Root || !got.Time.Equal(want.Time) || !bytes.Equal(got.Snapshot, want.Snapshot) {
		t.Fatalf("load %s = {%d %x %v %q}, want {%d %x %v %q}", env,
			got.Seq, got.Root, got.Time, got.Snapshot, want.Seq, want.Root, want.Time, want.Snapshot)
	}
}

// wantHistory checks the history holds exactly seqs (newest first) as
// produced by step().
func wantHistory(t *testing.T, s Store, env string, seqs ...uint64) {
	t.Helper()
	hist, err := s.History(env)
	if err != nil {
		t.Fatalf("history %s: %v", env, err)
	}
	var got []uint64
	for _, h := range hist {
		got = append(got, h.Seq)
	}
	if !slices.Equal(got, seqs) {
		t.Fatalf("history %s seqs = %v, want %v", env, got, seqs)
	}
	for i, h := range hist {
		w := step(env, h.Seq)
		if h.Root != w.Root || h.PrevRoot != w.PrevRoot || !h.Time.Equal(w.Time) || !bytes.Equal(h.Reverse, w.Reverse) {
			t.Fatalf("history %s [%d] = %+v, want %+v", env, i, h, *w)
		}
	}
}

func TestConformance(t *testing.T) {
	cases := []struct {
		name string
		opts []Option
		run  func(t *testing.T, s Store)
	}{
		{"load missing", nil, func(t *testing.T, s Store) {
			_, err := s.Load("nope")
			wantErr(t, err, ErrNotFound)
			_, err = s.History("nope")
			wantErr(t, err, ErrNotFound)
			_, _, err = s.LoadHistory("nope")
			wantErr(t, err, ErrNotFound)
			err = s.Delete("nope")
			wantErr(t, err, ErrNotFound)
			if !strings.Contains(fmt.Sprint(err), `"nope"`) {
				t.Errorf("error %q does not name the environment", err)
			}
		}},
		{"commit then load", nil, func(t *testing.T, s Store) {
			r := rec("a", 7)
			r.Time = time.Date(2025, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
			if err := s.Commit("a", r, nil); err != nil {
				t.Fatal(err)
			}
			wantRecord(t, s, "a", r)
			got, _ := s.Load("a")
			if got.Time.Location() != time.UTC {
				t.Errorf("time location %v, want UTC", got.Time.Location())
			}
			wantHistory(t, s, "a")
		}},
		{"zero and epoch times", nil, func(t *testing.T, s Store) {
			r := rec("a", 1)
			r.Time = time.Time{}
			if err := s.Commit("a", r, nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Load("a"); !got.Time.IsZero() {
				t.Fatalf("zero time came back as %v", got.Time)
			}
			r = rec("a", 2)
			r.Time = time.Unix(0, 0)
			if err := s.Commit("a", r, nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Load("a"); got.Time.IsZero() || got.Time.UnixNano() != 0 {
				t.Fatalf("epoch came back as %v", got.Time)
			}
		}},
		{"history order and chain", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 4)
			wantHistory(t, s, "a", 4, 3, 2)
			r, hist, err := s.LoadHistory("a")
			if err != nil {
				t.Fatal(err)
			}
			if r.Seq != 4 || len(hist) != 3 || hist[0].Root != r.Root {
				t.Fatalf("LoadHistory = seq %d, %d steps", r.Seq, len(hist))
			}
		}},
		{"history trimmed to N", []Option{WithHistory(3)}, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 10)
			wantHistory(t, s, "a", 10, 9, 8)
			wantRecord(t, s, "a", rec("a", 10))
		}},
		{"default history length", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", DefaultHistory+5)
			hist, _ := s.History("a")
			if len(hist) != DefaultHistory {
				t.Fatalf("%d steps, want %d", len(hist), DefaultHistory)
			}
		}},
		{"history disabled", []Option{WithHistory(0)}, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 3)
			wantHistory(t, s, "a")
			wantRecord(t, s, "a", rec("a", 3))
			// Steps are still checked.
			wantErr(t, s.Commit("a", rec("a", 4), step("a", 9)), ErrInvalid)
		}},
		{"negative history is disabled", []Option{WithHistory(-1)}, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 3)
			wantHistory(t, s, "a")
		}},
		{"nil step, same root keeps history", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 3)
			r := rec("a", 4)
			r.Root = root(3)
			if err := s.Commit("a", r, nil); err != nil {
				t.Fatal(err)
			}
			wantHistory(t, s, "a", 3, 2)
		}},
		{"nil step, new root clears history", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 3)
			if err := s.Commit("a", rec("a", 4), nil); err != nil {
				t.Fatal(err)
			}
			wantHistory(t, s, "a")
			// The chain restarts from the new snapshot.
			if err := s.Commit("a", rec("a", 5), step("a", 5)); err != nil {
				t.Fatal(err)
			}
			wantHistory(t, s, "a", 5)
		}},
		{"seq must increase", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 3)
			for _, seq := range []uint64{3, 2, 0} {
				r := rec("a", seq)
				wantErr(t, s.Commit("a", r, nil), ErrConflict)
			}
			wantRecord(t, s, "a", rec("a", 3))
			wantHistory(t, s, "a", 3, 2)
		}},
		{"step must start at current root", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 3)
			st := step("a", 4)
			st.PrevRoot = root(2)
			wantErr(t, s.Commit("a", rec("a", 4), st), ErrConflict)
			wantRecord(t, s, "a", rec("a", 3))
			wantHistory(t, s, "a", 3, 2)
		}},
		{"step on absent env", nil, func(t *testing.T, s Store) {
			wantErr(t, s.Commit("a", rec("a", 2), step("a", 2)), ErrConflict)
			_, err := s.Load("a")
			wantErr(t, err, ErrNotFound)
			if envs, _ := s.Environments(); len(envs) != 0 {
				t.Fatalf("environments = %q after a failed commit", envs)
			}
		}},
		{"CAS", nil, func(t *testing.T, s Store) {
			wantErr(t, s.CommitIfRoot("a", 0, rec("a", 1), nil), ErrConflict)
			commitChain(t, s, "a", 2)
			wantErr(t, s.CommitIfRoot("a", root(1), rec("a", 3), step("a", 3)), ErrConflict)
			wantRecord(t, s, "a", rec("a", 2))
			wantHistory(t, s, "a", 2)
			if err := s.CommitIfRoot("a", root(2), rec("a", 3), step("a", 3)); err != nil {
				t.Fatal(err)
			}
			wantRecord(t, s, "a", rec("a", 3))
			wantHistory(t, s, "a", 3, 2)
			// A root match does not excuse a stale seq.
			wantErr(t, s.CommitIfRoot("a", root(3), rec("a", 3), nil), ErrConflict)
		}},
		{"invalid arguments change nothing", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 2)
			long := strings.Repeat("x", MaxEnvLen+1)
			withStep := func(f func(*Step)) *Step { st := step("a", 3); f(st); return st }
			withRec := func(f func(*Record)) Record { r := rec("a", 3); f(&r); return r }
			bad := []struct {
				name string
				env  string
				rec  Record
				step *Step
			}{
				{"empty env", "", rec("", 1), nil},
				{"long env", long, rec(long, 1), nil},
				{"non-UTF-8 env", "a\xff", rec("a", 3), nil},
				{"nil snapshot", "a", withRec(func(r *Record) { r.Snapshot = nil }), nil},
				{"empty snapshot", "a", withRec(func(r *Record) { r.Snapshot = []byte{} }), nil},
				{"time too late", "a", withRec(func(r *Record) { r.Time = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }), nil},
				{"time too early", "a", withRec(func(r *Record) { r.Time = time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC) }), nil},
				{"nil reverse", "a", rec("a", 3), withStep(func(s *Step) { s.Reverse = nil })},
				{"step seq", "a", rec("a", 3), withStep(func(s *Step) { s.Seq = 4 })},
				{"step root", "a", rec("a", 3), withStep(func(s *Step) { s.Root = 1 })},
				{"step time", "a", rec("a", 3), withStep(func(s *Step) { s.Time = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) })},
			}
			for _, b := range bad {
				if err := s.Commit(b.env, b.rec, b.step); !errors.Is(err, ErrInvalid) {
					t.Errorf("%s: commit err = %v, want ErrInvalid", b.name, err)
				}
				if err := s.CommitIfRoot(b.env, root(2), b.rec, b.step); !errors.Is(err, ErrInvalid) {
					t.Errorf("%s: CAS err = %v, want ErrInvalid", b.name, err)
				}
			}
			for _, env := range []string{"", long, "a\xff"} {
				if _, err := s.Load(env); !errors.Is(err, ErrInvalid) {
					t.Errorf("load %q: err = %v, want ErrInvalid", env, err)
				}
				if _, err := s.History(env); !errors.Is(err, ErrInvalid) {
					t.Errorf("history %q: err = %v, want ErrInvalid", env, err)
				}
				if err := s.Delete(env); !errors.Is(err, ErrInvalid) {
					t.Errorf("delete %q: err = %v, want ErrInvalid", env, err)
				}
			}
			wantRecord(t, s, "a", rec("a", 2))
			wantHistory(t, s, "a", 2)
			if envs, _ := s.Environments(); !slices.Equal(envs, []string{"a"}) {
				t.Fatalf("environments = %q", envs)
			}
		}},
		{"delete", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 3)
			commitChain(t, s, "b", 1)
			if err := s.Delete("a"); err != nil {
				t.Fatal(err)
			}
			_, err := s.Load("a")
			wantErr(t, err, ErrNotFound)
			_, err = s.History("a")
			wantErr(t, err, ErrNotFound)
			wantErr(t, s.Delete("a"), ErrNotFound)
			wantRecord(t, s, "b", rec("b", 1))
			// Seqs may restart after a delete, with an empty history.
			if err := s.Commit("a", rec("a", 1), nil); err != nil {
				t.Fatal(err)
			}
			wantHistory(t, s, "a")
		}},
		{"environments sorted", nil, func(t *testing.T, s Store) {
			envs, err := s.Environments()
			if err != nil || len(envs) != 0 {
				t.Fatalf("empty store: %q, %v", envs, err)
			}
			names := []string{"k8s/prod", "docker-1", "Docker-2", "docker-10", "é", "a b"}
			for _, n := range names {
				commitChain(t, s, n, 1)
			}
			envs, err = s.Environments()
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(names)
			slices.Sort(want)
			if !slices.Equal(envs, want) {
				t.Fatalf("environments = %q, want %q", envs, want)
			}
		}},
		{"copies are not aliased", nil, func(t *testing.T, s Store) {
			r, st := rec("a", 1), step("a", 2)
			if err := s.Commit("a", r, nil); err != nil {
				t.Fatal(err)
			}
			r2 := rec("a", 2)
			if err := s.Commit("a", r2, st); err != nil {
				t.Fatal(err)
			}
			// Scribble over the inputs...
			for _, b := range [][]byte{r.Snapshot, r2.Snapshot, st.Reverse} {
				for i := range b {
					b[i] = 'X'
				}
			}
			wantRecord(t, s, "a", rec("a", 2))
			wantHistory(t, s, "a", 2)
			// ...and over the outputs.
			got, hist, err := s.LoadHistory("a")
			if err != nil {
				t.Fatal(err)
			}
			got.Snapshot[0], hist[0].Reverse[0] = 'X', 'X'
			got2, _ := s.Load("a")
			hist2, _ := s.History("a")
			if &got2.Snapshot[0] == &got.Snapshot[0] || &hist2[0].Reverse[0] == &hist[0].Reverse[0] {
				t.Fatal("two reads share memory")
			}
			wantRecord(t, s, "a", rec("a", 2))
			wantHistory(t, s, "a", 2)
		}},
		{"closed store", nil, func(t *testing.T, s Store) {
			commitChain(t, s, "a", 2)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("second close: %v", err)
			}
			_, err := s.Load("a")
			wantErr(t, err, ErrClosed)
			_, _, err = s.LoadHistory("a")
			wantErr(t, err, ErrClosed)
			_, err = s.History("a")
			wantErr(t, err, ErrClosed)
			_, err = s.Environments()
			wantErr(t, err, ErrClosed)
			wantErr(t, s.Commit("a", rec("a", 3), step("a", 3)), ErrClosed)
			wantErr(t, s.CommitIfRoot("a", root(2), rec("a", 3), nil), ErrClosed)
			wantErr(t, s.Delete("a"), ErrClosed)
		}},
	}
	for _, im := range impls() {
		for _, c := range cases {
			t.Run(im.name+"/"+c.name, func(t *testing.T) {
				c.run(t, im.open(t, c.opts...))
			})
		}
	}
}

// TestConcurrent commits chains for many environments at once while readers
// look on; run it with -race. Every reader must see a consistent state.
func TestConcurrent(t *testing.T) {
	const envs, commits = 100, 20
	for _, im := range impls() {
		t.Run(im.name, func(t *testing.T) {
			s := im.open(t, WithHistory(5))
			var wg sync.WaitGroup
			errs := make(chan error, envs*2)
			for e := range envs {
				env := fmt.Sprintf("env-%03d", e)
				wg.Go(func() {
					for seq := uint64(1); seq <= commits; seq++ {
						var st *Step
						if seq > 1 {
							st = step(env, seq)
						}
						if err := s.Commit(env, rec(env, seq), st); err != nil {
							errs <- err
							return
						}
					}
				})
				wg.Go(func() {
					for range commits {
						r, hist, err := s.LoadHistory(env)
						if errors.Is(err, ErrNotFound) {
							continue
						}
						if err != nil {
							errs <- err
							return
						}
						if !bytes.Equal(r.Snapshot, snap(env, r.Seq)) || r.Root != root(r.Seq) {
							errs <- fmt.Errorf("%s: torn record seq %d", env, r.Seq)
							return
						}
						for i, h := range hist {
							if h.Seq != r.Seq-uint64(i) || !bytes.Equal(h.Reverse, rev(env, h.Seq)) {
								errs <- fmt.Errorf("%s: history[%d] seq %d with current %d", env, i, h.Seq, r.Seq)
								return
							}
						}
						if _, err := s.Environments(); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			names, err := s.Environments()
			if err != nil || len(names) != envs {
				t.Fatalf("%d environments, %v", len(names), err)
			}
			for _, env := range names {
				wantRecord(t, s, env, rec(env, commits))
				wantHistory(t, s, env, 20, 19, 18, 17, 16)
			}
		})
	}
}

// TestConcurrentCAS has many writers race on one environment with
// CommitIfRoot: exactly one wins each round, the rest see ErrConflict.
func TestConcurrentCAS(t *testing.T) {
	const writers, rounds = 8, 10
	for _, im := range impls() {
		t.Run(im.name, func(t *testing.T) {
			s := im.open(t)
			commitChain(t, s, "a", 1)
			for seq := uint64(2); seq < 2+rounds; seq++ {
				var (
					wg   sync.WaitGroup
					mu   sync.Mutex
					wins int
				)
				for range writers {
					wg.Go(func() {
						err := s.CommitIfRoot("a", root(seq-1), rec("a", seq), step("a", seq))
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							wins++
						case !errors.Is(err, ErrConflict):
							t.Error(err)
						}
					})
				}
				wg.Wait()
				if wins != 1 {
					t.Fatalf("round %d: %d winners", seq, wins)
				}
			}
			wantRecord(t, s, "a", rec("a", 1+rounds))
		})
	}
}

// TestCloseWhileBusy closes the store under load: operations either succeed
// or report ErrClosed, never anything else, and nothing hangs.
func TestCloseWhileBusy(t *testing.T) {
	for _, im := range impls() {
		t.Run(im.name, func(t *testing.T) {
			s := im.open(t)
			var wg sync.WaitGroup
			for w := range 4 {
				env := fmt.Sprintf("e%d", w)
				wg.Go(func() {
					for seq := uint64(1); ; seq++ {
						err := s.Commit(env, rec(env, seq), nil)
						if _, lerr := s.Load(env); lerr != nil && !errors.Is(lerr, ErrClosed) {
							t.Error(lerr)
						}
						if errors.Is(err, ErrClosed) {
							return
						}
						if err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			time.Sleep(20 * time.Millisecond)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
		})
	}
}
