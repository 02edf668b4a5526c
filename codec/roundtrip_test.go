package codec

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
)

// dockerDoc renders a small Docker-like snapshot: n containers whose status
// text depends on tick, and a few volumes.
func dockerDoc(n, tick int) string {
	var b strings.Builder
	b.WriteString(`{"info":{"Containers":`)
	fmt.Fprintf(&b, "%d", n)
	b.WriteString(`,"NCPU":8,"MemTotal":33554432000,"SystemTime":"2026-01-01T00:`)
	fmt.Fprintf(&b, "%02d", tick%60)
	b.WriteString(`:00Z"},"containers":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Id":"%064x","Names":["/svc-%d"],"Image":"nginx:1.27","State":"running","Status":"Up %d minutes","Ports":[{"PrivatePort":80,"Type":"tcp"}],"Labels":{"com.docker.compose.service":"svc-%d"}}`, i+1, i, tick+i, i)
	}
	b.WriteString(`],"volumes":[{"Name":"data","Driver":"local"},{"Name":"logs","Driver":"local"}]}`)
	return b.String()
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name       string
		base, next string
	}{
		{"no change", dockerDoc(3, 1), dockerDoc(3, 1)},
		{"status ticks", dockerDoc(5, 1), dockerDoc(5, 2)},
		{"container added", dockerDoc(3, 1), dockerDoc(4, 1)},
		{"container removed", dockerDoc(4, 1), dockerDoc(3, 1)},
		{"scalar root", `1`, `"two"`},
		{"type change", `{"a":[1,2]}`, `{"a":{"b":1}}`},
		{"member removed", `{"a":1,"b":2}`, `{"a":1}`},
		{"positional array", `{"a":[1,2,3,4,5,6,7,8]}`, `{"a":[1,2,3,4,5,6,7,9]}`},
		{"numbers keep their text", `{"n":[1,2]}`, `{"n":[1.0,1e400,12345678901234567890,-0,0.1,-9223372036854775808]}`},
		{"unicode", `{"s":"a"}`, `{"s":"héllo \u0000 \ud83d\ude00 \"q\""}`},
		{"reorder", `{"c":[{"id":"a"},{"id":"b"},{"id":"c"}]}`, `{"c":[{"id":"c"},{"id":"a"},{"id":"b"}]}`},
		{"empty to items", `{"c":[]}`, `{"c":[{"id":"a","v":1},{"id":"b","v":2}]}`},
		{"items to empty", `{"c":[{"id":"a","v":1},{"id":"b","v":2}]}`, `{"c":[]}`},
	}
	enc, err := NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, next := mustParse(t, tt.base), mustParse(t, tt.next)

			full, err := enc.AppendFull(nil, next)
			if err != nil {
				t.Fatal(err)
			}
			f, err := dec.Decode(full)
			if err != nil {
				t.Fatalf("Decode(full): %v", err)
			}
			if f.Header.Kind != Full || f.Root != next.Hash() || f.Delta != nil {
				t.Fatalf("full frame decoded as %+v", f)
			}
			sameSnapshot(t, f.Snapshot, next)
			got, err := dec.Apply(nil, full)
			if err != nil {
				t.Fatalf("Apply(nil, full): %v", err)
			}
			sameSnapshot(t, got, next)

			d := mustDiff(t, base, next)
			frame, err := enc.AppendDelta(nil, d)
			if err != nil {
				t.Fatal(err)
			}
			f, err = dec.Decode(frame)
			if err != nil {
				t.Fatalf("Decode(delta): %v", err)
			}
			if f.Header.Kind != DeltaKind || f.Snapshot != nil || !f.NamesBase(base.Hash()) || f.Delta.Target != next.Hash() {
				t.Fatalf("delta frame decoded as %+v", f)
			}
			if len(f.Delta.Edits) != len(d.Edits) {
				t.Fatalf("decoded %d edits, encoded %d", len(f.Delta.Edits), len(d.Edits))
			}
			got, err = f.Apply(base)
			if err != nil {
				t.Fatalf("Frame.Apply(base): %v", err)
			}
			sameSnapshot(t, got, next)
			// The decoded delta, once applied, encodes to the same bytes:
			// nothing was lost.
			again, err := enc.AppendDelta(nil, f.Delta)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, frame) {
				t.Fatalf("re-encoded delta differs:\n% x\n% x", again, frame)
			}
			got, err = dec.Apply(base, frame)
			if err != nil {
				t.Fatalf("Apply(base, delta): %v", err)
			}
			sameSnapshot(t, got, next)
			if string(got.MarshalCanonical()) != string(next.MarshalCanonical()) {
				t.Fatalf("canonical JSON differs")
			}
		})
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	s := mustParse(t, dockerDoc(2, 1))
	prefix := []byte("prefix")
	enc, err := NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	out, err := enc.AppendFull(bytes.Clone(prefix), s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, prefix) {
		t.Fatalf("AppendFull lost the prefix: %q", out[:10])
	}
	got, err := Decode(out[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got.Snapshot, s)
	out, err = enc.AppendDelta(bytes.Clone(prefix), mustDiff(t, s, s))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, prefix) {
		t.Fatalf("AppendDelta lost the prefix: %q", out[:10])
	}
}

func TestNoChangeFrameIsSmall(t *testing.T) {
	s := mustParse(t, dockerDoc(50, 7))
	frame := mustEncodeDelta(t, s, mustParse(t, dockerDoc(50, 7)))
	if len(frame) > 32 {
		t.Fatalf("no-change delta frame is %d bytes, want at most 32: % x", len(frame), frame)
	}
	h, err := ParseHeader(frame)
	if err != nil {
		t.Fatal(err)
	}
	if h.Compression != None {
		t.Errorf("no-change frame compressed with %s; raw is smaller", h.Compression)
	}
	got, err := Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Delta.Empty() {
		t.Errorf("no-change frame decodes to a non-empty delta: %+v", got.Delta)
	}
}

// TestCompressionChoice checks that the encoder sends whichever of the raw
// and the zstd body makes the shorter frame.
func TestCompressionChoice(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want Compression
	}{
		{"tiny document stays raw", `{"a":1}`, None},
		{"incompressible strings stay raw", `{"k":"q8Zx1pW3"}`, None},
		{"repetitive document is compressed", dockerDoc(40, 3), ZstdBlock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.doc)
			frame := mustEncodeFull(t, s)
			h, err := ParseHeader(frame)
			if err != nil {
				t.Fatal(err)
			}
			if h.Compression != tt.want {
				t.Fatalf("compression %s, want %s", h.Compression, tt.want)
			}
			// Whatever was chosen, the other choice would not be shorter.
			body := frame[h.HeaderSize:]
			if h.Compression != None {
				raw, err := zstd.NewReader(nil, zstd.WithDecoderDictRaw(0, dictionaries[h.Dictionary].zstd))
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				body, err = raw.DecodeAll(appendBlockFrame(nil, body, h.BodySize), nil)
				if err != nil {
					t.Fatal(err)
				}
				if rawLen := len(rawFrame(Full, body)); rawLen < len(frame) {
					t.Fatalf("zstd frame of %d bytes, raw would be %d", len(frame), rawLen)
				}
			} else {
				if uint64(len(body)) != h.BodySize {
					t.Fatalf("raw body of %d bytes, header says %d", len(body), h.BodySize)
				}
				z, err := zstd.NewWriter(nil, zstd.WithEncoderCRC(false))
				if err != nil {
					t.Fatal(err)
				}
				defer z.Close()
				zl := len(zstdFrame(Version, Full, uint64(len(body)), z.EncodeAll(body, nil)))
				if zl < len(frame) {
					t.Fatalf("raw frame of %d bytes, zstd would be %d", len(frame), zl)
				}
			}
			got, err := Decode(frame)
			if err != nil {
				t.Fatal(err)
			}
			sameSnapshot(t, got.Snapshot, s)
		})
	}
}

func TestWrongBase(t *testing.T) {
	a, b, c := mustParse(t, dockerDoc(3, 1)), mustParse(t, dockerDoc(3, 2)), mustParse(t, dockerDoc(3, 9))
	frame := mustEncodeDelta(t, a, b)
	if _, err := Decode(frame); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if _, err := defaultDecoder.Apply(c, frame); !errors.Is(err, ErrUnknownBase) {
		t.Fatalf("Apply to the wrong base: %v, want ErrUnknownBase", err)
	}
	if _, err := defaultDecoder.Apply(nil, frame); !errors.Is(err, ErrUnknownBase) {
		t.Fatalf("Apply to no base: %v, want ErrUnknownBase", err)
	}
	// A no-change frame names its base too.
	same := mustEncodeDelta(t, a, a)
	if _, err := defaultDecoder.Apply(b, same); !errors.Is(err, ErrUnknownBase) {
		t.Fatalf("no-change frame applied to the wrong base: %v, want ErrUnknownBase", err)
	}
}

func TestTamperedTargetRoot(t *testing.T) {
	a, b := mustParse(t, dockerDoc(3, 1)), mustParse(t, dockerDoc(3, 2))
	d := mustDiff(t, a, b)
	d.Target ^= 1
	frame, err := EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := defaultDecoder.Apply(a, frame); !errors.Is(err, ErrVerify) {
		t.Fatalf("Apply with a tampered target: %v, want ErrVerify", err)
	}

	// A full frame naming another root than its content's.
	s := mustParse(t, `{"a":1}`)
	full := mustEncodeFull(t, s)
	h, err := ParseHeader(full)
	if err != nil {
		t.Fatal(err)
	}
	if h.Compression != None {
		t.Fatalf("test needs a raw frame")
	}
	// Body: 0x92 0xcf <8 bytes root> value; flip a bit of the root.
	full[h.HeaderSize+2] ^= 0x40
	if _, err := Decode(full); !errors.Is(err, ErrVerify) {
		t.Fatalf("Decode of a full frame with a tampered root: %v, want ErrVerify", err)
	}
}

func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  DecoderOption
		ok   bool
	}{
		{"max size 0", WithMaxDecodedSize(0), false},
		{"max size -1", WithMaxDecodedSize(-1), false},
		{"max size 1", WithMaxDecodedSize(1), true},
		{"max depth 0", WithMaxDepth(0), false},
		{"max depth 1", WithMaxDepth(1), true},
		{"max items 0", WithMaxItems(0), false},
		{"max items -5", WithMaxItems(-5), false},
		{"max items 1", WithMaxItems(1), true},
		{"nil config", WithConfig(nil), false},
		{"default config", WithConfig(snapshot.DefaultConfig()), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDecoder(tt.opt)
			if tt.ok != (err == nil) || tt.ok != (d != nil) {
				t.Fatalf("NewDecoder = %v, %v; want ok=%v", d, err, tt.ok)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidOption) {
				t.Fatalf("NewDecoder: %v, want ErrInvalidOption", err)
			}
		})
	}
	for _, tt := range []struct {
		name string
		l    zstd.EncoderLevel
		ok   bool
	}{
		{"level 0", 0, false},
		{"fastest", zstd.SpeedFastest, true},
		{"best", zstd.SpeedBestCompression, true},
		{"past best", zstd.SpeedBestCompression + 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewEncoder(WithLevel(tt.l))
			if tt.ok != (err == nil) || tt.ok != (e != nil) {
				t.Fatalf("NewEncoder = %v, %v; want ok=%v", e, err, tt.ok)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidOption) {
				t.Fatalf("NewEncoder: %v, want ErrInvalidOption", err)
			}
		})
	}
}

// TestWithConfig checks that full frames are rebuilt with the decoder's
// identity rules.
func TestWithConfig(t *testing.T) {
	s := mustParse(t, `{"c":[{"key":"a"},{"key":"b"}]}`)
	cfg, err := snapshot.NewConfig(snapshot.WithRules("key"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDecoder(WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Apply(nil, mustEncodeFull(t, s))
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got, s)
	if got.Config() != cfg {
		t.Fatalf("snapshot built with another config")
	}
	c, _ := got.Root().Get("c")
	if c.Collection() == nil || c.Collection().Rule().String() != "key" {
		t.Fatalf("array not keyed by the decoder's rule")
	}
}

func TestEncodeRefusesInvalidInput(t *testing.T) {
	v := mustParse(t, `1`).Root()
	tests := []struct {
		name string
		d    *delta.Delta
	}{
		{"nil delta", nil},
		{"set without value", &delta.Delta{Edits: []delta.Edit{{Kind: delta.Set, Path: []string{"a"}}}}},
		{"unknown edit kind", &delta.Delta{Edits: []delta.Edit{{Kind: 9}}}},
		{"collection without content", &delta.Delta{Edits: []delta.Edit{{Kind: delta.Keyed}}}},
		{"put without value", &delta.Delta{Edits: []delta.Edit{{Kind: delta.Keyed, Collection: &delta.CollectionEdit{Rule: "id", Put: []delta.Item{{Key: "a"}}}}}}},
		{"add without value", &delta.Delta{Edits: []delta.Edit{{Kind: delta.Patch, Ops: []delta.Op{{Kind: delta.OpAdd, Path: "/a"}}}}}},
		{"unknown op", &delta.Delta{Edits: []delta.Edit{{Kind: delta.Patch, Ops: []delta.Op{{Kind: 99, Path: "/a", Value: v}}}}}},
		{"unknown op in item patch", &delta.Delta{Edits: []delta.Edit{{Kind: delta.Keyed, Collection: &delta.CollectionEdit{Rule: "id", Patch: []delta.ItemPatch{{Key: "a", Ops: []delta.Op{{Kind: 0}}}}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f, err := EncodeDelta(tt.d); err == nil {
				t.Fatalf("EncodeDelta = % x, want an error", f)
			}
		})
	}
	if f, err := EncodeFull(nil); err == nil {
		t.Fatalf("EncodeFull(nil) = % x, want an error", f)
	}
}

// TestConcurrentUse shares one Encoder and one Decoder between goroutines;
// run with -race.
func TestConcurrentUse(t *testing.T) {
	enc, err := NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	const workers = 8
	snaps := make([]*snapshot.Snapshot, 6)
	for i := range snaps {
		snaps[i] = mustParse(t, dockerDoc(4+i%3, i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range 20 {
				base, next := snaps[(w+i)%len(snaps)], snaps[(w+i+1)%len(snaps)]
				d, err := delta.Diff(base, next)
				if err != nil {
					errs <- err
					return
				}
				var frame []byte
				if i%3 == 0 {
					frame, err = enc.AppendFull(nil, next)
				} else {
					frame, err = enc.AppendDelta(nil, d)
				}
				if err != nil {
					errs <- err
					return
				}
				got, err := dec.Apply(base, frame)
				if err != nil {
					errs <- err
					return
				}
				if !got.Equal(next) {
					errs <- fmt.Errorf("worker %d round %d: wrong snapshot", w, i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestZstdStreamsFromOtherWriters checks that a body compressed by another
// writer decodes: with a checksum, without a content size, split into
// several zstd frames, behind a skippable frame.
func TestZstdStreamsFromOtherWriters(t *testing.T) {
	s := mustParse(t, dockerDoc(6, 2))
	var body bytes.Buffer
	if err := writeFull(writer{Encoder: msgpack.NewEncoder(&body), dict: noDictionary}, s); err != nil {
		t.Fatal(err)
	}
	b := body.Bytes()
	withCRC, err := zstd.NewWriter(nil, zstd.WithEncoderCRC(true))
	if err != nil {
		t.Fatal(err)
	}
	defer withCRC.Close()
	stream := func(p []byte) []byte {
		var out bytes.Buffer
		w, err := zstd.NewWriter(&out, zstd.WithEncoderCRC(true))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(p); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	skippable := []byte{0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'x', 'y', 'z'}
	half := len(b) / 2
	payloads := map[string][]byte{
		"checksum":             withCRC.EncodeAll(b, nil),
		"streamed, no size":    stream(b),
		"two frames":           withCRC.EncodeAll(b[half:], withCRC.EncodeAll(b[:half], nil)),
		"after skippable":      append(bytes.Clone(skippable), withCRC.EncodeAll(b, nil)...),
		"skippable in between": append(append(withCRC.EncodeAll(b[:half], nil), skippable...), stream(b[half:])...),
	}
	for _, version := range []uint8{3, 4} {
		for name, p := range payloads {
			if version >= 4 && name == "after skippable" {
				continue // format 4 implies a zstd frame's magic number first
			}
			t.Run(fmt.Sprintf("v%d/%s", version, name), func(t *testing.T) {
				got, err := Decode(zstdFrame(version, Full, uint64(len(b)), p))
				if err != nil {
					t.Fatal(err)
				}
				sameSnapshot(t, got.Snapshot, s)
			})
		}
		// A checksum that does not match is corrupt.
		p := withCRC.EncodeAll(b, nil)
		p[len(p)-1] ^= 1
		if _, err := Decode(zstdFrame(version, Full, uint64(len(b)), p)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("format %d, bad zstd checksum: %v, want ErrCorrupt", version, err)
		}
	}
}

// TestAllOpKinds carries every RFC 6902 operation kind through a frame.
func TestAllOpKinds(t *testing.T) {
	base, d, next := allOpsDelta(t)
	frame, err := EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	ops := f.Delta.Edits[0].Ops
	if len(ops) != len(d.Edits[0].Ops) {
		t.Fatalf("decoded %d operations, want %d", len(ops), len(d.Edits[0].Ops))
	}
	for i, o := range ops {
		w := d.Edits[0].Ops[i]
		if o.Kind != w.Kind || o.Path != w.Path || o.From != w.From || (o.Value == nil) != (w.Value == nil) ||
			(o.Value != nil && !snapshot.Equal(o.Value, w.Value)) {
			t.Errorf("operation %d decoded as %+v, want %+v", i, o, w)
		}
	}
	got, err := defaultDecoder.Apply(base, frame)
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got, next)
}

// TestBodyWindow checks that a body larger than bodyWindow is compressed
// with that window, not zstd's default 8 MiB (which the encoder would hold
// between polls whatever the body's size).
func TestBodyWindow(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < 3*bodyWindow/2; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		// Upper-case hex: format 5 would halve lower-case digits.
		fmt.Fprintf(&b, `{"id":"item-%d","hash":"%016X","n":%d}`, i, uint64(i)*0x9e3779b97f4a7c15, i*7)
	}
	b.WriteString(`]}`)
	frame := mustEncodeFull(t, mustParse(t, b.String()))
	h, err := ParseHeader(frame)
	if err != nil {
		t.Fatal(err)
	}
	if h.Compression != Zstd || h.BodySize <= bodyWindow {
		t.Fatalf("want a zstd body over %d bytes: %s, %d", bodyWindow, h.Compression, h.BodySize)
	}
	var zh zstd.Header
	if err := zh.Decode(append(zstdMagic[:], frame[h.HeaderSize:]...)); err != nil {
		t.Fatal(err)
	}
	if zh.WindowSize == 0 || zh.WindowSize > bodyWindow {
		t.Errorf("zstd window %d bytes, want at most %d", zh.WindowSize, bodyWindow)
	}
}
