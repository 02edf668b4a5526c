package codec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// TestLegacyVectors proves frames of older format versions still decode and
// rebuild their snapshot after the format moved on.
func TestLegacyVectors(t *testing.T) {
	for _, tt := range []struct {
		version uint8
		min     int // vectors there must be at least
	}{{1, 6}, {2, 10}, {3, 11}, {4, 13}, {5, 14}, {6, 15}, {7, 16}} {
		t.Run(fmt.Sprintf("v%d", tt.version), func(t *testing.T) {
			legacyVectors(t, tt.version, tt.min)
		})
	}
}

func legacyVectors(t *testing.T, version uint8, min int) {
	dir := fmt.Sprintf("../testdata/vectors-v%d", version)
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
			if h, err := ParseHeader(frame); err != nil || h.Version != version {
				t.Fatalf("header %+v, %v: want a format %d frame", h, err, version)
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
	if n < min {
		t.Fatalf("only %d format %d vectors", n, version)
	}
}

// TestNewerOperationsInOlderFrames checks that an operation kind is read
// only in frames of the format that introduced it or later: relabelling a
// frame as an older version must not make it acceptable to that version's
// rules.
func TestNewerOperationsInOlderFrames(t *testing.T) {
	base := mustParse(t, `{"s":"Up 3 minutes","n":1}`)
	for _, tt := range []struct {
		op     delta.Op
		next   string
		oldest uint8 // first format with the kind
	}{
		{delta.Op{Kind: delta.OpIncrementText, Path: "/s", Int: 1}, `{"s":"Up 4 minutes","n":1}`, 3},
		{delta.Op{Kind: delta.OpSplice, Path: "/s", Prefix: 3, Suffix: 8, Text: "4"}, `{"s":"Up 4 minutes","n":1}`, 2},
		{delta.Op{Kind: delta.OpIncrement, Path: "/n", Int: 1}, `{"s":"Up 3 minutes","n":2}`, 2},
		{delta.Op{Kind: delta.OpRemove, Path: "/n"}, `{"s":"Up 3 minutes"}`, 1},
	} {
		d := &delta.Delta{Base: base.Hash(), Target: mustParse(t, tt.next).Hash(),
			Edits: []delta.Edit{{Kind: delta.Patch, Path: []string{}, Ops: []delta.Op{tt.op}}}}
		frames := map[uint8][]byte{}
		for written := uint8(3); written <= Version; written++ {
			enc, err := NewEncoder(WithDictionary(NoDictionary), WithoutCompression(), WithVersion(written))
			if err != nil {
				t.Fatal(err)
			}
			if frames[written], err = enc.AppendDelta(nil, d); err != nil {
				t.Fatal(err)
			}
		}
		for v := uint8(MinVersion); v <= Version; v++ {
			// Versions 1 to 3 share the header and body layout: relabel.
			frame := frames[max(v, 3)]
			frame[2] = v
			_, err := Apply(base, frame)
			if v < tt.oldest && !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s in a version %d frame: %v, want corrupt", tt.op.Kind, v, err)
			}
			if v >= tt.oldest && err != nil {
				t.Errorf("%s in a version %d frame: %v", tt.op.Kind, v, err)
			}
		}
	}
}
