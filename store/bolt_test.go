package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openBolt(t *testing.T, path string, opts ...Option) *Bolt {
	t.Helper()
	b, err := OpenBolt(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestBoltReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	b := openBolt(t, path)
	if b.Path() != path {
		t.Fatalf("Path() = %q", b.Path())
	}
	commitChain(t, b, "a", 6)
	commitChain(t, b, "b", 1)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b = openBolt(t, path)
	wantRecord(t, b, "a", rec("a", 6))
	wantHistory(t, b, "a", 6, 5, 4, 3, 2)
	wantRecord(t, b, "b", rec("b", 1))
	if err := b.Commit("a", rec("a", 7), step("a", 7)); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	// A shorter history setting applies at once to reads and at the next
	// commit to the file.
	b = openBolt(t, path, WithHistory(2))
	wantHistory(t, b, "a", 7, 6)
	if err := b.Commit("a", rec("a", 8), step("a", 8)); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openBolt(t, path)
	wantHistory(t, b, "a", 8, 7)
}

func TestBoltLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	openBolt(t, path)
	for _, d := range []time.Duration{0, 30 * time.Millisecond} {
		b, err := OpenBolt(path, WithTimeout(d))
		if err == nil {
			_ = b.Close()
			t.Fatalf("timeout %v: second open succeeded", d)
		}
		wantErr(t, err, ErrLocked)
	}
}

func TestBoltNotAStore(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, make([]byte, 64<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := OpenBolt(junk)
	wantErr(t, err, ErrCorrupt)

	// Other bbolt files: one of another program, one from a future
	// version of this package, and an empty one, which becomes a store.
	cases := []struct {
		name  string
		setup func(tx *bolt.Tx) error
		want  error
	}{
		{"foreign", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("users"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), []byte("v"))
		}, ErrCorrupt},
		{"future format", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket(bucketMeta)
			if err != nil {
				return err
			}
			return b.Put(keyFormat, []byte{formatVersion + 1})
		}, ErrCorrupt},
		{"empty", func(tx *bolt.Tx) error { return nil }, nil},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(c.setup); err != nil {
			t.Fatal(err)
		}
		_ = db.Close()
		s, err := OpenBolt(path)
		if err == nil {
			_ = s.Close()
		}
		if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// The refused foreign file was left alone.
	db, err := bolt.Open(filepath.Join(dir, "foreign.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) != nil || tx.Bucket(bucketEnvs) != nil {
			t.Error("OpenBolt wrote into a foreign file")
		}
		return nil
	})
}

// rawUpdate edits the file behind a closed store, the way disk damage would.
func rawUpdate(t *testing.T, path string, fn func(envs *bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucketEnvs)) }); err != nil {
		t.Fatal(err)
	}
}

func flipByte(b *bolt.Bucket, key []byte, at int) error {
	v := append([]byte(nil), b.Get(key)...)
	v[at] ^= 0x20
	return b.Put(key, v)
}

func TestBoltCorruptRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	b := openBolt(t, path)
	commitChain(t, b, "a", 3)
	commitChain(t, b, "b", 3)
	_ = b.Close()
	rawUpdate(t, path, func(envs *bolt.Bucket) error {
		return flipByte(envs.Bucket([]byte("a")), keyRecord, recordHeader+2)
	})

	b = openBolt(t, path)
	_, err := b.Load("a")
	wantErr(t, err, ErrCorrupt)
	_, _, err = b.LoadHistory("a")
	wantErr(t, err, ErrCorrupt)
	wantRecord(t, b, "b", rec("b", 3)) // damage stays local
	// A delta commit or a CAS cannot build on a record it cannot read...
	wantErr(t, b.Commit("a", rec("a", 4), step("a", 4)), ErrCorrupt)
	wantErr(t, b.CommitIfRoot("a", root(3), rec("a", 4), nil), ErrCorrupt)
	// ...but a full resend replaces it, history and all.
	if err := b.Commit("a", rec("a", 4), nil); err != nil {
		t.Fatal(err)
	}
	wantRecord(t, b, "a", rec("a", 4))
	wantHistory(t, b, "a")
}

func TestBoltCorruptHistory(t *testing.T) {
	cases := []struct {
		name   string
		damage func(h *bolt.Bucket) error
	}{
		{"flipped payload byte", func(h *bolt.Bucket) error { return flipByte(h, seqKey(3), stepHeader) }},
		{"flipped seq", func(h *bolt.Bucket) error { return flipByte(h, seqKey(2), 9) }},
		{"step under wrong key", func(h *bolt.Bucket) error {
			v := append([]byte(nil), h.Get(seqKey(2))...)
			if err := h.Delete(seqKey(2)); err != nil {
				return err
			}
			return h.Put(seqKey(1), v)
		}},
		{"broken chain", func(h *bolt.Bucket) error {
			return h.Put(seqKey(2), encodeStep(Step{Seq: 2, Root: 99, PrevRoot: root(1), Reverse: []byte("r")}))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.db")
			b := openBolt(t, path)
			commitChain(t, b, "a", 3)
			_ = b.Close()
			rawUpdate(t, path, func(envs *bolt.Bucket) error {
				return c.damage(envs.Bucket([]byte("a")).Bucket(bucketHist))
			})
			b = openBolt(t, path)
			_, err := b.History("a")
			wantErr(t, err, ErrCorrupt)
			wantRecord(t, b, "a", rec("a", 3))
			if err := b.Commit("a", rec("a", 4), nil); err != nil {
				t.Fatal(err)
			}
			wantHistory(t, b, "a")
		})
	}
}

func TestBoltDeleteRemovesFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	b := openBolt(t, path)
	commitChain(t, b, "a", 3)
	if err := b.Delete("a"); err != nil {
		t.Fatal(err)
	}
	_ = b.Close()
	b = openBolt(t, path)
	if envs, err := b.Environments(); err != nil || len(envs) != 0 {
		t.Fatalf("after reopen: %q, %v", envs, err)
	}
}
