package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// patchFromPair is a base and a target far enough apart (60 new pods
// added to 100) that the default Encoder sends a patch-from frame.
func patchFromPair(t testing.TB) (base, next *snapshot.Snapshot) {
	items := generatedPods(5, 160)
	return mustParse(t, `{"pods":[`+strings.Join(items[:100], ",")+`]}`),
		mustParse(t, `{"pods":[`+strings.Join(items, ",")+`]}`)
}

// TestPatchFrom: a delta that costs more than the whole snapshot compressed
// against the base goes as a patch-from frame, smaller than the format 7
// frame of the same delta, and rebuilds the target only against its base.
func TestPatchFrom(t *testing.T) {
	base, next := patchFromPair(t)
	d := mustDiff(t, base, next)
	frame, err := EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	v7, err := NewEncoder(WithVersion(7))
	if err != nil {
		t.Fatal(err)
	}
	deltaFrame, err := v7.AppendDelta(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseHeader(frame)
	if err != nil {
		t.Fatal(err)
	}
	if h.Kind != PatchFrom || h.Version != 8 || h.Compression != Zstd {
		t.Fatalf("header %+v: want a format 8 patch-from frame", h)
	}
	t.Logf("patch-from frame %d bytes, delta frame %d", len(frame), len(deltaFrame))
	if len(frame) >= len(deltaFrame) {
		t.Errorf("patch-from frame of %d bytes, the delta frame is %d", len(frame), len(deltaFrame))
	}

	f, err := Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	if !f.NeedsBase() || !f.NamesBase(base.Hash()) || f.NamesBase(next.Hash()) || f.Delta != nil || f.Snapshot != nil {
		t.Fatalf("decoded frame: needs base %v, names base %v, names next %v", f.NeedsBase(), f.NamesBase(base.Hash()), f.NamesBase(next.Hash()))
	}
	if got, want := f.BaseName(), fmt.Sprintf("%08x", uint32(base.Hash())); got != want {
		t.Errorf("BaseName() = %s, want %s", got, want)
	}
	if _, err := f.Apply(nil); !errors.Is(err, ErrUnknownBase) {
		t.Errorf("applied to nothing: %v, want ErrUnknownBase", err)
	}
	if _, err := f.Apply(next); !errors.Is(err, ErrUnknownBase) {
		t.Errorf("applied to the target: %v, want ErrUnknownBase", err)
	}
	got, err := f.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got, next)
	if f.NeedsBase() || f.Root != next.Hash() {
		t.Errorf("after Apply: needs base %v, root %016x, want %016x", f.NeedsBase(), f.Root, next.Hash())
	}
	if got.Config() != base.Config() {
		t.Error("the rebuilt snapshot does not take the base's configuration")
	}

	info, err := Inspect(frame)
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != "patch-from" || info.Base != f.BaseName() || info.FrameBytes != len(frame) || info.BodyBytes != h.BodySize {
		t.Errorf("Inspect: %+v", info)
	}
}

// TestPatchFromNotSent: small deltas never try a patch-from frame, and
// neither do encoders that must not send one.
func TestPatchFromNotSent(t *testing.T) {
	base, next := patchFromPair(t)
	items := generatedPods(5, 101)
	oneMore := mustParse(t, `{"pods":[`+strings.Join(items, ",")+`]}`)
	for _, tt := range []struct {
		name string
		opts []EncoderOption
		next *snapshot.Snapshot
	}{
		{"one new item", nil, oneMore},
		{"format 7", []EncoderOption{WithVersion(7)}, next},
		{"without base coding", []EncoderOption{WithoutBaseCoding()}, next},
		{"raw", []EncoderOption{WithoutCompression()}, next},
	} {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := NewEncoder(tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			frame, err := enc.AppendDelta(nil, mustDiff(t, base, tt.next))
			if err != nil {
				t.Fatal(err)
			}
			if h, err := ParseHeader(frame); err != nil || h.Kind != DeltaKind {
				t.Fatalf("header %+v, %v: want a delta frame", h, err)
			}
			got, err := Apply(base, frame)
			if err != nil {
				t.Fatal(err)
			}
			sameSnapshot(t, got, tt.next)
		})
	}
	// A delta built by hand has no target snapshot to send whole.
	d := mustDiff(t, base, next)
	byHand := &delta.Delta{Base: d.Base, Target: d.Target, Edits: d.Edits}
	if err := byHand.SetOrigin(base); err != nil {
		t.Fatal(err)
	}
	frame, err := EncodeDelta(byHand)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := ParseHeader(frame); err != nil || h.Kind != DeltaKind {
		t.Fatalf("delta without Next: header %+v, %v: want a delta frame", h, err)
	}
}

// TestPatchFromProperty: over generated pairs from a few changed pods to
// most of them replaced, every frame rebuilds its target exactly and is
// never longer than the format 7 frame of the same delta; some are
// patch-from frames and some are not.
func TestPatchFromProperty(t *testing.T) {
	pairs := 120
	if testing.Short() {
		pairs = 30
	}
	pool := generatedPods(9, 400)
	rng := rand.New(rand.NewPCG(9, 10))
	v7, err := NewEncoder(WithVersion(7))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]int{}
	for i := range pairs {
		n := 20 + rng.IntN(60)
		start := rng.IntN(len(pool) - 2*n)
		baseItems := pool[start : start+n]
		var nextItems []string
		changed := rng.Float64() // the share of items replaced by others
		for j, it := range baseItems {
			if rng.Float64() < changed {
				it = pool[(start+n+j)%len(pool)]
			}
			nextItems = append(nextItems, it)
		}
		base := mustParse(t, `{"pods":[`+strings.Join(baseItems, ",")+`]}`)
		next := mustParse(t, `{"pods":[`+strings.Join(nextItems, ",")+`]}`)
		d := mustDiff(t, base, next)
		frame, err := EncodeDelta(d)
		if err != nil {
			t.Fatal(err)
		}
		old, err := v7.AppendDelta(nil, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(frame) > len(old) {
			t.Fatalf("pair %d: %d bytes, %d in format 7", i, len(frame), len(old))
		}
		got, err := Apply(base, frame)
		if err != nil {
			t.Fatalf("pair %d: %v", i, err)
		}
		sameSnapshot(t, got, next)
		h, _ := ParseHeader(frame)
		kinds[h.Kind]++
	}
	t.Logf("frames by kind: %v", kinds)
	if kinds[PatchFrom] == 0 || kinds[DeltaKind] == 0 {
		t.Fatalf("frames by kind %v: the test covers one kind only", kinds)
	}
}

// patchFromParts splits a patch-from frame after its header: the base's
// name and the zstd payload without its magic number.
func patchFromParts(t testing.TB, frame []byte) (header, name, payload []byte) {
	h, err := ParseHeader(frame)
	if err != nil || h.Kind != PatchFrom {
		t.Fatalf("header %+v, %v: want a patch-from frame", h, err)
	}
	return frame[:h.HeaderSize], frame[h.HeaderSize : h.HeaderSize+4], frame[h.HeaderSize+4:]
}

// fullBody is what both ends write as a patch-from frame's dictionary: the
// full frame body of s, for a format 8 frame naming dictionary 3.
func fullBody(t testing.TB, s *snapshot.Snapshot) []byte {
	raw, err := NewEncoder(WithoutCompression())
	if err != nil {
		t.Fatal(err)
	}
	frame, err := raw.AppendFull(nil, s)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseHeader(frame)
	if err != nil {
		t.Fatal(err)
	}
	return frame[h.HeaderSize:]
}

// TestPatchFromHostile: a patch-from frame that is cut short, garbled,
// names another root inside or inflates past what the reader allows is
// refused with the error that says so, never applied.
func TestPatchFromHostile(t *testing.T) {
	base, next := patchFromPair(t)
	frame, err := EncodeDelta(mustDiff(t, base, next))
	if err != nil {
		t.Fatal(err)
	}
	header, name, payload := patchFromParts(t, frame)
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	// The same snapshot under another root, compressed as a writer would.
	body := fullBody(t, next)
	wrongRoot := bytes.Clone(body)
	wrongRoot[len(wrongRoot)-len(body)+2] ^= 1 // the root's first byte after 92 cf
	z, err := zstd.NewWriter(nil, zstd.WithEncoderDictRaw(0, fullBody(t, base)), zstd.WithWindowSize(patchFromWindow(len(fullBody(t, base)), len(body))))
	if err != nil {
		t.Fatal(err)
	}
	wrong := z.EncodeAll(wrongRoot, nil)
	_ = z.Close()

	garbled := bytes.Clone(payload)
	for i := len(garbled) / 3; i < len(garbled); i += 7 {
		garbled[i] ^= 0x5a
	}
	for _, tt := range []struct {
		name  string
		frame []byte
		dec   []DecoderOption
		want  error
	}{
		{"no payload", header, nil, ErrCorrupt},
		{"only the base", join(header, name), nil, ErrCorrupt},
		{"payload cut in half", join(header, name, payload[:len(payload)/2]), nil, ErrCorrupt},
		{"payload garbled", join(header, name, garbled), nil, ErrCorrupt},
		{"another root inside", join(header, name, wrong[len(zstdMagic):]), nil, ErrVerify},
		// The dictionary does not count: the reader holds the base anyway.
		{"limit of the body's size", frame, []DecoderOption{WithMaxDecodedSize(len(body))}, nil},
		{"body size past the limit", frame, []DecoderOption{WithMaxDecodedSize(len(body) - 1)}, ErrTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := NewDecoder(tt.dec...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dec.Apply(base, tt.frame)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("Apply: %v, %v; want %v", got != nil, err, tt.want)
			}
			if err == nil {
				sameSnapshot(t, got, next)
			}
		})
	}
	// The body size in the header one less than the payload inflates to
	// (it inflates past its promise) and one more (it falls short).
	for _, tt := range []struct {
		delta int
		want  error
	}{{-1, ErrTooLarge}, {1, ErrCorrupt}} {
		h, _ := ParseHeader(frame)
		resized := appendHeader(nil, h.Version, PatchFrom, Zstd, h.Dictionary, uint64(int(h.BodySize)+tt.delta))
		if _, err := Apply(base, join(resized, name, payload)); !errors.Is(err, tt.want) {
			t.Errorf("body size %+d: %v, want %v", tt.delta, err, tt.want)
		}
	}
}

// TestZstdCLIDecodesPatchFrom hands a patch-from frame's payload to the
// reference zstd command as docs/wire-format.md section 7.10 says: the
// magic number put back, the base's full frame body given with -D. It must
// inflate to the target's full frame body. Skipped without a zstd command.
func TestZstdCLIDecodesPatchFrom(t *testing.T) {
	zstdCmd, err := exec.LookPath("zstd")
	if err != nil {
		t.Skip("no zstd command")
	}
	base, next := patchFromPair(t)
	frame, err := EncodeDelta(mustDiff(t, base, next))
	if err != nil {
		t.Fatal(err)
	}
	_, _, payload := patchFromParts(t, frame)
	dir := t.TempDir()
	dict := filepath.Join(dir, "base.body")
	in := filepath.Join(dir, "frame.zst")
	if err := os.WriteFile(dict, fullBody(t, base), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, append(zstdMagic[:], payload...), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zstdCmd, "-q", "-d", "-c", "-D", dict, in).Output()
	if err != nil {
		t.Fatalf("zstd -d -D: %v", err)
	}
	if !bytes.Equal(out, fullBody(t, next)) {
		t.Fatalf("zstd inflated %d bytes, not the target's %d-byte full frame body", len(out), len(fullBody(t, next)))
	}
}

// TestPatchFromBomb: a patch-from payload of a few KB that inflates to 64
// MiB, its header claiming 100 bytes, is refused as too large without
// inflating much past the claim.
func TestPatchFromBomb(t *testing.T) {
	base, _ := patchFromPair(t)
	z, err := zstd.NewWriter(nil, zstd.WithEncoderDictRaw(0, fullBody(t, base)), zstd.WithWindowSize(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	bomb := z.EncodeAll(make([]byte, 64<<20), nil)
	_ = z.Close()
	frame := appendHeader(nil, Version, PatchFrom, Zstd, BuiltinDictionary3, 100)
	frame = binary.LittleEndian.AppendUint32(frame, uint32(base.Hash()))
	frame = append(frame, bomb[len(zstdMagic):]...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = Apply(base, frame)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a %d-byte bomb: %v, want ErrTooLarge", len(frame), err)
	}
	// The base's full body and the zstd decoder's buffers, not 64 MiB.
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("refusing a %d-byte bomb allocated %d MiB", len(frame), got>>20)
	}
}
