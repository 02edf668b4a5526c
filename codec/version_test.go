package codec

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

// TestWithVersion checks that an encoder writes format 3 on request, that
// this build reads what either version writes, and what format 4 saves:
// a byte of header, four of base root and the zstd magic number of the
// body and of the items stream.
func TestWithVersion(t *testing.T) {
	v3, err := NewEncoder(WithVersion(3))
	if err != nil {
		t.Fatal(err)
	}
	v4, err := NewEncoder(WithVersion(4))
	if err != nil {
		t.Fatal(err)
	}
	v5, err := NewEncoder(WithVersion(5))
	if err != nil {
		t.Fatal(err)
	}
	v6, err := NewEncoder(WithVersion(6))
	if err != nil {
		t.Fatal(err)
	}
	v7, err := NewEncoder(WithVersion(7))
	if err != nil {
		t.Fatal(err)
	}
	v8, err := NewEncoder(WithVersion(8))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []uint8{0, 1, 2, 9} {
		if _, err := NewEncoder(WithVersion(bad)); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("WithVersion(%d): %v, want ErrInvalidOption", bad, err)
		}
	}
	if _, err := NewEncoder(WithVersion(3), WithDictionary(BuiltinDictionary3)); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("format 3 with dictionary 3: %v, want ErrInvalidOption", err)
	}
	for _, name := range []string{"docker-redeploy", "docker-status", "k8s-heartbeat", "no-change", "collection-items", "shape-run", "event-copies"} {
		t.Run(name, func(t *testing.T) {
			base := parseFile(t, vectorsDir+"/"+name+"/base.json")
			next := parseFile(t, vectorsDir+"/"+name+"/next.json")
			frames := map[uint8][]byte{}
			for version, enc := range map[uint8]*Encoder{3: v3, 4: v4, 5: v5, 6: v6, 7: v7, 8: v8} {
				d := mustDiff(t, base, next)
				frame, err := enc.AppendDelta(nil, d)
				if err != nil {
					t.Fatal(err)
				}
				f, err := Decode(frame)
				if err != nil {
					t.Fatalf("format %d: %v", version, err)
				}
				if wantDict := map[uint8]uint64{3: BuiltinDictionary2, 4: BuiltinDictionary3, 5: BuiltinDictionary3, 6: BuiltinDictionary3, 7: BuiltinDictionary3, 8: BuiltinDictionary3}[version]; f.Header.Dictionary != wantDict && f.Header.Dictionary != NoDictionary {
					t.Fatalf("format %d frame names dictionary %d, want %d", version, f.Header.Dictionary, wantDict)
				}
				if f.Header.Version != version || !f.NamesBase(base.Hash()) {
					t.Fatalf("format %d frame decodes as version %d, naming base %s", version, f.Header.Version, f.BaseName())
				}
				got, err := f.Apply(base)
				if err != nil {
					t.Fatalf("format %d: %v", version, err)
				}
				sameSnapshot(t, got, next)
				frames[version] = frame
			}
			h, err := ParseHeader(frames[4])
			if err != nil {
				t.Fatal(err)
			}
			h3, err := ParseHeader(frames[3])
			if err != nil {
				t.Fatal(err)
			}
			saved := 1 + 4 // header, base root
			if h.Compression != h3.Compression {
				// Four bytes fewer for zstd can make it beat the raw body.
				if got := len(frames[3]) - len(frames[4]); got < saved {
					t.Errorf("format 4 frame (%s) of %d bytes, format 3 (%s) of %d", h.Compression, len(frames[4]), h3.Compression, len(frames[3]))
				}
				return
			}
			if h.Compression == Zstd {
				saved += len(zstdMagic)
			}
			info, err := Inspect(frames[4])
			if err != nil {
				t.Fatal(err)
			}
			if info.ItemsStreamBytes > 0 {
				saved += len(zstdMagic)
			}
			// Status ticks and dictionary 3 may save more.
			if got := len(frames[3]) - len(frames[4]); got < saved {
				t.Errorf("format 4 frame of %d bytes, format 3 of %d: saves %d, want at least %d", len(frames[4]), len(frames[3]), got, saved)
			}
		})
	}
}

// TestBaseNamedBy32Bits checks how a format 4 frame matches its base: by
// the low 32 bits of the root, the high ones ignored, and a snapshot whose
// low bits differ refused as an unknown base.
func TestBaseNamedBy32Bits(t *testing.T) {
	base := mustParse(t, dockerDoc(3, 1))
	next := mustParse(t, dockerDoc(3, 2))
	f, err := Decode(mustEncodeDelta(t, base, next))
	if err != nil {
		t.Fatal(err)
	}
	root := base.Hash()
	for _, tt := range []struct {
		root uint64
		want bool
	}{{root, true}, {root ^ 1<<63, true}, {root ^ 1<<32, true}, {root ^ 1, false}, {root ^ 1<<31, false}} {
		if got := f.NamesBase(tt.root); got != tt.want {
			t.Errorf("NamesBase(%016x) for base %016x = %v", tt.root, root, got)
		}
	}
	if got, want := f.BaseName(), fmt.Sprintf("%08x", uint32(root)); got != want {
		t.Errorf("BaseName() = %s, want %s", got, want)
	}
	if _, err := f.Apply(next); !errors.Is(err, ErrUnknownBase) {
		t.Errorf("applied to another snapshot: %v, want ErrUnknownBase", err)
	}
	got, err := f.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got, next)
	if f.Delta.Base != root || !f.NamesBase(root) {
		t.Errorf("after Apply: Delta.Base %016x, want the whole root %016x", f.Delta.Base, root)
	}
}

// TestBaseRootPast32Bits checks that a format 4 delta whose base does not
// fit 32 bits is corrupt, while format 3 takes all 64.
func TestBaseRootPast32Bits(t *testing.T) {
	base := mustParse(t, `{"c":[{"id":"a","v":1}]}`)
	next := mustParse(t, `{"c":[{"id":"a","v":1}]}`)
	for _, version := range []uint8{3, 4} {
		frame := handCollectionFrame(version, base.Hash(), next.Hash(), noEntries, noEntries, false, nil)
		if version >= 4 {
			// Rewrite the 32-bit base (ce + 4 bytes) as a 64-bit one.
			i := bytes.IndexByte(frame, 0xce)
			wide := append(append(bytes.Clone(frame[:i]), 0xcf, 0, 0, 0, 1), frame[i+1:]...)
			wide[4]++ // the body grew by four bytes; its size is one uvarint byte
			if _, err := Decode(wide); !errors.Is(err, ErrCorrupt) {
				t.Errorf("format 4 delta naming a 64-bit base: %v, want ErrCorrupt", err)
			}
		}
		got, err := Apply(base, frame)
		if err != nil {
			t.Fatalf("format %d: %v", version, err)
		}
		sameSnapshot(t, got, next)
	}
}

// TestNoChangeFrame4 checks the smallest format 4 frame: 21 bytes, and an
// empty delta before it is applied.
func TestNoChangeFrame4(t *testing.T) {
	s := mustParse(t, dockerDoc(5, 1))
	frame := mustEncodeDelta(t, s, s)
	if len(frame) != 21 {
		t.Errorf("no-change frame of %d bytes, want 21", len(frame))
	}
	f, err := Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Delta.Empty() || f.Delta.Base != s.Hash() {
		t.Errorf("no-change frame decodes to %+v", f.Delta)
	}
	var other *snapshot.Snapshot = mustParse(t, dockerDoc(5, 2))
	if _, err := f.Apply(other); !errors.Is(err, ErrUnknownBase) {
		t.Errorf("no-change frame applied to another snapshot: %v, want ErrUnknownBase", err)
	}
}
