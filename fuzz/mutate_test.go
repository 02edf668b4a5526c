package fuzz

import (
	"bytes"
	"fmt"
	"iter"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// validFrame is a frame with the base it applies to (nil for a full
// frame) and the snapshot it rebuilds.
type validFrame struct {
	name       string
	base, next *snapshot.Snapshot
	frame      []byte
}

// validFrames returns real frames of the current format: full and delta,
// raw and zstd bodies, format 2 operations, no change, and the golden
// vectors (a patch-from frame among them).
func validFrames(t *testing.T) []validFrame {
	t.Helper()
	small := mustParse(t, `{"a":1,"b":[{"id":"x","v":true},{"id":"y","v":null}],"n":1.50,"s":"Up 3 minutes"}`)
	small2 := mustParse(t, `{"a":2,"b":[{"id":"z"},{"id":"x","v":false}],"n":-7,"s":"Up 4 minutes"}`)
	p0, p1, p2 := mustParse(t, pollJSON(0)), mustParse(t, pollJSON(1)), mustParse(t, pollJSON(2))
	out := []validFrame{
		{"small full", nil, small2, mustFullFrame(t, small2)},
		{"small delta", small, small2, mustDeltaFrame(t, small, small2)},
		{"poll full", nil, p1, mustFullFrame(t, p1)},
		{"poll delta 0-1", p0, p1, mustDeltaFrame(t, p0, p1)},
		{"poll delta 1-2", p1, p2, mustDeltaFrame(t, p1, p2)},
		{"no change", p2, p2, mustDeltaFrame(t, p2, p2)},
		// Format 4 bodies are zstd frames, format 5 bodies bare blocks.
		{"poll full, format 4", nil, p1, formatFrame(t, 4, nil, p1)},
		{"poll delta 0-1, format 4", p0, p1, formatFrame(t, 4, p0, p1)},
	}
	for _, v := range loadVectors(t, "vectors") {
		out = append(out, validFrame{"vector " + v.name, v.base, v.next, v.frame})
	}
	kinds := map[codec.Kind]map[codec.Compression]bool{codec.Full: {}, codec.DeltaKind: {}, codec.PatchFrom: {}}
	for _, f := range out {
		h, err := codec.ParseHeader(f.frame)
		if err != nil || h.Version < 2 {
			t.Fatalf("%s: header %+v, %v: want format 2 or later", f.name, h, err)
		}
		kinds[h.Kind][h.Compression] = true
		got, err := newDecoder(t).Apply(f.base, f.frame)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		sameSnapshot(t, f.name, got, f.next)
	}
	for k, cs := range kinds {
		if k == codec.PatchFrom { // zstd frames only (format 8)
			if !cs[codec.Zstd] {
				t.Fatal("the frames do not cover patch-from frames")
			}
			continue
		}
		if !cs[codec.None] || !cs[codec.Zstd] || !cs[codec.ZstdBlock] {
			t.Fatalf("the frames do not cover %s frames with every body: %v", k, cs)
		}
	}
	return out
}

// mutations yields every single bit flip of frame, every truncation, and
// frame with a byte inserted at every position (each position gets one of
// a few values that mean something in a header, msgpack or zstd).
func mutations(frame []byte) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		buf := make([]byte, len(frame)+1)
		for i := range len(frame) * 8 {
			m := buf[:len(frame)]
			copy(m, frame)
			m[i/8] ^= 1 << (i % 8)
			if !yield(fmt.Sprintf("bit %d flipped", i), m) {
				return
			}
		}
		for n := range len(frame) {
			if !yield(fmt.Sprintf("cut to %d bytes", n), frame[:n:n]) {
				return
			}
		}
		inserts := []byte{0x00, 0x01, 0x7f, 0x80, 0x90, 0xc0, 0xff}
		for i := range len(frame) + 1 {
			b := inserts[i%len(inserts)]
			m := append(append(append(buf[:0], frame[:i]...), b), frame[i:]...)
			if !yield(fmt.Sprintf("0x%02x inserted at %d", b, i), m) {
				return
			}
		}
	}
}

// TestMutatedFrames applies every mutation of several valid frames: each
// must be refused with a sentinel error or rebuild exactly the frame's
// snapshot; never a wrong one, never a panic.
func TestMutatedFrames(t *testing.T) {
	dec := newDecoder(t)
	for _, f := range validFrames(t) {
		t.Run(f.name, func(t *testing.T) {
			refused, n := 0, 0
			for what, m := range mutations(f.frame) {
				n++
				got, err := dec.Apply(f.base, m)
				if err != nil {
					if !isSentinel(err) {
						t.Fatalf("%s: error matches no sentinel: %v", what, err)
					}
					refused++
					continue
				}
				if got.Hash() != f.next.Hash() || !got.Equal(f.next) {
					t.Fatalf("%s: rebuilt a wrong snapshot: %.200s", what, canon(got))
				}
			}
			t.Logf("%d-byte frame: %d of %d mutations refused, the others rebuild the snapshot", len(f.frame), refused, n)
		})
	}
}

// TestMutatedFramesReceiver sends the same mutations to a link.Receiver
// holding each frame's base: a refused frame leaves the stored record as it
// was, an accepted one leaves exactly the frame's snapshot.
func TestMutatedFramesReceiver(t *testing.T) {
	if testing.Short() {
		t.Skip("tens of thousands of frames")
	}
	for _, f := range validFrames(t) {
		t.Run(f.name, func(t *testing.T) {
			st := store.NewMemory()
			recv, err := link.NewReceiver(st)
			if err != nil {
				t.Fatal(err)
			}
			seq := uint64(1)
			hold := func() {
				if f.base == nil {
					return
				}
				seq++
				if _, err := recv.Receive(entryEnv, seq, mustFullFrame(t, f.base)); err != nil {
					t.Fatal(err)
				}
			}
			hold()
			for what, m := range mutations(f.frame) {
				before, _ := st.Load(entryEnv)
				ack, err := recv.Receive(entryEnv, seq+1, m)
				after, _ := st.Load(entryEnv)
				if err != nil {
					if !isSentinel(err) {
						t.Fatalf("%s: error matches no sentinel: %v", what, err)
					}
					if before.Seq != after.Seq || before.Root != after.Root || !bytes.Equal(before.Snapshot, after.Snapshot) {
						t.Fatalf("%s: refused (%v) but the stored record changed", what, err)
					}
					continue
				}
				seq++
				held, _, err := recv.Snapshot(entryEnv)
				if err != nil || ack.Status != link.StatusApplied || held.Hash() != f.next.Hash() || !held.Equal(f.next) {
					t.Fatalf("%s: accepted (%+v), the receiver holds %.200s, %v", what, ack, canon(held), err)
				}
				hold()
			}
		})
	}
}
