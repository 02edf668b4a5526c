package link

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

type storedState struct {
	rec  store.Record
	hist []store.Step
	err  error
}

func loadState(st store.Store, env string) storedState {
	rec, hist, err := st.LoadHistory(env)
	return storedState{rec, hist, err}
}

func (s storedState) equal(o storedState) bool {
	return reflect.DeepEqual(s.rec, o.rec) && reflect.DeepEqual(s.hist, o.hist) && errors.Is(s.err, o.err) && errors.Is(o.err, s.err)
}

func mustSnapshot(tb testing.TB, r *Receiver, env string) (*snapshot.Snapshot, uint64) {
	tb.Helper()
	s, seq, err := r.Snapshot(env)
	if err != nil {
		tb.Fatal(err)
	}
	return s, seq
}

func encodeDelta(tb testing.TB, base, next *snapshot.Snapshot) []byte {
	tb.Helper()
	d, err := delta.Diff(base, next)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := codec.EncodeDelta(d)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func encodeFull(tb testing.TB, s *snapshot.Snapshot) []byte {
	tb.Helper()
	f, err := codec.EncodeFull(s)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestReceiverAppliesAndAcks(t *testing.T) {
	h := newSimHost(10, 8)
	st := store.NewMemory()
	r := newReceiverT(t, st)
	if _, _, err := r.Snapshot("e"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty receiver: %v", err)
	}
	s0, s1 := h.next(t), h.next(t)
	ack, err := r.Receive("e", 7, encodeFull(t, s0))
	want := Ack{Env: "e", Seq: 7, Root: snapshot.FormatHash(s0.Hash()), Status: StatusApplied}
	if err != nil || ack != want {
		t.Fatalf("full frame: %v %+v", err, ack)
	}
	ack, err = r.Receive("e", 8, encodeDelta(t, s0, s1))
	want = Ack{Env: "e", Seq: 8, Root: snapshot.FormatHash(s1.Hash()), Status: StatusApplied}
	if err != nil || ack != want {
		t.Fatalf("delta frame: %v %+v", err, ack)
	}
	got, seq := mustSnapshot(t, r, "e")
	if !got.Equal(s1) || seq != 8 {
		t.Fatalf("snapshot seq %d", seq)
	}
	rec, hist, err := st.LoadHistory("e")
	if err != nil || rec.Seq != 8 || rec.Root != s1.Hash() || len(hist) != 1 || hist[0].PrevRoot != s0.Hash() {
		t.Fatalf("store: %v %+v %d steps", err, rec, len(hist))
	}
	stats := r.Stats()
	if stats.Applied != 2 || stats.Full != 1 {
		t.Errorf("stats %+v", stats)
	}
}

func TestReceiverDuplicateAndStale(t *testing.T) {
	h := newSimHost(11, 8)
	st := store.NewMemory()
	r := newReceiverT(t, st)
	s0, s1, s2 := h.next(t), h.next(t), h.next(t)
	full := encodeFull(t, s0)
	d01 := encodeDelta(t, s0, s1)
	d02 := encodeDelta(t, s0, s2) // coalesced: the ack of seq 2 was lost
	if _, err := r.Receive("e", 1, full); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Receive("e", 3, d02); err != nil {
		t.Fatal(err)
	}
	before := loadState(st, "e")
	cur := snapshot.FormatHash(s2.Hash())
	for _, tc := range []struct {
		name  string
		seq   uint64
		frame []byte
	}{
		{"same frame again", 3, d02},
		{"late older frame", 2, d01},
		{"first frame again", 1, full},
		{"late garbage", 2, []byte("garbage")},
	} {
		ack, err := r.Receive("e", tc.seq, tc.frame)
		if err != nil || ack.Status != StatusDuplicate || ack.Seq != 3 || ack.Root != cur {
			t.Errorf("%s: %v %+v", tc.name, err, ack)
		}
	}
	if after := loadState(st, "e"); !after.equal(before) {
		t.Error("a duplicate changed the store")
	}
	if got, seq := mustSnapshot(t, r, "e"); !got.Equal(s2) || seq != 3 {
		t.Error("a duplicate changed the snapshot")
	}
	if n := r.Stats().Duplicates; n != 4 {
		t.Errorf("%d duplicates counted", n)
	}
}

func TestReceiverRejects(t *testing.T) {
	h := newSimHost(12, 8)
	s0, s1 := h.next(t), h.next(t)
	good := encodeDelta(t, s0, s1)

	d, _ := delta.Diff(s0, s1)
	d.Target ^= 1
	tampered, _ := codec.EncodeDelta(d)

	d2, _ := delta.Diff(s0, s1)
	d2.Base ^= 1
	otherBase, _ := codec.EncodeDelta(d2)

	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x55

	versioned := bytes.Clone(good)
	versioned[2] = 99

	tiny, err := snapshot.Parse([]byte(`{"tiny":true}`))
	if err != nil {
		t.Fatal(err)
	}
	big := encodeFull(t, s1)
	small, err := codec.NewDecoder(codec.WithMaxDecodedSize(200))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		base   *snapshot.Snapshot // what the receiver holds at seq 1; nil: s0
		seq    uint64
		frame  []byte
		opts   []ReceiverOption
		want   error
		status Status
	}{
		{"truncated", nil, 2, good[:len(good)/2], nil, ErrCorrupt, StatusRejected},
		{"empty", nil, 2, nil, nil, ErrCorrupt, StatusRejected},
		{"not a frame", nil, 2, []byte(`{"json": true}`), nil, ErrCorrupt, StatusRejected},
		{"bit flip", nil, 2, flipped, nil, nil, StatusRejected},
		{"tampered target", nil, 2, tampered, nil, ErrVerify, StatusRejected},
		{"tampered full frame root", nil, 2, tamperedFull(t), nil, ErrVerify, StatusRejected},
		{"future version", nil, 2, versioned, nil, ErrVersion, StatusRejected},
		{"seq 0", nil, 0, good, nil, ErrCorrupt, StatusRejected},
		{"unknown base", nil, 2, otherBase, nil, ErrUnknownBase, StatusUnknownBase},
		{"frame too large", tiny, 2, big, []ReceiverOption{WithMaxFrameSize(len(big) - 1)}, ErrTooLarge, StatusRejected},
		{"decodes too large", tiny, 2, big, []ReceiverOption{WithDecoder(small)}, ErrTooLarge, StatusRejected},
		{"snapshot too large", tiny, 2, big, []ReceiverOption{WithMaxSnapshotSize(s1.Root().Size() - 1)}, ErrTooLarge, StatusRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			if base == nil {
				base = s0
			}
			st := store.NewMemory()
			r := newReceiverT(t, st, tc.opts...)
			if _, err := r.Receive("e", 1, encodeFull(t, base)); err != nil {
				t.Fatal(err)
			}
			before := loadState(st, "e")
			ack, err := r.Receive("e", tc.seq, tc.frame)
			if err == nil {
				t.Fatalf("accepted: %+v", ack)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if tc.want == nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVerify) && !errors.Is(err, ErrTooLarge) {
				t.Errorf("error %v is none of the frame sentinels", err)
			}
			wantAck := Ack{Env: "e", Seq: 1, Root: snapshot.FormatHash(base.Hash()), Status: tc.status, Error: err.Error()}
			if ack != wantAck {
				t.Errorf("ack %+v, want %+v", ack, wantAck)
			}
			if after := loadState(st, "e"); !after.equal(before) {
				t.Error("a rejected frame changed the store")
			}
			if got, seq := mustSnapshot(t, r, "e"); !got.Equal(base) || seq != 1 {
				t.Error("a rejected frame changed the snapshot")
			}
			if tc.base == nil {
				// The good frame still applies with the seq the bad one used.
				if _, err := r.Receive("e", 2, good); err != nil {
					t.Errorf("good frame after the rejected one: %v", err)
				}
			}
		})
	}
}

// tamperedFull returns a full frame whose named root is not its
// snapshot's: a tiny snapshot travels uncompressed, so its root (a msgpack
// uint64 after the body's array marker) can be edited in place.
func tamperedFull(tb testing.TB) []byte {
	tb.Helper()
	snap, err := snapshot.Parse([]byte(`{"a":"b"}`))
	if err != nil {
		tb.Fatal(err)
	}
	f := encodeFull(tb, snap)
	if h, err := codec.ParseHeader(f); err != nil || h.Compression != codec.None {
		tb.Fatalf("tiny full frame is compressed (%v)", err)
	}
	root := snap.Hash()
	needle := []byte{0xcf, byte(root >> 56), byte(root >> 48), byte(root >> 40), byte(root >> 32), byte(root >> 24), byte(root >> 16), byte(root >> 8), byte(root)}
	i := bytes.Index(f, needle)
	if i < 0 {
		tb.Fatal("root not found in the raw body")
	}
	f[i+8] ^= 1
	return f
}

func TestReceiverRecentRoots(t *testing.T) {
	h := newSimHost(13, 8)
	snaps := make([]*snapshot.Snapshot, 8)
	for i := range snaps {
		snaps[i] = h.next(t)
	}
	st := store.NewMemory()
	r := newReceiverT(t, st)
	if _, err := r.Receive("e", 1, encodeFull(t, snaps[0])); err != nil {
		t.Fatal(err)
	}
	// The ack of seq 2 is lost: the agent's next delta is still from s0.
	if _, err := r.Receive("e", 2, encodeDelta(t, snaps[0], snaps[1])); err != nil {
		t.Fatal(err)
	}
	ack, err := r.Receive("e", 3, encodeDelta(t, snaps[0], snaps[2]))
	if err != nil || ack.Status != StatusApplied || ack.Root != snapshot.FormatHash(snaps[2].Hash()) {
		t.Fatalf("delta against a recent root: %v %+v", err, ack)
	}
	// The store's history is still a chain from the current snapshot.
	for i, root := range []int{1, 0} {
		got, err := r.SnapshotAt("e", snaps[root].Hash())
		if err != nil || !got.Equal(snaps[root]) {
			t.Fatalf("SnapshotAt %d: %v", i, err)
		}
	}
	// Four more applied frames push s0 out of the four recent roots.
	for i := 3; i < 7; i++ {
		if _, err := r.Receive("e", uint64(i+1), encodeDelta(t, snaps[i-1], snaps[i])); err != nil {
			t.Fatal(err)
		}
	}
	before := loadState(st, "e")
	ack, err = r.Receive("e", 9, encodeDelta(t, snaps[0], snaps[7]))
	if !errors.Is(err, ErrUnknownBase) || ack.Status != StatusUnknownBase || ack.Root != snapshot.FormatHash(snaps[6].Hash()) {
		t.Fatalf("delta against an evicted root: %v %+v", err, ack)
	}
	if !loadState(st, "e").equal(before) {
		t.Fatal("unknown base changed the store")
	}
	// s3 is still recent.
	if _, err := r.Receive("e", 9, encodeDelta(t, snaps[3], snaps[7])); err != nil {
		t.Fatalf("delta against the oldest recent root: %v", err)
	}

	// With one recent root only the current one is a base.
	r1 := newReceiverT(t, store.NewMemory(), WithRecentRoots(1))
	r1.Receive("e", 1, encodeFull(t, snaps[0]))
	r1.Receive("e", 2, encodeDelta(t, snaps[0], snaps[1]))
	if _, err := r1.Receive("e", 3, encodeDelta(t, snaps[0], snaps[2])); !errors.Is(err, ErrUnknownBase) {
		t.Fatalf("WithRecentRoots(1): %v", err)
	}
	if _, err := NewReceiver(store.NewMemory(), WithRecentRoots(0)); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("WithRecentRoots(0): %v", err)
	}
}

// TestReceiverFormats checks that a Receiver takes frames of format 3 (an
// agent not yet upgraded, codec.WithVersion(3)) and format 4 (bases named
// by 32 bits) alike, against its current root and a recent one.
func TestReceiverFormats(t *testing.T) {
	h := newSimHost(17, 8)
	snaps := make([]*snapshot.Snapshot, 5)
	for i := range snaps {
		snaps[i] = h.next(t)
	}
	for _, version := range []uint8{3, 4} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			enc, err := codec.NewEncoder(codec.WithVersion(version))
			if err != nil {
				t.Fatal(err)
			}
			frame := func(base, next *snapshot.Snapshot) []byte {
				d, err := delta.Diff(base, next)
				if err != nil {
					t.Fatal(err)
				}
				f, err := enc.AppendDelta(nil, d)
				if err != nil {
					t.Fatal(err)
				}
				if hd, err := codec.ParseHeader(f); err != nil || hd.Version != version {
					t.Fatalf("header %+v, %v: want format %d", hd, err, version)
				}
				return f
			}
			r := newReceiverT(t, store.NewMemory())
			if _, err := r.Receive("e", 1, encodeFull(t, snaps[0])); err != nil {
				t.Fatal(err)
			}
			for i, step := range [][2]int{{0, 1}, {1, 2}, {1, 3}, {3, 4}} {
				ack, err := r.Receive("e", uint64(i+2), frame(snaps[step[0]], snaps[step[1]]))
				if err != nil || ack.Status != StatusApplied || ack.Root != snapshot.FormatHash(snaps[step[1]].Hash()) {
					t.Fatalf("delta s%d->s%d: %v %+v", step[0], step[1], err, ack)
				}
			}
			got, _ := mustSnapshot(t, r, "e")
			if !got.Equal(snaps[4]) {
				t.Fatal("the receiver does not hold the last poll")
			}
		})
	}
}

// TestReceiverBaseNameCollision holds two snapshots whose roots share the
// 32 bits a format 4 frame names its base by, and sends a delta against the
// older one: the Receiver must find the one the frame's target root proves,
// not refuse the frame.
func TestReceiverBaseNameCollision(t *testing.T) {
	if testing.Short() {
		t.Skip("searches about 2^17 snapshots for two roots sharing 32 bits")
	}
	seen := map[uint32]int{}
	var a, b *snapshot.Snapshot
	for i := 0; a == nil && i < 1<<20; i++ {
		s, err := snapshot.Parse([]byte(fmt.Sprintf(`{"containers":[{"Id":"c1","Status":"Up 3 minutes"}],"n":%d}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		if j, ok := seen[uint32(s.Hash())]; ok {
			a, _ = snapshot.Parse([]byte(fmt.Sprintf(`{"containers":[{"Id":"c1","Status":"Up 3 minutes"}],"n":%d}`, j)))
			b = s
			break
		}
		seen[uint32(s.Hash())] = i
	}
	if a == nil {
		t.Fatal("no two roots share their low 32 bits")
	}
	next, err := snapshot.Parse(append(bytes.TrimSuffix(a.MarshalCanonical(), []byte("}")), []byte(`,"x":1}`)...))
	if err != nil {
		t.Fatal(err)
	}
	r := newReceiverT(t, store.NewMemory())
	if _, err := r.Receive("e", 1, encodeFull(t, a)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Receive("e", 2, encodeDelta(t, a, b)); err != nil { // b current, a recent
		t.Fatal(err)
	}
	ack, err := r.Receive("e", 3, encodeDelta(t, a, next))
	if err != nil || ack.Status != StatusApplied || ack.Root != snapshot.FormatHash(next.Hash()) {
		t.Fatalf("delta against the older of two roots sharing 32 bits (%016x, %016x): %v %+v", a.Hash(), b.Hash(), err, ack)
	}
	got, _ := mustSnapshot(t, r, "e")
	if !got.Equal(next) {
		t.Fatal("the receiver does not hold the delta's target")
	}
}

func TestReceiverNoChange(t *testing.T) {
	h := newSimHost(14, 6)
	st := store.NewMemory()
	r := newReceiverT(t, st)
	s := newSenderT(t)
	s0 := h.next(t)
	roundTrip(t, s, r, "e", s0)
	roundTrip(t, s, r, "e", h.next(t))
	before := loadState(st, "e")
	same, _ := mustSnapshot(t, r, "e")
	o, ack, err := roundTrip(t, s, r, "e", same)
	if err != nil || ack.Status != StatusApplied || o.Full || len(o.Frame) > 32 {
		t.Fatalf("no-change frame: %v %+v, %d bytes", err, ack, len(o.Frame))
	}
	after := loadState(st, "e")
	if after.rec.Seq != o.Seq || !bytes.Equal(after.rec.Snapshot, before.rec.Snapshot) || !reflect.DeepEqual(after.hist, before.hist) {
		t.Fatal("a no-change frame must advance the stored seq and nothing else")
	}
	// A full frame of the same content is no change either.
	if _, err := r.Receive("e", o.Seq+1, encodeFull(t, same)); err != nil {
		t.Fatal(err)
	}
	if got := loadState(st, "e"); !bytes.Equal(got.rec.Snapshot, before.rec.Snapshot) || len(got.hist) != len(before.hist) {
		t.Fatal("a full frame of the same snapshot rewrote the payload or history")
	}
}

func TestReceiverHistory(t *testing.T) {
	h := newSimHost(15, 8)
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("history=", on), func(t *testing.T) {
			st := store.NewMemory(store.WithHistory(16))
			r := newReceiverT(t, st, WithHistory(on), WithRecentRoots(2))
			s := newSenderT(t)
			var snaps []*snapshot.Snapshot
			for range 10 {
				snap := h.next(t)
				snaps = append(snaps, snap)
				if _, _, err := roundTrip(t, s, r, "e", snap); err != nil {
					t.Fatal(err)
				}
			}
			hist, err := r.History("e")
			if err != nil {
				t.Fatal(err)
			}
			if !on {
				if len(hist) != 0 {
					t.Fatalf("%d steps with history off", len(hist))
				}
				if _, err := r.SnapshotAt("e", snaps[0].Hash()); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("SnapshotAt without history: %v", err)
				}
				return
			}
			if len(hist) != 9 {
				t.Fatalf("%d steps, want 9", len(hist))
			}
			for i, snap := range snaps {
				got, err := r.SnapshotAt("e", snap.Hash())
				if err != nil || !got.Equal(snap) {
					t.Fatalf("SnapshotAt poll %d: %v", i, err)
				}
			}
			if _, err := r.SnapshotAt("e", 12345); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("SnapshotAt unknown root: %v", err)
			}
		})
	}
}

// The payload renews its checkpoint as deltas pile up, stays bounded, and
// always loads back to the current snapshot.
func TestReceiverPayload(t *testing.T) {
	h := newSimHost(16, 20)
	st := store.NewMemory()
	r := newReceiverT(t, st)
	s := newSenderT(t)
	maxRatio := 0.0
	for i := range 200 {
		snap := h.next(t)
		if _, _, err := roundTrip(t, s, r, "e", snap); err != nil {
			t.Fatal(err)
		}
		rec, err := st.Load("e")
		if err != nil {
			t.Fatal(err)
		}
		states, p, err := decodePayload(codecDecoder(t), rec.Snapshot, 3)
		if err != nil || !states[0].Equal(snap) || rec.Root != snap.Hash() {
			t.Fatalf("poll %d: payload does not load to the snapshot: %v", i, err)
		}
		if p.deltas > maxDeltas {
			t.Fatalf("poll %d: %d deltas after the checkpoint", i, p.deltas)
		}
		maxRatio = max(maxRatio, float64(len(rec.Snapshot))/float64(p.checkpoint))
	}
	stats := r.Stats()
	t.Logf("checkpoints renewed: %d of %d frames; largest payload %.2f× its checkpoint", stats.Checkpoints, stats.Applied, maxRatio)
	if stats.Checkpoints == 0 || stats.Checkpoints > stats.Applied/3 {
		t.Errorf("%d checkpoints for %d frames", stats.Checkpoints, stats.Applied)
	}
	if maxRatio > 1.0+1.0/deltaShare+0.05 {
		t.Errorf("payload grew to %.2f× its checkpoint", maxRatio)
	}
}

func codecDecoder(tb testing.TB) *codec.Decoder {
	d, err := sharedDecoder()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestDecodePayloadDamage(t *testing.T) {
	h := newSimHost(17, 6)
	s0, s1, s2 := h.next(t), h.next(t), h.next(t)
	p := newPayload(encodeFull(t, s0)).withDelta(encodeDelta(t, s0, s1)).withDelta(encodeDelta(t, s1, s2))
	dec := codecDecoder(t)
	states, got, err := decodePayload(dec, p.buf, 4)
	if err != nil || len(states) != 3 || !states[0].Equal(s2) || !states[2].Equal(s0) || got.deltas != 2 || got.deltaBytes != p.deltaBytes {
		t.Fatalf("intact payload: %v, %d states, %+v", err, len(states), got)
	}
	states, _, err = decodePayload(dec, p.buf, 1)
	if err != nil || len(states) != 1 || !states[0].Equal(s2) {
		t.Fatalf("keep 1: %v", err)
	}
	// A bare full frame reads as a checkpoint.
	bare := encodeFull(t, s0)
	states, got, err = decodePayload(dec, bare, 4)
	if err != nil || !states[0].Equal(s0) || got.checkpoint != len(bare) || !got.fits(1) {
		t.Fatalf("bare full frame: %v", err)
	}
	swapped := newPayload(encodeFull(t, s0)).withDelta(encodeDelta(t, s1, s2))
	for name, b := range map[string][]byte{
		"empty":          nil,
		"magic only":     p.buf[:3],
		"bad magic":      append([]byte("XX"), p.buf[2:]...),
		"truncated":      p.buf[:len(p.buf)-3],
		"bad length":     append(bytes.Clone(p.buf), 0xff),
		"broken chain":   swapped.buf,
		"delta first":    append([]byte{'S', 'P', 1}, newPayload(encodeDelta(t, s0, s1)).buf[3:]...),
		"full twice":     newPayload(encodeFull(t, s0)).withDelta(encodeFull(t, s1)).buf,
		"bare delta":     encodeDelta(t, s0, s1),
		"future version": append([]byte{'S', 'P', 9}, p.buf[3:]...),
	} {
		if _, _, err := decodePayload(dec, b, 4); err == nil {
			t.Errorf("%s: decoded", name)
		} else if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) && !errors.Is(err, ErrUnknownBase) {
			t.Errorf("%s: %v matches no sentinel", name, err)
		}
	}
}

// A stored record that cannot be read holds no base: deltas get unknown
// base, and the agent's full frame replaces it.
func TestReceiverDamagedRecord(t *testing.T) {
	h := newSimHost(18, 6)
	s0, s1 := h.next(t), h.next(t)
	st := store.NewMemory()
	if err := st.Commit("e", store.Record{Seq: 50, Root: s0.Hash(), Snapshot: []byte("SP\x01\x05junk!")}, nil); err != nil {
		t.Fatal(err)
	}
	r := newReceiverT(t, st)
	if _, _, err := r.Snapshot("e"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Snapshot of a damaged record: %v", err)
	}
	if _, err := r.Receive("e", 51, encodeDelta(t, s0, s1)); !errors.Is(err, ErrUnknownBase) {
		t.Fatalf("delta onto a damaged record: %v", err)
	}
	if ack, err := r.Receive("e", 50, encodeFull(t, s1)); err != nil || ack.Status != StatusDuplicate {
		t.Fatalf("seq of a damaged record is kept: %v %+v", err, ack)
	}
	if _, err := r.Receive("e", 51, encodeFull(t, s1)); err != nil {
		t.Fatalf("full frame over a damaged record: %v", err)
	}
	if got, seq := mustSnapshot(t, r, "e"); !got.Equal(s1) || seq != 51 {
		t.Fatal("full frame did not replace the damaged record")
	}
}

func TestReceiverInvalidEnv(t *testing.T) {
	r := newReceiverT(t, store.NewMemory())
	for _, env := range []string{"", string(make([]byte, store.MaxEnvLen+1)), "\xff"} {
		ack, err := r.Receive(env, 1, []byte("x"))
		if !errors.Is(err, store.ErrInvalid) || ack.Status != StatusRejected {
			t.Errorf("env %q: %v %+v", env, err, ack)
		}
		if _, _, err := r.Snapshot(env); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Snapshot(%q): %v", env, err)
		}
	}
	if _, err := NewReceiver(nil); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("nil store: %v", err)
	}
}

// A store that fails: the frame is answered StatusError and nothing changes
// in memory; once the store works again the same frame applies.
func TestReceiverStoreFailure(t *testing.T) {
	h := newSimHost(19, 6)
	s0, s1 := h.next(t), h.next(t)
	fs := &failingStore{Store: store.NewMemory()}
	r := newReceiverT(t, fs)
	if _, err := r.Receive("e", 1, encodeFull(t, s0)); err != nil {
		t.Fatal(err)
	}
	frame := encodeDelta(t, s0, s1)
	fs.fail = true
	ack, err := r.Receive("e", 2, frame)
	if !errors.Is(err, errInjected) || ack.Status != StatusError || ack.Seq != 1 || ack.Root != snapshot.FormatHash(s0.Hash()) {
		t.Fatalf("failing commit: %v %+v", err, ack)
	}
	if got, seq := mustSnapshot(t, r, "e"); !got.Equal(s0) || seq != 1 {
		t.Fatal("a failed commit changed the receiver")
	}
	fs.fail = false
	if ack, err := r.Receive("e", 2, frame); err != nil || ack.Status != StatusApplied {
		t.Fatalf("after recovery: %v %+v", err, ack)
	}
	rec, _ := fs.Load("e")
	states, _, err := decodePayload(codecDecoder(t), rec.Snapshot, 1)
	if err != nil || !states[0].Equal(s1) {
		t.Fatalf("stored payload after a failed then good commit: %v", err)
	}
}

var errInjected = errors.New("injected failure")

type failingStore struct {
	store.Store
	fail bool
}

func (f *failingStore) CommitIfRoot(env string, prev uint64, rec store.Record, step *store.Step) error {
	if f.fail {
		return errInjected
	}
	return f.Store.CommitIfRoot(env, prev, rec, step)
}

// A restarted Receiver on the same bolt file resumes every environment:
// same snapshot and seq, deltas against the current and recent roots apply,
// old seqs are still duplicates.
func TestReceiverRestartBolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "link.db")
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	h := newSimHost(20, 10)
	r := newReceiverT(t, st)
	s := newSenderT(t)
	var snaps []*snapshot.Snapshot
	for range 40 {
		snap := h.next(t)
		snaps = append(snaps, snap)
		if _, _, err := roundTrip(t, s, r, "a", snap); err != nil {
			t.Fatal(err)
		}
	}
	other := newSenderT(t)
	b0 := newSimHost(21, 3).next(t)
	roundTrip(t, other, r, "b", b0)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r = newReceiverT(t, st)
	last := snaps[len(snaps)-1]
	if got, seq := mustSnapshot(t, r, "a"); !got.Equal(last) || seq != s.Seq() {
		t.Fatalf("resumed a at seq %d, want %d", seq, s.Seq())
	}
	if got, seq := mustSnapshot(t, r, "b"); !got.Equal(b0) || seq != 1 {
		t.Fatal("resumed b wrongly")
	}
	if ack, err := r.Receive("a", s.Seq(), []byte("replayed")); err != nil || ack.Status != StatusDuplicate {
		t.Fatalf("old seq after restart: %v %+v", err, ack)
	}
	// The agent did not restart: its next frame is a delta, and applies.
	next := h.next(t)
	o, ack, err := roundTrip(t, s, r, "a", next)
	if err != nil || o.Full || ack.Status != StatusApplied {
		t.Fatalf("delta after restart: %v full=%v %+v", err, o.Full, ack)
	}
	// A delta against a recent root (its ack lost before the restart) too.
	if _, err := r.Receive("a", s.Seq()+1, encodeDelta(t, snaps[len(snaps)-2], h.next(t))); err != nil {
		t.Fatalf("delta against a recent root after restart: %v", err)
	}
}

// A restarted agent knows nothing: its first frame is full, its seq is above
// the old one (clock), and the two sides converge.
func TestReceiverRestartedSender(t *testing.T) {
	h := newSimHost(22, 8)
	r := newReceiverT(t, store.NewMemory())
	s, err := NewSender()
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		roundTrip(t, s, r, "e", h.next(t))
	}
	oldSeq := s.Seq()
	s, err = NewSender(WithFirstSeq(oldSeq + 1000)) // a later start: the clock moved on
	if err != nil {
		t.Fatal(err)
	}
	snap := h.next(t)
	o, ack, err := roundTrip(t, s, r, "e", snap)
	if err != nil || !o.Full || ack.Status != StatusApplied {
		t.Fatalf("restarted agent: %v full=%v %+v", err, o.Full, ack)
	}
	snap = h.next(t)
	if o, _, err = roundTrip(t, s, r, "e", snap); err != nil || o.Full {
		t.Fatalf("second frame of the restarted agent: %v full=%v", err, o.Full)
	}
	if got, _ := mustSnapshot(t, r, "e"); !got.Equal(snap) {
		t.Fatal("not converged")
	}
}
