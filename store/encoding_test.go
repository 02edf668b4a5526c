package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

func TestEncodingRoundTrip(t *testing.T) {
	times := []time.Time{{}, time.Unix(0, 0).UTC(), t0, minTime.UTC(), maxTime.UTC()}
	for _, tm := range times {
		r := Record{Seq: 1<<64 - 1, Root: 0x0123456789abcdef, Time: tm, Snapshot: []byte("x")}
		got, err := decodeRecord(encodeRecord(r))
		if err != nil || got.Seq != r.Seq || got.Root != r.Root || !got.Time.Equal(r.Time) || got.Time.IsZero() != tm.IsZero() ||
			!bytes.Equal(got.Snapshot, r.Snapshot) {
			t.Errorf("record %v: got %+v, %v", tm, got, err)
		}
		s := Step{Seq: 5, Root: 6, PrevRoot: 7, Time: tm, Reverse: []byte("yz")}
		gs, err := decodeStep(encodeStep(s))
		if err != nil || gs.Seq != 5 || gs.Root != 6 || gs.PrevRoot != 7 || !gs.Time.Equal(tm) || gs.Time.IsZero() != tm.IsZero() ||
			!bytes.Equal(gs.Reverse, s.Reverse) {
			t.Errorf("step %v: got %+v, %v", tm, gs, err)
		}
	}
}

// TestEncodingGolden pins the byte layout documented in doc.go.
func TestEncodingGolden(t *testing.T) {
	r := Record{Seq: 2, Root: 0x1122334455667788, Time: time.Unix(0, 0x10), Snapshot: []byte("ab")}
	want := "01" + "52" + "0000000000000002" + "1122334455667788" + "0000000000000010" + "00000002" + "6162"
	got := hex.EncodeToString(encodeRecord(r))
	if got[:len(want)] != want || len(got) != len(want)+8 {
		t.Fatalf("record encoding\n got %s\nwant %s????????", got, want)
	}
	s := Step{Seq: 2, Root: 3, PrevRoot: 4, Reverse: []byte("c")}
	want = "01" + "53" + "0000000000000002" + "0000000000000003" + "0000000000000004" + "8000000000000000" + "00000001" + "63"
	got = hex.EncodeToString(encodeStep(s))
	if got[:len(want)] != want || len(got) != len(want)+8 {
		t.Fatalf("step encoding\n got %s\nwant %s????????", got, want)
	}
}

// TestEncodingDamage: every truncation and every single-bit flip of a value
// reads as ErrCorrupt (CRC-32C catches all single-bit errors).
func TestEncodingDamage(t *testing.T) {
	values := map[string]struct {
		v      []byte
		decode func([]byte) error
	}{
		"record": {encodeRecord(rec("a", 3)), func(b []byte) error { _, err := decodeRecord(b); return err }},
		"step":   {encodeStep(*step("a", 3)), func(b []byte) error { _, err := decodeStep(b); return err }},
	}
	for name, c := range values {
		if err := c.decode(c.v); err != nil {
			t.Fatalf("%s: intact value: %v", name, err)
		}
		for n := range len(c.v) {
			if err := c.decode(c.v[:n]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s truncated to %d: err = %v", name, n, err)
			}
		}
		for i := range len(c.v) * 8 {
			b := bytes.Clone(c.v)
			b[i/8] ^= 1 << (i % 8)
			if err := c.decode(b); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s bit %d flipped: err = %v", name, i, err)
			}
		}
	}
	// A step is not a record, even with a valid checksum.
	if _, err := decodeRecord(encodeStep(*step("a", 3))); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("step read as record: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodeRecord(rec("a", 1)))
	f.Add(encodeStep(*step("a", 2)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeRecord(b); err == nil {
			if !bytes.Equal(encodeRecord(r), b) {
				t.Fatal("record does not re-encode to the same bytes")
			}
		}
		if s, err := decodeStep(b); err == nil {
			if !bytes.Equal(encodeStep(s), b) {
				t.Fatal("step does not re-encode to the same bytes")
			}
		}
	})
}
