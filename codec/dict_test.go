package codec

import (
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/snapdelta/snapdelta/snapshot"
)

// TestBuiltinDictionaryFrozen guards dictionary 1: frames name entries by
// index, so changing the list (even regenerating it from a changed
// simulator) would make old frames decode to other names. A new list needs
// a new dictionary id.
func TestBuiltinDictionaryFrozen(t *testing.T) {
	const want = uint64(0x93f35a666ee6714e)
	got := xxhash.Sum64String(strings.Join(builtinNames, "\x00"))
	if len(builtinNames) != 256 || got != want {
		t.Fatalf("dictionary 1 has %d names hashing to %#x; it must stay the frozen list (%#x)", len(builtinNames), got, want)
	}
}

func TestDictionaryNames(t *testing.T) {
	d := builtinDictionary
	for i, n := range d.names {
		j, ok := d.lookup(n)
		if !ok || d.names[j] != n {
			t.Fatalf("name %d %q does not look up", i, n)
		}
		if got, ok := d.name(uint64(j)); !ok || got != n {
			t.Fatalf("index %d gives %q", j, got)
		}
	}
	if _, ok := d.name(uint64(len(d.names))); ok {
		t.Fatal("index past the table resolved")
	}
	if _, ok := noDictionary.lookup("metadata"); ok {
		t.Fatal("dictionary 0 names something")
	}
}

// TestWithoutCompression: a body zstd would shrink a hundredfold still
// travels raw, and decodes.
func TestWithoutCompression(t *testing.T) {
	doc := `{"a":"` + strings.Repeat("x", 10000) + `"}`
	s, err := snapshot.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoder(WithoutCompression())
	if err != nil {
		t.Fatal(err)
	}
	frame, err := enc.AppendFull(nil, s)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseHeader(frame)
	if err != nil || h.Compression != None || len(frame) < 10000 {
		t.Fatalf("header %+v, %d bytes, %v: want a raw body", h, len(frame), err)
	}
	got, err := Decode(frame)
	if err != nil || !got.Snapshot.Equal(s) {
		t.Fatalf("decode: %v", err)
	}
}

// TestZstdDictionariesFrozen guards the zstd dictionaries: zstd frames refer
// to their content by offset, so a different content (regenerated from a
// changed simulator) would make stored frames decode to other bytes. A new
// content needs a new dictionary id.
func TestZstdDictionariesFrozen(t *testing.T) {
	for _, tt := range []struct {
		id   uint64
		size int
		hash uint64
	}{
		{BuiltinDictionary, 28567, 0x0399ba5a57fd4690},
		{BuiltinDictionary2, 59999, 0x55c6354f6c65379e},
		{BuiltinDictionary3, 60273, 0x791eeb9fcfa60b25},
	} {
		d := dictionaries[tt.id].zstd
		if len(d) != tt.size || xxhash.Sum64(d) != tt.hash {
			t.Errorf("zstd dictionary %d: %d bytes hashing to %#x, want the frozen %d bytes (%#x)", tt.id, len(d), xxhash.Sum64(d), tt.size, tt.hash)
		}
		if got := dictionaries[tt.id].names; len(got) != len(builtinNames) {
			t.Errorf("dictionary %d has %d names, want dictionary 1's %d", tt.id, len(got), len(builtinNames))
		}
	}
}

// TestZstdDictionarySize keeps zstd dictionaries under 64 KiB: from there
// klauspost's encoder rebuilds its tables for every frame (a small frame
// took 24 µs instead of 3.4 µs with a 65536-byte dictionary, measured with
// v1.20.3), which would cost an agent more than the bytes it saves.
func TestZstdDictionarySize(t *testing.T) {
	for id, d := range dictionaries {
		if len(d.zstd) >= 64<<10 {
			t.Errorf("zstd dictionary %d is %d bytes, want less than 64 KiB", id, len(d.zstd))
		}
	}
}
