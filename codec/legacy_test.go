package codec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

// TestLegacyVectors proves frames of format version 1 still decode and
// rebuild their snapshot after the format moved on.
func TestLegacyVectors(t *testing.T) {
	const dir = "../testdata/vectors-v1"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			frame, err := os.ReadFile(filepath.Join(dir, e.Name(), "frame.bin"))
			if err != nil {
				t.Fatal(err)
			}
			if h, err := ParseHeader(frame); err != nil || h.Version != 1 {
				t.Fatalf("header %+v, %v: want a format 1 frame", h, err)
			}
			next := parseFile(t, filepath.Join(dir, e.Name(), "next.json"))
			var base *snapshot.Snapshot
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "base.json")); err == nil {
				base = parseFile(t, filepath.Join(dir, e.Name(), "base.json"))
			}
			got, err := dec.Apply(base, frame)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(next) || got.Hash() != next.Hash() {
				t.Fatalf("rebuilt %s, want %s", got.MarshalCanonical(), next.MarshalCanonical())
			}
		})
		n++
	}
	if n < 6 {
		t.Fatalf("only %d format 1 vectors", n)
	}
}
