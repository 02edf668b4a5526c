package fuzz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// sentinels are the errors a frame may be refused with; anything else is a
// bug. link's frame errors are the same values.
var sentinels = []error{codec.ErrCorrupt, codec.ErrTooLarge, codec.ErrVersion, codec.ErrUnknownBase, codec.ErrVerify}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func mustParse(t testing.TB, doc string) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse %.80q: %v", doc, err)
	}
	return s
}

func mustDeltaFrame(t testing.TB, base, next *snapshot.Snapshot) []byte {
	t.Helper()
	d, err := delta.Diff(base, next)
	if err != nil {
		t.Fatal(err)
	}
	frame, err := codec.EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	return frame
}

// formatFrame is the frame an encoder of format version v writes: base
// to next, or next whole when base is nil.
func formatFrame(t testing.TB, v uint8, base, next *snapshot.Snapshot) []byte {
	t.Helper()
	enc, err := codec.NewEncoder(codec.WithVersion(v))
	if err != nil {
		t.Fatal(err)
	}
	if base == nil {
		frame, err := enc.AppendFull(nil, next)
		if err != nil {
			t.Fatal(err)
		}
		return frame
	}
	d, err := delta.Diff(base, next)
	if err != nil {
		t.Fatal(err)
	}
	frame, err := enc.AppendDelta(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	return frame
}

func mustFullFrame(t testing.TB, s *snapshot.Snapshot) []byte {
	t.Helper()
	frame, err := codec.EncodeFull(s)
	if err != nil {
		t.Fatal(err)
	}
	return frame
}

// canon is a snapshot's canonical JSON, "<nil>" for none, for messages.
func canon(s *snapshot.Snapshot) string {
	if s == nil {
		return "<nil>"
	}
	return string(s.MarshalCanonical())
}

// sameSnapshot fails unless got is want: same value, same root, same
// canonical bytes.
func sameSnapshot(t testing.TB, what string, got, want *snapshot.Snapshot) {
	t.Helper()
	if got == nil || got.Hash() != want.Hash() || !got.Equal(want) || !bytes.Equal(got.MarshalCanonical(), want.MarshalCanonical()) {
		t.Fatalf("%s: got %.300s\nwant %.300s", what, canon(got), canon(want))
	}
}

// Frame bytes written by hand (docs/wire-format.md, "Frame header").
const (
	kindFull  = 0
	kindDelta = 1
	compNone  = 0
	compZstd  = 1
	compBlock = 2 // format 5: a bare zstd block
)

// header returns a frame header of the current format version (the
// dictionary id, 0, in the flags' top bits).
func header(kind, comp byte, bodySize uint64) []byte {
	h := []byte{'S', 'D', codec.Version, kind | comp<<2}
	return binary.AppendUvarint(h, bodySize)
}

// sameHeader returns the header of frame (a format 4 or later frame whose
// dictionary id sits in the flags) with another compression and body size.
func sameHeader(frame []byte, comp byte, bodySize uint64) []byte {
	h := []byte{'S', 'D', frame[2], frame[3]&^0x0c | comp<<2}
	return binary.AppendUvarint(h, bodySize)
}

// zstdMagic begins a zstd frame; format 4 payloads leave it out.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// magicless returns the zstd stream z as a format 4 frame carries it.
func magicless(z []byte) []byte { return bytes.TrimPrefix(z, zstdMagic) }

// rawFrame is a frame carrying body uncompressed.
func rawFrame(kind byte, body []byte) []byte {
	return append(header(kind, compNone, uint64(len(body))), body...)
}

// zstdFrame is a frame carrying body compressed, its header telling the
// truth about the body's size.
func zstdFrame(t testing.TB, kind byte, body []byte) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return append(header(kind, compZstd, uint64(len(body))), magicless(enc.EncodeAll(body, nil))...)
}

// memUse runs fn and returns the bytes allocated meanwhile and the growth
// of the heap in use at its end. Callers do not run in parallel, so the
// counts are fn's (plus noise from the runtime, a few KiB).
func memUse(fn func()) (total, inuse uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	total = after.TotalAlloc - before.TotalAlloc
	if after.HeapInuse > before.HeapInuse {
		inuse = after.HeapInuse - before.HeapInuse
	}
	return total, inuse
}

// pollJSON is a small environment as polled at minute i: a Docker host
// (containers keyed by Id whose status and clocks tick, one coming and
// going, one replaced by a near copy) and a Kubernetes namespace (pods keyed
// by metadata.uid, resourceVersions counting up, heartbeats moving). Its
// changes from poll to poll exercise every format 2 edit: item patches by
// position, new items built from base items, increments, time shifts and
// splices.
func pollJSON(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"info":{"ID":"7TRN:IPZB","Containers":%d,"NGoroutines":%d,"SystemTime":"2026-11-24T06:%02d:%02d.%09dZ","ServerVersion":"27.3.1"},`,
		4+i%2, 40+i*3%17, i%60, i*7%60, i*123457%1000000000)
	b.WriteString(`"containers":[`)
	for c := range 3 {
		fmt.Fprintf(&b, `{"Id":"%064x","Names":["/app-%d"],"Image":"nginx:1.27","State":"running","Status":"Up %d minutes","Created":%d,"Labels":{"tier":"web"}},`,
			c+1, c, 10+i, 1764000000+c)
	}
	if i%2 == 1 {
		fmt.Fprintf(&b, `{"Id":"%064x","Names":["/job-%d"],"Image":"busybox","State":"running","Status":"Up Less than a second","Created":%d,"Labels":{}},`, 100+i, i, 1764000000+i)
	}
	fmt.Fprintf(&b, `{"Id":"%064x","Names":["/db"],"Image":"postgres:17","State":"running","Status":"Up %d hours","Created":1763990000,"Labels":{"tier":"db"}}],`, 99+i/3, 2+i/3)
	b.WriteString(`"pods":[`)
	for p := range 3 {
		if p > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"metadata":{"uid":"uid-%d","name":"web-%d","namespace":"prod","resourceVersion":"%d"},"status":{"phase":"Running","restarts":%d,"lastProbeTime":"2026-11-24T06:%02d:00Z"}}`,
			p, p, 81234+i*5+p, i/4, (i+p)%60)
	}
	fmt.Fprintf(&b, `],"numbers":[1.0,-0,1e400,12345678901234567890,%d.50]}`, i)
	return b.String()
}

// vector is one golden vector of testdata/vectors (format 2) or
// testdata/vectors-v1 (format 1).
type vector struct {
	name       string
	baseJSON   []byte // nil for a full frame
	base, next *snapshot.Snapshot
	frame      []byte
}

// loadVectors reads the golden vectors of ../testdata/<dir>.
func loadVectors(t testing.TB, dir string) []vector {
	t.Helper()
	root := filepath.Join("..", "testdata", dir)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatalf("golden vectors: %v", err)
	}
	var vs []vector
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		v := vector{name: e.Name()}
		read := func(name string) []byte {
			b, err := os.ReadFile(filepath.Join(root, e.Name(), name))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			return b
		}
		v.frame, v.baseJSON = read("frame.bin"), read("base.json")
		if v.baseJSON != nil {
			v.base = mustParse(t, string(v.baseJSON))
		}
		v.next = mustParse(t, string(read("next.json")))
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		t.Fatalf("no golden vectors in %s", root)
	}
	return vs
}

func newDecoder(t testing.TB, opts ...codec.DecoderOption) *codec.Decoder {
	t.Helper()
	d, err := codec.NewDecoder(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
