package codec

import (
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
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
