package codec

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden vectors in ../testdata/vectors and the fuzz seeds in testdata/fuzz")

// vectorsDir holds the golden vectors (docs/wire-format.md, "Test
// vectors"): one folder per case with next.json, base.json for a delta
// (absent for a full frame) and frame.bin.
const vectorsDir = "../testdata/vectors"

type vector struct {
	name       string
	base, next *snapshot.Snapshot // base nil: a full frame
	frame      []byte             // frame.bin as stored (nil when missing)
}

// loadVectors reads every vector; the frames may be missing when updating.
func loadVectors(t testing.TB) []vector {
	t.Helper()
	entries, err := os.ReadDir(vectorsDir)
	if err != nil {
		t.Fatalf("golden vectors: %v", err)
	}
	var vs []vector
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(vectorsDir, e.Name())
		v := vector{name: e.Name()}
		v.next = parseFile(t, filepath.Join(dir, "next.json"))
		if _, err := os.Stat(filepath.Join(dir, "base.json")); err == nil {
			v.base = parseFile(t, filepath.Join(dir, "base.json"))
		}
		v.frame, err = os.ReadFile(filepath.Join(dir, "frame.bin"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		t.Fatalf("no golden vectors in %s", vectorsDir)
	}
	return vs
}

func parseFile(t testing.TB, path string) *snapshot.Snapshot {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// encodeVector returns the frame this build writes for v.
func encodeVector(t testing.TB, v vector) []byte {
	t.Helper()
	if v.base == nil {
		return mustEncodeFull(t, v.next)
	}
	return mustEncodeDelta(t, v.base, v.next)
}

// TestVectors checks the golden vectors both ways: this build encodes each
// case to exactly frame.bin, and decodes frame.bin back to next.json.
// Run with -update to rewrite frame.bin after an intended format change.
func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			frame := encodeVector(t, v)
			path := filepath.Join(vectorsDir, v.name, "frame.bin")
			if *update {
				if err := os.WriteFile(path, frame, 0o644); err != nil {
					t.Fatal(err)
				}
				v.frame = frame
			}
			if v.frame == nil {
				t.Fatalf("%s is missing; run go test ./codec -run Vectors -update", path)
			}
			if !bytes.Equal(frame, v.frame) {
				t.Errorf("encoding differs from %s:\n got  % x\n want % x", path, frame, v.frame)
			}
			got, err := defaultDecoder.Apply(v.base, v.frame)
			if err != nil {
				t.Fatalf("Apply(frame.bin): %v", err)
			}
			sameSnapshot(t, got, v.next)
			f, err := Decode(v.frame)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case v.base == nil && (f.Header.Kind != Full || f.Root != v.next.Hash()):
				t.Errorf("full vector decodes as %s frame naming %016x", f.Header.Kind, f.Root)
			case v.base != nil && (f.Header.Kind != DeltaKind || f.Delta.Base != v.base.Hash() || f.Delta.Target != v.next.Hash()):
				t.Errorf("delta vector decodes as %s frame", f.Header.Kind)
			}
		})
	}
	if *update {
		writeFuzzSeeds(t, vs)
	}
}

// TestVectorsCover checks that the vectors exercise what the wire format
// document promises they do.
func TestVectorsCover(t *testing.T) {
	has := map[string]bool{}
	for _, v := range loadVectors(t) {
		if v.frame == nil {
			continue
		}
		f, err := Decode(v.frame)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		has[f.Header.Kind.String()+"/"+f.Header.Compression.String()] = true
		if f.Delta == nil {
			continue
		}
		if f.Delta.Empty() {
			has["empty delta"] = true
		}
		for _, e := range f.Delta.Edits {
			has[e.Kind.String()] = true
			for _, o := range e.Ops {
				has["op "+o.Kind.String()] = true
			}
			if c := e.Collection; c != nil {
				if c.Order != nil {
					has["order"] = true
				}
				if len(c.Remove)+len(c.RemoveAt) > 0 {
					has["collection remove"] = true
				}
				if len(c.Patch) > 0 {
					has["collection patch"] = true
				}
				for _, it := range c.Put {
					has[fmt.Sprintf("collection put %v", it.Index >= 0)] = true
				}
			}
		}
	}
	for _, want := range []string{
		"full/zstd", "delta/none", "empty delta", "set", "remove", "patch", "collection",
		"op replace", "order", "collection remove", "collection patch", "collection put true", "collection put false",
	} {
		if !has[want] {
			t.Errorf("no golden vector has %s", want)
		}
	}
}

// writeFuzzSeeds stores the fuzz seeds as files in testdata/fuzz/FuzzDecode
// ("go test fuzz v1" format), so that plain go test runs them too.
func writeFuzzSeeds(t *testing.T, vs []vector) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, frame := range fuzzSeeds(t, vs) {
		data := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", frame)
		if err := os.WriteFile(filepath.Join(dir, "seed-"+name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
