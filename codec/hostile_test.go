package codec

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// Pieces of hand-written msgpack bodies.
const (
	hash8   = "\xcf\x00\x00\x00\x00\x00\x00\x00\x01" // a root hash (uint64)
	deltaHd = "\x93" + hash8 + hash8                 // [base, target, ...
	oneEdit = deltaHd + "\x91"                       // ... [edit]
	setEdit = oneEdit + "\x93\x01\x90"               // [set, [], value]
	opsEdit = oneEdit + "\x93\x03\x90"               // [patch, [], ops]
	collHd  = oneEdit + "\x93\x04\x90"               // [collection, [], c]
	coll    = collHd + "\x95\xa2id"                  // ["id", remove, put, patch, order]
	fullHd  = "\x92" + hash8                         // [root, value]

	array32 = "\xdd\x7f\xff\xff\xff"     // 2^31-1 elements
	map32   = "\xdf\x7f\xff\xff\xff"     // 2^31-1 members
	str32   = "\xdb\x7f\xff\xff\xff"     // 2^31-1 bytes
	ext32   = "\xc9\x7f\xff\xff\xff\x01" // 2^31-1 bytes of extension 1
	array16 = "\xdc\xff\xff"
	map16   = "\xde\xff\xff"
	str16   = "\xda\xff\xff"
	ext16   = "\xc8\xff\xff\x01"
)

// TestLengthBombs puts a length prefix claiming far more than the body holds
// at every place the decoder reads a length. Each must be refused as corrupt
// before anything of the claimed size is allocated.
func TestLengthBombs(t *testing.T) {
	type place struct {
		name string
		kind Kind
		body string
	}
	places := []place{
		{"full: top level", Full, array32},
		{"full: root hash as str32", Full, "\x92" + str32},
		{"delta: top level", DeltaKind, array32},
		{"delta: edits", DeltaKind, deltaHd + array32},
		{"delta: edits array16", DeltaKind, deltaHd + array16},
		{"edit tuple", DeltaKind, oneEdit + array32},
		{"edit path", DeltaKind, oneEdit + "\x93\x01" + array32},
		{"edit path element", DeltaKind, oneEdit + "\x93\x01\x91" + str32},
		{"edit path element str16", DeltaKind, oneEdit + "\x93\x01\x91" + str16},
		{"patch: operations", DeltaKind, opsEdit + array32},
		{"patch: operation tuple", DeltaKind, opsEdit + "\x91" + array32},
		{"patch: operation path", DeltaKind, opsEdit + "\x91\x93\x01" + str32},
		{"patch: operation from", DeltaKind, opsEdit + "\x91\x93\x04\xa0" + str32},
		{"collection tuple", DeltaKind, collHd + array32},
		{"collection rule", DeltaKind, collHd + "\x95" + str32},
		{"collection remove", DeltaKind, coll + array32},
		{"collection removed key", DeltaKind, coll + "\x91" + str32},
		{"collection put", DeltaKind, coll + "\x90" + array32},
		{"collection put tuple", DeltaKind, coll + "\x90\x91" + array32},
		{"collection put key", DeltaKind, coll + "\x90\x91\x93" + str32},
		{"collection patch", DeltaKind, coll + "\x90\x90" + array32},
		{"collection item patch tuple", DeltaKind, coll + "\x90\x90\x91" + array32},
		{"collection item patch key", DeltaKind, coll + "\x90\x90\x91\x92" + str32},
		{"collection item patch ops", DeltaKind, coll + "\x90\x90\x91\x92\xa1a" + array32},
		{"collection item patch op", DeltaKind, coll + "\x90\x90\x91\x92\xa1a\x91" + array32},
		{"collection order", DeltaKind, coll + "\x90\x90\x90" + array32},
	}
	// Every place a JSON value is read, with every kind of length prefix.
	values := []struct{ name, kind string }{
		{"array32", array32}, {"map32", map32}, {"str32", str32}, {"ext32", ext32},
		{"array16", array16}, {"map16", map16}, {"str16", str16}, {"ext16", ext16},
		{"nested array32", "\x91" + array32},
		{"map key str32", "\x81" + str32},
		{"map member map32", "\x81\xa1k" + map32},
	}
	valuePlaces := []struct {
		name string
		kind Kind
		pre  string
	}{
		{"full frame value", Full, fullHd},
		{"set value", DeltaKind, setEdit},
		{"operation value", DeltaKind, opsEdit + "\x91\x93\x01\xa0"},
		{"put value", DeltaKind, coll + "\x90\x91\x93\xa1a\x00"},
		{"item patch value", DeltaKind, coll + "\x90\x90\x91\x92\xa1a\x91\x93\x03\xa0"},
	}
	for _, vp := range valuePlaces {
		for _, v := range values {
			places = append(places, place{vp.name + ": " + v.name, vp.kind, vp.pre + v.kind})
		}
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range places {
		frame := rawFrame(p.kind, []byte(p.body))
		if _, err := dec.Decode(frame); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", p.name, err)
			continue
		}
		if n := allocated(func() { _, _ = dec.Decode(frame) }); n > 1<<20 {
			t.Errorf("%s: decoding allocated %d bytes", p.name, n)
		}
	}
}

// allocated returns the bytes allocated while fn runs. Tests that call it
// do not run in parallel, so the count is fn's.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

var zstdBomb = sync.OnceValues(func() ([]byte, error) {
	// 1 GiB of zeros through the streaming encoder: no content size in the
	// zstd frame header, so only decoding finds out how large it is.
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderCRC(false), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	zeros := make([]byte, 1<<20)
	for range 1 << 10 {
		if _, err := w.Write(zeros); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
})

func TestZstdBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1 GiB zstd stream")
	}
	bomb, err := zstdBomb()
	if err != nil {
		t.Fatal(err)
	}
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb compressed to %d bytes; expected a few hundred KB at most", len(bomb))
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	// The header tells the truth (1 GiB), or lies: tiny, one MiB, or just
	// under the decoder's limit.
	for _, claim := range []uint64{1 << 30, 0, 100, 1 << 20, DefaultMaxDecodedSize - 1} {
		for _, kind := range []Kind{Full, DeltaKind} {
			version := uint8(Version)
			if claim == 100 {
				version = 3 // with the zstd magic number
			}
			frame := zstdFrame(version, kind, claim, bomb)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := dec.Decode(frame)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s frame claiming %d bytes: %v, want ErrTooLarge", kind, claim, err)
			}
			n := after.TotalAlloc - before.TotalAlloc
			if n > 256<<20 {
				t.Errorf("%s frame claiming %d bytes: decoding allocated %d MiB", kind, claim, n>>20)
			}
			t.Logf("%s frame claiming %d bytes: %d KiB allocated", kind, claim, n>>10)
		}
	}
	// A smaller limit caps what the decoder is willing to inflate.
	small, err := NewDecoder(WithMaxDecodedSize(1 << 16))
	if err != nil {
		t.Fatal(err)
	}
	frame := zstdFrame(Version, Full, 1<<16, bomb)
	if n := allocated(func() {
		if _, err := small.Decode(frame); !errors.Is(err, ErrTooLarge) {
			t.Errorf("bomb with a 64 KiB limit: %v, want ErrTooLarge", err)
		}
	}); n > 8<<20 {
		t.Errorf("bomb with a 64 KiB limit allocated %d MiB", n>>20)
	}
}

// TestZstdBodySizeMismatch checks that a zstd body, a frame (format 4) or
// a bare block (format 5), that inflates to less than its header promises
// is refused, as is one a little longer.
func TestZstdBodySizeMismatch(t *testing.T) {
	s := mustParse(t, dockerDoc(20, 1))
	v4, err := NewEncoder(WithVersion(4))
	if err != nil {
		t.Fatal(err)
	}
	old, err := v4.AppendFull(nil, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		frame []byte
		comp  Compression
	}{{old, Zstd}, {mustEncodeFull(t, s), ZstdBlock}} {
		h, err := ParseHeader(tt.frame)
		if err != nil || h.Compression != tt.comp {
			t.Fatalf("need a %s frame: %+v, %v", tt.comp, h, err)
		}
		payload := tt.frame[h.HeaderSize:]
		for _, size := range []uint64{0, h.BodySize - 1, h.BodySize + 1, h.BodySize * 2} {
			f := append(appendHeader(nil, h.Version, Full, tt.comp, h.Dictionary, size), payload...)
			_, err := Decode(f)
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s body of %d bytes, header says %d: %v, want ErrCorrupt or ErrTooLarge", tt.comp, h.BodySize, size, err)
			}
		}
		// Garbage after the zstd frame or block.
		bad := append(bytes.Clone(tt.frame), 0x00, 0x01)
		if _, err := Decode(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("bytes after the %s body: %v, want ErrCorrupt", tt.comp, err)
		}
		// A body that is not zstd at all.
		bad = append(appendHeader(nil, h.Version, Full, tt.comp, 0, 10), "not zstd at all"...)
		if _, err := Decode(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s body that is not zstd: %v, want ErrCorrupt", tt.comp, err)
		}
	}
}

// nested returns n arrays (or maps with member "k") nested around null.
func nested(n int, maps bool) string {
	open, close := "[", "]"
	if maps {
		open, close = `{"k":`, "}"
	}
	return strings.Repeat(open, n) + "null" + strings.Repeat(close, n)
}

func TestMaxDepth(t *testing.T) {
	for _, maps := range []bool{false, true} {
		s := mustParse(t, nested(20, maps))
		frame := mustEncodeFull(t, s)
		at, err := NewDecoder(WithMaxDepth(20))
		if err != nil {
			t.Fatal(err)
		}
		got, err := at.Decode(frame)
		if err != nil {
			t.Fatalf("maps=%v: 20 levels with a limit of 20: %v", maps, err)
		}
		sameSnapshot(t, got.Snapshot, s)
		under, err := NewDecoder(WithMaxDepth(19))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := under.Decode(frame); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("maps=%v: 20 levels with a limit of 19: %v, want ErrTooLarge", maps, err)
		}
		// The same value in a delta: set, operation and put values.
		base := mustParse(t, `{"a":{"x":1},"c":[{"id":"1"}],"p":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]}`)
		next := mustParse(t, `{"a":{"x":1,"v":`+nested(20, maps)+`},"c":[{"id":"1"},{"id":"2","v":`+nested(20, maps)+`}],"p":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,`+nested(20, maps)+`]}`)
		frame = mustEncodeDelta(t, base, next)
		// The values' depth counts from where they land: the limit that
		// fits the delta is the depth of the snapshot it yields.
		deepest := depth(next.Root())
		if deepest < 21 {
			t.Fatalf("maps=%v: next nests %d levels, want more than 20", maps, deepest)
		}
		at, err = NewDecoder(WithMaxDepth(deepest))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := at.Apply(base, frame); err != nil {
			t.Fatalf("maps=%v: delta nesting %d levels, limit %[2]d: %v", maps, deepest, err)
		} else {
			sameSnapshot(t, got, next)
		}
		under, err = NewDecoder(WithMaxDepth(deepest - 1))
		if err != nil {
			t.Fatal(err)
		}
		// (The new item travels as text coded against base items, decoded
		// when the frame is applied.)
		if _, err := under.Apply(base, frame); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("maps=%v: delta nesting %d levels, limit %d: %v, want ErrTooLarge", maps, deepest, deepest-1, err)
		}
	}
	// Far past the default limit, built by hand (the JSON parser refuses
	// it): a megabyte of nested arrays must fail on the bound, not on the
	// goroutine stack.
	for _, open := range []string{"\x91", "\x81\xa0"} {
		body := fullHd + strings.Repeat(open, 1<<20/len(open)) + "\xc0"
		if _, err := Decode(rawFrame(Full, []byte(body))); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("deep nesting (% x): %v, want ErrTooLarge", open, err)
		}
	}
}

// depth returns how many arrays and objects nest in n, n included.
func depth(n *snapshot.Node) int {
	if n == nil {
		return 0
	}
	var d int
	switch n.Kind() {
	case snapshot.Array:
		for _, e := range n.Elems() {
			d = max(d, depth(e))
		}
	case snapshot.Object:
		for _, v := range n.Values() {
			d = max(d, depth(v))
		}
	default:
		return 0
	}
	return d + 1
}

func TestMaxItems(t *testing.T) {
	s := mustParse(t, `{"a":[1,2,3,4,5,6,7,8,9,10],"b":{"x":1,"y":2}}`)
	frame := mustEncodeFull(t, s)
	// The frame's arrays and maps hold 2 (envelope) + 2 (root map) + 10 +
	// 2 elements: the envelope counts too.
	const items = 16
	ok, err := NewDecoder(WithMaxItems(items))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ok.Decode(frame); err != nil {
		t.Fatalf("%d items with a limit of %d: %v", items, items, err)
	}
	over, err := NewDecoder(WithMaxItems(items - 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := over.Decode(frame); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("%d items with a limit of %d: %v, want ErrTooLarge", items, items-1, err)
	}
	// Path elements and operations count too.
	base := mustParse(t, `{"a":{"b":{"c":{"d":1}}}}`)
	next := mustParse(t, `{"a":{"b":{"c":{"d":2}}}}`)
	frame = mustEncodeDelta(t, base, next)
	tiny, err := NewDecoder(WithMaxItems(5))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tiny.Decode(frame); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("delta past the item limit: %v, want ErrTooLarge", err)
	}
}

// TestCorruptBodies feeds well-framed bodies that are not valid snapdelta
// msgpack.
func TestCorruptBodies(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		body string
	}{
		{"empty body", Full, ""},
		{"full: not an array", Full, "\x81\xa1a\x01"},
		{"full: one element", Full, "\x91" + hash8},
		{"full: three elements", Full, "\x93" + hash8 + "\xc0\xc0"},
		{"full: root is a string", Full, "\x92\xa1a\xc0"},
		{"full: root is negative", Full, "\x92\xff\xc0"},
		{"full: root is int64", Full, "\x92\xd3\x00\x00\x00\x00\x00\x00\x00\x01\xc0"},
		{"full: value missing", Full, fullHd},
		{"trailing byte", Full, fullHd + "\xc0\xc0"},
		{"trailing bytes after delta", DeltaKind, deltaHd + "\x90\x00"},
		{"unknown extension type 4", Full, fullHd + "\xd4\x04\x31"},
		{"hex string truncated", Full, fullHd + "\xc7\x05\x02\x31"},
		{"prefixed hex string without its prefix length", Full, fullHd + "\xc7\x00\x03"},
		{"prefixed hex string's prefix past its data", Full, fullHd + "\xd5\x03\x02a"},
		{"prefixed hex string's prefix invalid UTF-8", Full, fullHd + "\xd5\x03\x01\xff"},
		{"hex string as a map key", Full, fullHd + "\x81\xd4\x02\xab\x01"},
		{"hex string as a rule", DeltaKind, collHd + "\x95\xd4\x02\xab\x90\x90\x90\xc0"},
		{"hex string as a path element", DeltaKind, oneEdit + "\x93\x01\x91\xd4\x02\xab\x01"},
		{"hex string as an op path", DeltaKind, opsEdit + "\x91\x92\x02\xd4\x02\xab"},
		{"number literal where a key belongs", DeltaKind, coll + "\x91\xd4\x01\x31\x90\x90\xc0"},
		{"timestamp extension", Full, fullHd + "\xd6\xff\x00\x00\x00\x00"},
		{"extension type 1 truncated", Full, fullHd + "\xc7\x05\x01\x31"},
		{"float32", Full, fullHd + "\xca\x3f\x80\x00\x00"},
		{"float64", Full, fullHd + "\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"},
		{"binary", Full, fullHd + "\xc4\x01a"},
		{"never used code 0xc1", Full, fullHd + "\xc1"},
		{"invalid UTF-8 string", Full, fullHd + "\xa2\xff\xfe"},
		{"truncated UTF-8 string", Full, fullHd + "\xa2\xc3"},
		{"UTF-16 surrogate in string", Full, fullHd + "\xa3\xed\xa0\x80"},
		{"invalid UTF-8 map key", Full, fullHd + "\x81\xa1\xff\x01"},
		{"map key not a string", Full, fullHd + "\x81\x01\x01"},
		{"duplicate map key", Full, fullHd + "\x82\xa1a\x01\xa1a\x02"},
		{"duplicate empty map key", Full, fullHd + "\x82\xa0\x01\xa0\x02"},
		{"delta: two elements", DeltaKind, "\x92" + hash8 + hash8},
		{"delta: edits is nil", DeltaKind, deltaHd + "\xc0"},
		{"delta: edit kind 0", DeltaKind, oneEdit + "\x93\x00\x90\xc0"},
		{"delta: edit kind 5", DeltaKind, oneEdit + "\x93\x05\x90\xc0"},
		{"delta: edit kind 257", DeltaKind, oneEdit + "\x93\xcd\x01\x01\x90\x01"},
		{"delta: edit kind negative", DeltaKind, oneEdit + "\x93\xff\x90\x01"},
		{"delta: edit of two elements", DeltaKind, oneEdit + "\x92\x01\x90"},
		{"delta: path is nil", DeltaKind, oneEdit + "\x93\x01\xc0\x01"},
		{"delta: path element is a number", DeltaKind, oneEdit + "\x93\x01\x91\x01\x01"},
		{"delta: path element invalid UTF-8", DeltaKind, oneEdit + "\x93\x01\x91\xa1\xff\x01"},
		{"delta: remove payload not nil", DeltaKind, oneEdit + "\x93\x02\x91\xa1a\x01"},
		{"delta: set value missing", DeltaKind, setEdit},
		{"delta: op kind 0", DeltaKind, opsEdit + "\x91\x92\x00\xa0"},
		{"delta: op kind 7", DeltaKind, opsEdit + "\x91\x92\x07\xa0"},
		{"delta: op kind 258", DeltaKind, opsEdit + "\x91\x92\xcd\x01\x02\xa0"},
		{"delta: remove op of three", DeltaKind, opsEdit + "\x91\x93\x02\xa0\xc0"},
		{"delta: add op of two", DeltaKind, opsEdit + "\x91\x92\x01\xa0"},
		{"delta: move op of two", DeltaKind, opsEdit + "\x91\x92\x04\xa0"},
		{"delta: copy op of four", DeltaKind, opsEdit + "\x91\x94\x05\xa0\xa0\xa0"},
		{"delta: op path invalid UTF-8", DeltaKind, opsEdit + "\x91\x92\x02\xa1\xff"},
		{"delta: op from not a string", DeltaKind, opsEdit + "\x91\x93\x04\xa0\x01"},
		{"delta: collection of four", DeltaKind, collHd + "\x94\xa2id\x90\x90\x90"},
		{"delta: rule invalid UTF-8", DeltaKind, collHd + "\x95\xa1\xff\x90\x90\x90\xc0"},
		{"delta: removed key invalid UTF-8", DeltaKind, coll + "\x91\xa1\xff\x90\x90\xc0"},
		{"delta: put key invalid UTF-8", DeltaKind, coll + "\x90\x91\x93\xa1\xff\x00\x01\x90\xc0"},
		{"delta: put index a string", DeltaKind, coll + "\x90\x91\x93\xa1a\xa1\x30\x01\x90\xc0"},
		{"delta: put index 2^31", DeltaKind, coll + "\x90\x91\x93\xa1a\xce\x80\x00\x00\x00\x01\x90\xc0"},
		{"delta: put index 2^64-1", DeltaKind, coll + "\x90\x91\x93\xa1a\xcf\xff\xff\xff\xff\xff\xff\xff\xff\x01\x90\xc0"},
		{"delta: put index -2^31-1", DeltaKind, coll + "\x90\x91\x93\xa1a\xd3\xff\xff\xff\xff\x7f\xff\xff\xff\x01\x90\xc0"},
		{"delta: put of two", DeltaKind, coll + "\x90\x91\x92\xa1a\x00\x90\xc0"},
		{"delta: item patch of three", DeltaKind, coll + "\x90\x90\x91\x93\xa1a\x90\x90\xc0"},
		{"delta: item patch key invalid UTF-8", DeltaKind, coll + "\x90\x90\x91\x92\xa1\xff\x90\xc0"},
		{"delta: order is a map", DeltaKind, coll + "\x90\x90\x90\x80"},
		{"delta: order element a string", DeltaKind, coll + "\x90\x90\x90\x91\xa0"},
		{"delta: order missing", DeltaKind, coll + "\x90\x90\x90"},
	}
	for _, bad := range []string{"", "01", "+1", "-", "1.", ".5", "1e", "1e+", "--1", "0x10", "NaN", "Infinity", " 1", "1 ", "1\x00", "١"} {
		tests = append(tests, struct {
			name string
			kind Kind
			body string
		}{"number literal " + strings.ToValidUTF8(bad, "?"), Full, fullHd + "\xc7" + string(rune(len(bad))) + "\x01" + bad})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(rawFrame(tt.kind, []byte(tt.body)))
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decode: %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestLenientEncodings pins what decoders accept beyond what encoders write:
// any msgpack integer width, and canonical integers sent as literals.
func TestLenientEncodings(t *testing.T) {
	tests := []struct {
		name  string
		value string // msgpack
		want  string // canonical JSON
	}{
		{"fixint", "\x05", "5"},
		{"uint8", "\xcc\x05", "5"},
		{"uint64", "\xcf\x00\x00\x00\x00\x00\x00\x00\x05", "5"},
		{"int64", "\xd3\xff\xff\xff\xff\xff\xff\xff\xff", "-1"},
		{"uint64 max", "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", "18446744073709551615"},
		{"literal 5", "\xd4\x01\x35", "5"},
		{"literal 1.0", "\xd6\x01" + "1.00", "1.00"},
		{"literal in ext8", "\xc7\x03\x01" + "1e9", "1e9"},
		{"str8", "\xd9\x01a", `"a"`},
		{"hex string", "\xd5\x02\x0a\xbc", `"0abc"`},
		{"short hex string", "\xd4\x02\xff", `"ff"`},
		{"empty hex string", "\xc7\x00\x02", `""`},
		{"prefixed hex string", "\xd6\x03\x02v-\x01", `"v-01"`},
		{"prefixed hex string, empty prefix", "\xd5\x03\x00\x01", `"01"`},
		{"prefixed hex string, no digits", "\xd5\x03\x01a", `"a"`},
		{"array16", "\xdc\x00\x01\xc3", "[true]"},
		{"map16", "\xde\x00\x01\xa1b\xc2", `{"b":false}`},
		{"map out of order", "\x82\xa1b\x01\xa1a\x02", `{"a":2,"b":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := mustParse(t, tt.want)
			body := "\x92\xcf" + string(be64(want.Hash())) + tt.value
			f, err := Decode(rawFrame(Full, []byte(body)))
			if err != nil {
				t.Fatal(err)
			}
			sameSnapshot(t, f.Snapshot, want)
		})
	}
}

func be64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (56 - 8*i))
	}
	return b
}

// TestInvalidUTF8Path checks that a set edit cannot create an object member
// whose name is not UTF-8, even when the frame names the resulting root.
func TestInvalidUTF8Path(t *testing.T) {
	base := mustParse(t, `{"a":1}`)
	two := mustParse(t, `2`).Root()
	bad := base.Root().WithMember("\xff", two)
	d := &delta.Delta{Base: base.Hash(), Target: bad.Hash(), Edits: []delta.Edit{{Kind: delta.Set, Path: []string{"\xff"}, Value: two}}}
	frame, err := EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := defaultDecoder.Apply(base, frame)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Apply = %q, %v; want ErrCorrupt", canonOrNil(got), err)
	}
}

func canonOrNil(s *snapshot.Snapshot) string {
	if s == nil {
		return "<nil>"
	}
	return canon(s)
}

// flipFrames returns a few valid frames with their base and the snapshot
// they rebuild.
func flipFrames(t *testing.T) []struct {
	name       string
	base, next *snapshot.Snapshot
	frame      []byte
} {
	a := mustParse(t, dockerDoc(3, 1))
	b := mustParse(t, strings.Replace(dockerDoc(4, 2), `"NCPU":8`, `"NCPU":8,"x":[1.0,-0,1e400,"~/"]`, 1))
	small := mustParse(t, `{"a":1,"b":[{"id":"x","v":true}],"n":1.5}`)
	small2 := mustParse(t, `{"a":2,"b":[{"id":"y"},{"id":"x","v":false}],"n":-7}`)
	out := []struct {
		name       string
		base, next *snapshot.Snapshot
		frame      []byte
	}{
		{"raw delta", small, small2, mustEncodeDelta(t, small, small2)},
		{"raw full", nil, small2, mustEncodeFull(t, small2)},
		{"zstd full", nil, b, mustEncodeFull(t, b)},
		{"docker delta", a, b, mustEncodeDelta(t, a, b)},
		{"no change", a, a, mustEncodeDelta(t, a, a)},
	}
	for _, f := range out {
		got, err := defaultDecoder.Apply(f.base, f.frame)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		sameSnapshot(t, got, f.next)
	}
	return out
}

// TestBitFlips flips every bit of a few frames: each damaged frame must be
// refused with a sentinel error or rebuild exactly the right snapshot.
func TestBitFlips(t *testing.T) {
	for _, f := range flipFrames(t) {
		t.Run(f.name, func(t *testing.T) {
			refused := 0
			buf := make([]byte, len(f.frame))
			for i := range len(f.frame) * 8 {
				copy(buf, f.frame)
				buf[i/8] ^= 1 << (i % 8)
				got, err := defaultDecoder.Apply(f.base, buf)
				if err != nil {
					if !isSentinel(err) {
						t.Fatalf("bit %d: error matches no sentinel: %v", i, err)
					}
					refused++
					continue
				}
				if !got.Equal(f.next) || got.Hash() != f.next.Hash() {
					t.Fatalf("bit %d: rebuilt a wrong snapshot %.200s", i, canon(got))
				}
			}
			t.Logf("%d of %d flips refused", refused, len(f.frame)*8)
		})
	}
}

// TestTruncations cuts a few frames at every length: each cut frame must be
// refused with a sentinel error.
func TestTruncations(t *testing.T) {
	for _, f := range flipFrames(t) {
		t.Run(f.name, func(t *testing.T) {
			for n := range len(f.frame) {
				got, err := defaultDecoder.Apply(f.base, f.frame[:n:n])
				if err == nil {
					t.Fatalf("frame cut to %d of %d bytes was accepted: %.200s", n, len(f.frame), canon(got))
				}
				if !isSentinel(err) {
					t.Fatalf("cut to %d bytes: error matches no sentinel: %v", n, err)
				}
			}
		})
	}
}

// TestDepthAcrossFrames checks that deltas cannot nest a snapshot deeper
// than the depth limit by setting values deep inside it: a value's depth
// counts from the place it lands, so every snapshot rebuilt from accepted
// frames can itself be sent as a full frame.
func TestDepthAcrossFrames(t *testing.T) {
	const limit = 30
	dec, err := NewDecoder(WithMaxDepth(limit))
	if err != nil {
		t.Fatal(err)
	}
	// A base nesting 20 objects, a collection at depth 20 holding a
	// positional array.
	base := mustParse(t, strings.Repeat(`{"k":`, 20)+`{"c":[{"id":"x","l":[1,2,3,4,5,6,7,8,9,10,11,12]}]}`+strings.Repeat(`}`, 20))
	tests := []struct {
		name  string
		next  func(v string) string
		limit int // deepest nesting the result reaches for v of n levels: limit+n
	}{
		{"set", func(v string) string {
			return strings.Repeat(`{"k":`, 20) + `{"c":[{"id":"x","l":[1,2,3,4,5,6,7,8,9,10,11,12]}],"v":` + v + `}` + strings.Repeat(`}`, 20)
		}, 21},
		{"put", func(v string) string {
			return strings.Repeat(`{"k":`, 20) + `{"c":[{"id":"x","l":[1,2,3,4,5,6,7,8,9,10,11,12]},{"id":"y","v":` + v + `}]}` + strings.Repeat(`}`, 20)
		}, 23},
		{"operation", func(v string) string {
			return strings.Repeat(`{"k":`, 20) + `{"c":[{"id":"x","l":[1,2,3,4,5,6,7,8,9,10,11,` + v + `]}]}` + strings.Repeat(`}`, 20)
		}, 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fits := limit - tt.limit
			for _, n := range []int{fits, fits + 1} {
				next := mustParse(t, tt.next(nested(n, false)))
				frame := mustEncodeDelta(t, base, next)
				got, err := dec.Apply(base, frame)
				if n == fits {
					if err != nil {
						t.Fatalf("result nesting %d levels, limit %d: %v", depth(next.Root()), limit, err)
					}
					sameSnapshot(t, got, next)
					if d := depth(got.Root()); d != limit {
						t.Fatalf("result nests %d levels, the test meant %d", d, limit)
					}
					// What was accepted can be sent whole.
					if _, err := dec.Decode(mustEncodeFull(t, got)); err != nil {
						t.Fatalf("full frame of the result: %v", err)
					}
					continue
				}
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("result nesting %d levels, limit %d: %v, want ErrTooLarge", depth(next.Root()), limit, err)
				}
			}
		})
	}
}
