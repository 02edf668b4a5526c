package store_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/snapdelta/snapdelta/store"
)

func ExampleNewMemory() {
	s := store.NewMemory(store.WithHistory(4))
	defer s.Close()

	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	// First snapshot of an environment: a full frame, no history step.
	if err := s.Commit("docker-1", store.Record{Seq: 1, Root: 0x1111, Time: now, Snapshot: []byte("full frame v1")}, nil); err != nil {
		log.Fatal(err)
	}
	// Next poll: the new snapshot plus a reverse delta back to the old one,
	// only if the stored root is still the one the delta was built on.
	err := s.CommitIfRoot("docker-1", 0x1111,
		store.Record{Seq: 2, Root: 0x2222, Time: now.Add(time.Minute), Snapshot: []byte("full frame v2")},
		&store.Step{Seq: 2, Root: 0x2222, PrevRoot: 0x1111, Time: now.Add(time.Minute), Reverse: []byte("v2→v1")})
	if err != nil {
		log.Fatal(err)
	}
	// A writer that lost the race is told so.
	err = s.CommitIfRoot("docker-1", 0x1111, store.Record{Seq: 3, Root: 0x3333, Snapshot: []byte("v3")}, nil)
	fmt.Println("stale writer:", errors.Is(err, store.ErrConflict))

	rec, _ := s.Load("docker-1")
	hist, _ := s.History("docker-1")
	fmt.Printf("seq %d root %x %q, %d step back to %x\n", rec.Seq, rec.Root, rec.Snapshot, len(hist), hist[0].PrevRoot)

	_, err = s.Load("k8s-prod")
	fmt.Println(err, errors.Is(err, store.ErrNotFound))
	// Output:
	// stale writer: true
	// seq 2 root 2222 "full frame v2", 1 step back to 1111
	// store: load "k8s-prod": not found true
}

func ExampleOpenBolt() {
	dir, err := os.MkdirTemp("", "snapdelta-store-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "snapshots.db")

	s, err := store.OpenBolt(path, store.WithHistory(8), store.WithTimeout(time.Second))
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Commit("k8s-prod", store.Record{Seq: 1, Root: 0xbeef, Snapshot: []byte("full frame")}, nil); err != nil {
		log.Fatal(err)
	}
	// While the file is open, nobody else can open it.
	_, err = store.OpenBolt(path, store.WithTimeout(10*time.Millisecond))
	fmt.Println("second opener locked out:", errors.Is(err, store.ErrLocked))
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}

	// Commit returned only after the data reached the disk.
	s, err = store.OpenBolt(path)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	envs, _ := s.Environments()
	rec, _ := s.Load("k8s-prod")
	fmt.Printf("%q seq %d root %x %q\n", envs, rec.Seq, rec.Root, rec.Snapshot)
	// Output:
	// second opener locked out: true
	// ["k8s-prod"] seq 1 root beef "full frame"
}
