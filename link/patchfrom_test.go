package link

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// TestReceiverPatchFrom: an agent back after a long time away sends a
// patch-from frame (codec, format 8); the receiver applies it, stores it
// after its payload's deltas, and after a restart rebuilds the same
// snapshot from the store and takes the next delta.
func TestReceiverPatchFrom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "link.db")
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	h := newSimHost(30, 40)
	r := newReceiverT(t, st)
	s := newSenderT(t)
	for range 3 {
		if _, _, err := roundTrip(t, s, r, "a", h.next(t)); err != nil {
			t.Fatal(err)
		}
	}
	var away *snapshot.Snapshot
	for range 600 { // ten hours of polls not sent
		away = h.next(t)
	}
	o, ack, err := roundTrip(t, s, r, "a", away)
	if err != nil || ack.Status != StatusApplied {
		t.Fatalf("after ten hours: %v %+v", err, ack)
	}
	if hd, err := codec.ParseHeader(o.Frame); err != nil || hd.Kind != codec.PatchFrom {
		t.Fatalf("after ten hours: header %+v, %v: want a patch-from frame", hd, err)
	}
	rec, _, err := st.LoadHistory("a")
	if err != nil {
		t.Fatal(err)
	}
	if kinds := payloadKinds(t, rec.Snapshot); kinds[codec.PatchFrom] != 1 {
		t.Fatalf("stored payload's frames by kind: %v, want the patch-from frame among them", kinds)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r = newReceiverT(t, st)
	if got, seq := mustSnapshot(t, r, "a"); !got.Equal(away) || seq != s.Seq() {
		t.Fatalf("resumed at seq %d, want %d, or another snapshot", seq, s.Seq())
	}
	if o, ack, err := roundTrip(t, s, r, "a", h.next(t)); err != nil || o.Full || ack.Status != StatusApplied {
		t.Fatalf("delta after restart: %v full=%v %+v", err, o.Full, ack)
	}
}

// payloadKinds counts the frames of a stored payload by kind.
func payloadKinds(t *testing.T, b []byte) map[codec.Kind]int {
	kinds := map[codec.Kind]int{}
	for pos := payloadHeader; pos < len(b); {
		n, k := binary.Uvarint(b[pos:])
		if k <= 0 || n > uint64(len(b)-pos-k) {
			t.Fatalf("payload entry at %d: bad length", pos)
		}
		h, err := codec.ParseHeader(b[pos+k : pos+k+int(n)])
		if err != nil {
			t.Fatal(err)
		}
		kinds[h.Kind]++
		pos += k + int(n)
	}
	return kinds
}
