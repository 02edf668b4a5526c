package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
)

// memCap is the most any single hostile frame may make the server allocate.
const memCap = 256 << 20

// rleBomb returns a zstd frame of RLE blocks, each 4 bytes long and
// inflating to 128 KiB of zeros: the highest ratio zstd allows (32768:1).
// The frame header declares a 1 MiB window and no content size, so only
// decoding finds out how large it is.
func rleBomb(size int64) []byte {
	const block = 128 << 10
	b := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 10 << 3} // magic, no FCS, window 2^(10+10)
	for n := size / block; n > 0; n-- {
		h := uint32(block)<<3 | 1<<1 // RLE block of 128 KiB
		if n == 1 {
			h |= 1 // last block
		}
		b = append(b, byte(h), byte(h>>8), byte(h>>16), 0)
	}
	return b
}

// TestRLEBombInflates proves the bomb is what it claims to be.
func TestRLEBombInflates(t *testing.T) {
	bomb := rleBomb(8 << 20)
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out, err := d.DecodeAll(bomb, nil)
	if err != nil || len(out) != 8<<20 || bytes.Count(out, []byte{0}) != len(out) {
		t.Fatalf("bomb of %d bytes inflated to %d bytes, %v", len(bomb), len(out), err)
	}
}

// TestZstdBomb sends frames whose zstd body inflates to 4 GiB (128 KiB on
// the wire), the header lying about the size in every way, to every entry
// point: each must refuse it as too large without inflating it.
func TestZstdBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("a 128 KiB bomb through every entry point")
	}
	bomb := rleBomb(4 << 30)
	eps := entryPoints(t, mustParse(t, pollJSON(0)))
	for _, claim := range []uint64{0, 100, 1 << 20, codec.DefaultMaxDecodedSize, 4 << 30} {
		for _, kind := range []byte{kindFull, kindDelta} {
			if kind == kindDelta && claim == codec.DefaultMaxDecodedSize {
				continue // the same 64 MiB of work as the full frame's
			}
			frame := append(header(kind, compZstd, claim), magicless(bomb)...)
			name := fmt.Sprintf("%d-byte bomb, kind %d, claiming %d bytes", len(frame), kind, claim)
			refusedEverywhere(t, eps, name, frame, memCap*5/8, codec.ErrTooLarge)
		}
	}
}

// TestZstdClaim sends tiny zstd frames whose header claims a body of up to
// the decoder's limit: the decoder may not reserve more than the payload
// could possibly inflate to (a few KiB here), whatever the header says.
func TestZstdClaim(t *testing.T) {
	body := []byte("\x92\x00\xc0") // [0, null]: a full frame naming the wrong root
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	payload := magicless(enc.EncodeAll(body, nil))
	eps := entryPoints(t, mustParse(t, pollJSON(0)))
	for _, claim := range []uint64{1 << 20, 16 << 20, codec.DefaultMaxDecodedSize} {
		frame := append(header(kindFull, compZstd, claim), payload...)
		name := fmt.Sprintf("%d-byte frame claiming %d bytes", len(frame), claim)
		refusedEverywhere(t, eps, name, frame, 1<<20, codec.ErrCorrupt)
	}
}

// Pieces of hand-written msgpack bodies (docs/wire-format.md).
const (
	hash8   = "\xcf\x00\x00\x00\x00\x00\x00\x00\x01" // a root hash
	fullHd  = "\x92" + hash8                         // [root, value...
	deltaHd = "\x93" + hash8 + hash8                 // [base, target, edits...
	oneEdit = deltaHd + "\x91"                       // ...[edit]
	setEdit = oneEdit + "\x93\x01\x90"               // [set, [], value...
	opsEdit = oneEdit + "\x93\x03\x90"               // [patch, [], ops...
	collHd  = oneEdit + "\x93\x04\x90"               // [collection, [], c...
	coll    = collHd + "\x95\xa2id"                  // ["id", remove, put, patch, order]

	array32 = "\xdd\x7f\xff\xff\xff" // 2^31-1 elements
	map32   = "\xdf\x7f\xff\xff\xff" // 2^31-1 members
	str32   = "\xdb\x7f\xff\xff\xff"
	bin32   = "\xc6\x7f\xff\xff\xff"
	ext32   = "\xc9\x7f\xff\xff\xff\x01"
)

// bombBodies returns msgpack bodies that claim 2^31-1 elements, members or
// bytes at each place a frame holds a length.
func bombBodies() map[string]struct {
	kind byte
	body string
} {
	type b = struct {
		kind byte
		body string
	}
	out := map[string]b{
		"full envelope array32":     {kindFull, array32},
		"full envelope map32":       {kindFull, map32},
		"delta envelope array32":    {kindDelta, array32},
		"delta edits array32":       {kindDelta, deltaHd + array32},
		"delta edits map32":         {kindDelta, deltaHd + map32},
		"edit array32":              {kindDelta, oneEdit + array32},
		"edit path array32":         {kindDelta, oneEdit + "\x93\x01" + array32},
		"operations array32":        {kindDelta, opsEdit + array32},
		"operation array32":         {kindDelta, opsEdit + "\x91" + array32},
		"collection array32":        {kindDelta, collHd + array32},
		"removed items array32":     {kindDelta, coll + array32},
		"put items array32":         {kindDelta, coll + "\x90" + array32},
		"put item array32":          {kindDelta, coll + "\x90\x91" + array32},
		"patched items array32":     {kindDelta, coll + "\x90\x90" + array32},
		"order array32":             {kindDelta, coll + "\x90\x90\x90" + array32},
		"order map32":               {kindDelta, coll + "\x90\x90\x90" + map32},
		"collection rule str32":     {kindDelta, collHd + "\x95" + str32},
		"operation path str32":      {kindDelta, opsEdit + "\x91\x93\x01" + str32},
		"full root hash as array32": {kindFull, "\x92" + array32},
	}
	values := map[string]string{
		"array32": array32, "map32": map32, "str32": str32, "bin32": bin32, "ext32": ext32,
		"nested array32": "\x91" + array32, "member map32": "\x81\xa1k" + map32, "key str32": "\x81" + str32,
	}
	places := map[string]struct {
		kind byte
		pre  string
	}{
		"full value":      {kindFull, fullHd},
		"set value":       {kindDelta, setEdit},
		"operation value": {kindDelta, opsEdit + "\x91\x93\x01\xa0"},
		"put value":       {kindDelta, coll + "\x90\x91\x93\xa1a\x00"},
	}
	for pn, p := range places {
		for vn, v := range values {
			out[pn+" "+vn] = b{p.kind, p.pre + v}
		}
	}
	return out
}

// TestLengthBombs puts msgpack headers claiming 2^31-1 elements inside a
// valid frame header, raw and zstd-compressed, at every place a frame holds
// a length, and feeds them to every entry point. Each is refused as corrupt
// before anything of the claimed size is allocated; a padding of 64 KiB
// after the claim must not change that.
func TestLengthBombs(t *testing.T) {
	eps := entryPoints(t, mustParse(t, pollJSON(0)))
	pad := strings.Repeat("\xc0", 64<<10)
	for name, b := range bombBodies() {
		for _, body := range []string{b.body, b.body + pad} {
			n := fmt.Sprintf("%s (%d bytes)", name, len(body))
			refusedEverywhere(t, eps, n+", raw", rawFrame(b.kind, []byte(body)), 1<<20, codec.ErrCorrupt)
			refusedEverywhere(t, eps, n+", zstd", zstdFrame(t, b.kind, []byte(body)), 1<<20, codec.ErrCorrupt)
		}
	}
}

// TestDeepNesting sends values nesting a million arrays or maps deep, in a
// full frame and in every place a delta carries a value: refused as too
// large at the depth limit, without exhausting the stack or reading on.
func TestDeepNesting(t *testing.T) {
	eps := entryPoints(t, mustParse(t, pollJSON(0)))
	for _, open := range []string{"\x91", "\x81\xa0", "\xdc\x00\x01", "\xde\x00\x01\xa1k"} {
		deep := strings.Repeat(open, 1<<20/len(open)) + "\xc0"
		for _, place := range []struct {
			name string
			kind byte
			pre  string
		}{
			{"full value", kindFull, fullHd},
			{"set value", kindDelta, setEdit},
			{"operation value", kindDelta, opsEdit + "\x91\x93\x01\xa0"},
			{"put value", kindDelta, coll + "\x90\x91\x93\xa1a\x00"},
		} {
			body := []byte(place.pre + deep)
			name := fmt.Sprintf("%s nesting % x", place.name, open)
			// The raw frame is 1 MiB; reading it is the floor.
			refusedEverywhere(t, eps, name+", raw", rawFrame(place.kind, body), 8<<20, codec.ErrTooLarge)
			refusedEverywhere(t, eps, name+", zstd", zstdFrame(t, place.kind, body), 8<<20, codec.ErrTooLarge)
		}
	}
}

// TestUnknownExtensions sends msgpack extension types other than the
// number literal (type 1) and hex strings (types 2 and 3), the number
// extension holding something that is not a number, and malformed hex
// strings, wherever a value goes.
func TestUnknownExtensions(t *testing.T) {
	eps := entryPoints(t, mustParse(t, pollJSON(0)))
	exts := map[string]string{
		"fixext1 type 4":         "\xd4\x04\x31",
		"hex ext16, 64K says":    "\xc8\xff\xff\x02\x31",
		"prefixed hex, empty":    "\xc7\x00\x03",
		"prefixed hex, long n":   "\xd5\x03\x05a",
		"prefixed hex, bad UTF8": "\xd5\x03\x01\xff",
		"fixext1 type 127":       "\xd4\x7f\x31",
		"fixext1 type -128":      "\xd4\x80\x31",
		"timestamp (type -1)":    "\xd6\xff\x00\x00\x00\x00",
		"ext8 type 0":            "\xc7\x01\x00\x31",
		"ext16 type 5":           "\xc8\x00\x01\x05\x31",
		"number ext, not a num":  "\xd4\x01\x78",
		"number ext, empty":      "\xc7\x00\x01",
		"number ext, NaN":        "\xc7\x03\x01NaN",
		"number ext, bad UTF-8":  "\xc7\x02\x01\xff\xfe",
		"number ext, truncated":  "\xc7\x05\x01\x31",
		"number ext16, 64K says": "\xc8\xff\xff\x01\x31",
	}
	for name, ext := range exts {
		for _, place := range []struct {
			name string
			kind byte
			pre  string
		}{
			{"full value", kindFull, fullHd},
			{"full array element", kindFull, fullHd + "\x91"},
			{"set value", kindDelta, setEdit},
			{"operation value", kindDelta, opsEdit + "\x91\x93\x01\xa0"},
			{"put value", kindDelta, coll + "\x90\x91\x93\xa1a\x00"},
		} {
			n := place.name + " " + name
			refusedEverywhere(t, eps, n, rawFrame(place.kind, []byte(place.pre+ext)), 1<<20, codec.ErrCorrupt)
		}
	}
}

// TestTrailingBytes appends bytes after a valid body, after a valid zstd
// stream and past the body size the header names; and shortens the frame
// below what its header claims. All are refused, and a frame whose header
// claims far more than it carries is refused before anything of the
// claimed size is allocated.
func TestTrailingBytes(t *testing.T) {
	base := mustParse(t, pollJSON(0))
	next := mustParse(t, pollJSON(1))
	eps := entryPoints(t, base)
	small := mustParse(t, `{"a":[1,2,3]}`)
	raw := mustFullFrame(t, small)
	hr, err := codec.ParseHeader(raw)
	if err != nil || hr.Compression != codec.None {
		t.Fatalf("want a raw full frame: %+v %v", hr, err)
	}
	body := raw[hr.HeaderSize:]
	zs := formatFrame(t, 4, nil, next)
	hz, err := codec.ParseHeader(zs)
	if err != nil || hz.Compression != codec.Zstd {
		t.Fatalf("want a zstd full frame: %+v %v", hz, err)
	}
	zpayload := zs[hz.HeaderSize:]
	zb := mustFullFrame(t, next)
	hb, err := codec.ParseHeader(zb)
	if err != nil || hb.Compression != codec.ZstdBlock {
		t.Fatalf("want a zstd block full frame: %+v %v", hb, err)
	}
	bpayload := zb[hb.HeaderSize:]
	d, err := delta.Diff(base, next)
	if err != nil {
		t.Fatal(err)
	}
	df, err := codec.EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"msgpack after the body":                      rawFrame(kindFull, append(bytes.Clone(body), 0xc0)),
		"a second body":                               rawFrame(kindFull, append(bytes.Clone(body), body...)),
		"bytes after the raw body":                    append(bytes.Clone(raw), 0x00),
		"bytes after the zstd stream":                 append(bytes.Clone(zs), 0x00, 0x01, 0x02),
		"a second zstd frame":                         append(bytes.Clone(zs), zpayload...),
		"bytes after the zstd block":                  append(bytes.Clone(zb), 0x00, 0x01, 0x02),
		"a second zstd block":                         append(bytes.Clone(zb), bpayload...),
		"a zstd block for a body one byte longer":     append(sameHeader(zb, compBlock, hb.BodySize+1), bpayload...),
		"a zstd block for a body one byte shorter":    append(sameHeader(zb, compBlock, hb.BodySize-1), bpayload...),
		"header claims 2^64-1, zstd block":            append(sameHeader(zb, compBlock, 1<<64-1), bpayload...),
		"a zstd frame as a zstd block":                append(sameHeader(zb, compBlock, hz.BodySize), zpayload...),
		"a zstd block as a zstd frame":                append(sameHeader(zb, compZstd, hb.BodySize), bpayload...),
		"bytes after the delta":                       append(bytes.Clone(df), 0x90),
		"a frame after the frame":                     append(bytes.Clone(raw), raw...),
		"header claims 64 MiB, raw":                   append(header(kindFull, compNone, codec.DefaultMaxDecodedSize), body...),
		"header claims 2^63, raw":                     append(header(kindFull, compNone, 1<<63), body...),
		"header claims 2^64-1, zstd":                  append(header(kindFull, compZstd, 1<<64-1), zpayload...),
		"header claims one byte more":                 append(header(kindFull, compNone, uint64(len(body)+1)), body...),
		"header claims one byte less":                 append(header(kindFull, compNone, uint64(len(body)-1)), body...),
		"dictionary id past uint64":                   append([]byte("SD\x02\x00"), bytes.Repeat([]byte{0xff}, 11)...),
		"escaped dictionary id past uint64, format 4": append([]byte("SD\x04\xf0"), bytes.Repeat([]byte{0xff}, 11)...),
		"body size varint of 11 bytes":                append([]byte("SD\x02\x00\x00"), bytes.Repeat([]byte{0x80}, 10)...),
	}
	for name, frame := range cases {
		refusedEverywhere(t, eps, name, frame, 1<<20, codec.ErrCorrupt, codec.ErrTooLarge, codec.ErrVersion)
	}
}

// TestCopyAmplification sends delta frames of a few hundred bytes whose
// copy operations, split into many runs (a scalar transform ends a run of
// RFC 6902 operations, and every edit, item patch and item built from a
// base item is a patch of its own), duplicate a value over and over. The
// copy budget bounds the whole delta, not each run: the frame is refused,
// and what it costs does not grow with the number of runs. (Each run had
// a budget of its own before: a 150-byte frame cost 5 GiB.)
func TestCopyAmplification(t *testing.T) {
	base := mustParse(t, `{"a":{"x":[0,0,0,0,0,0,0,0],"n":0},"c":[{"id":"1","x":[0,0,0,0,0,0,0,0],"n":0},{"id":"2"}]}`)
	dec, err := codec.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	// ops doubles x twelve times (32768 values), then copies it whole to a
	// new member in each of runs runs, an increment ending each run.
	ops := func(runs int) []delta.Op {
		var ops []delta.Op
		for range 12 {
			ops = append(ops, delta.Op{Kind: delta.OpCopy, From: "/x", Path: "/x/-"})
		}
		for r := range runs {
			ops = append(ops,
				delta.Op{Kind: delta.OpIncrement, Path: "/n", Int: 1},
				delta.Op{Kind: delta.OpCopy, From: "/x", Path: fmt.Sprintf("/y%d", r)})
		}
		return ops
	}
	const runs = 64 // 2M values copied with a budget per run
	frames := map[string]*delta.Delta{
		"runs of one patch edit": {Base: base.Hash(), Target: 1, Edits: []delta.Edit{{Kind: delta.Patch, Path: []string{"a"}, Ops: ops(runs)}}},
	}
	patches, puts := &delta.CollectionEdit{Rule: "id"}, &delta.CollectionEdit{Rule: "id"}
	for i := range runs {
		patches.Patch = append(patches.Patch, delta.ItemPatch{At: 0, ByPos: true, Ops: ops(1)})
		puts.Put = append(puts.Put, delta.Item{Index: 2 + i, From: 0, HasFrom: true, Ops: ops(1)})
	}
	frames["patches of one item"] = &delta.Delta{Base: base.Hash(), Target: 1, Edits: []delta.Edit{{Kind: delta.Keyed, Path: []string{"c"}, Collection: patches}}}
	frames["items built from a base item"] = &delta.Delta{Base: base.Hash(), Target: 1, Edits: []delta.Edit{{Kind: delta.Keyed, Path: []string{"c"}, Collection: puts}}}
	for name, d := range frames {
		frame, err := codec.EncodeDelta(d)
		if err != nil {
			t.Fatal(err)
		}
		var aerr error
		total, _ := memUse(func() { _, aerr = dec.Apply(base, frame) })
		// Copies share nodes, so the doubling costs nothing and the frame
		// is refused for its false target root; a copy budget, where one
		// applies, refuses it as corrupt. Either way: refused, and cheap.
		if !errors.Is(aerr, codec.ErrCorrupt) && !errors.Is(aerr, codec.ErrVerify) {
			t.Errorf("%s: %v, want ErrCorrupt or ErrVerify", name, aerr)
		}
		t.Logf("%s: %d-byte frame: %d MiB allocated: %v", name, len(frame), total>>20, aerr)
		if total > memCap/2 {
			t.Errorf("%s: a %d-byte frame allocated %d MiB", name, len(frame), total>>20)
		}
	}
}

// TestFallbackAmplification: "test", "move" and "copy" used to make
// delta.Apply convert the value they patch to Go values and back, with
// nothing bounding how often one delta did that: with a base of 200,000
// numbers (an 86-byte full frame), 16 items built from a base item with one
// "test" each, or 16 Patch edits of one path (a 60 to 120-byte delta), cost
// about 450 MiB. Every operation now runs on the node tree (test by hash,
// copy by sharing the node), so the same frames cost almost nothing.
func TestFallbackAmplification(t *testing.T) {
	big := "[" + strings.TrimSuffix(strings.Repeat("0,", 100_000), ",") + "]"
	base := mustParse(t, `{"c":[{"id":"0","x":`+big+`},{"id":"1"}],"a":{"x":`+big+`}}`)
	str0, zero := mustParse(t, `"0"`).Root(), mustParse(t, `0`).Root()
	const k = 16
	puts := &delta.CollectionEdit{Rule: "id"}
	var edits []delta.Edit
	for i := range k {
		puts.Put = append(puts.Put, delta.Item{Index: 2 + i, From: 0, HasFrom: true, Ops: []delta.Op{{Kind: delta.OpTest, Path: "/id", Value: str0}}})
		edits = append(edits, delta.Edit{Kind: delta.Patch, Path: []string{"a"}, Ops: []delta.Op{{Kind: delta.OpTest, Path: "/x/0", Value: zero}}})
	}
	dec := newDecoder(t)
	for name, d := range map[string]*delta.Delta{
		"items built from a base item": {Base: base.Hash(), Target: 1, Edits: []delta.Edit{{Kind: delta.Keyed, Path: []string{"c"}, Collection: puts}}},
		"patch edits on one path":      {Base: base.Hash(), Target: 1, Edits: edits},
	} {
		frame, err := codec.EncodeDelta(d)
		if err != nil {
			t.Fatal(err)
		}
		total, _ := memUse(func() { _, err = dec.Apply(base, frame) })
		t.Logf("%s: %d-byte frame: %d MiB allocated: %v", name, len(frame), total>>20, err)
		if total > memCap/2 {
			t.Errorf("%s: a %d-byte frame allocated %d MiB", name, len(frame), total>>20)
		}
	}
}
