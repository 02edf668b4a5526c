package codec

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/vmihailenco/msgpack/v5"
)

// TestGroupedPatches checks that items patched alike share one entry, that
// it applies, and that readers refuse malformed position runs.
func TestGroupedPatches(t *testing.T) {
	base := mustParse(t, `{"c":[{"id":"a","s":"Up 3 minutes"},{"id":"b","s":"Up 9 minutes"},{"id":"c","s":"Up 2 hours"},{"id":"d","s":"Up 7 minutes"}]}`)
	next := mustParse(t, `{"c":[{"id":"a","s":"Up 4 minutes"},{"id":"b","s":"Up 10 minutes"},{"id":"c","s":"Up 2 hours"},{"id":"d","s":"Up 8 minutes"}]}`)
	d := mustDiff(t, base, next)
	if got, _ := groupPatches(d.Edits[0].Collection.Patch, false); len(got) != 1 || len(got[0]) != 3 {
		t.Fatalf("groups %v, want one group of 3", got)
	}
	raw, err := NewEncoder(WithoutCompression())
	if err != nil {
		t.Fatal(err)
	}
	frame, err := raw.AppendDelta(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	// [[0, 1, 2], [[11, "/s", 1, 0]]]: positions 0, 1 and 3.
	if want := []byte{0x92, 0x93, 0x00, 0x01, 0x02, 0x91, 0x94, 0x0b, 0xa2, '/', 's', 0x01, 0x00}; !bytes.Contains(frame, want) {
		t.Fatalf("frame % x lacks the grouped entry % x", frame, want)
	}
	got, err := Apply(base, frame)
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got, next)

	patchFrame := func(version uint8, run []int64) []byte {
		patch := func(enc *msgpack.Encoder) {
			_ = enc.EncodeArrayLen(1)
			_ = enc.EncodeArrayLen(2)
			_ = enc.EncodeArrayLen(len(run))
			for _, v := range run {
				_ = enc.EncodeInt(v)
			}
			_ = enc.EncodeArrayLen(1)
			_ = enc.EncodeArrayLen(4)
			_ = enc.EncodeUint(uint64(delta.OpIncrementText))
			_ = enc.EncodeString("/s")
			_ = enc.EncodeInt(1)
			_ = enc.EncodeInt(0)
		}
		return handCollectionFrame(version, base.Hash(), next.Hash(), noEntries, patch, false, nil)
	}
	if got, err := Apply(base, patchFrame(Version, []int64{0, 1, 2})); err != nil {
		t.Fatalf("hand-written group: %v", err)
	} else {
		sameSnapshot(t, got, next)
	}
	for _, tt := range []struct {
		name    string
		version uint8
		run     []int64
		want    error
	}{
		{"one position", Version, []int64{0}, ErrCorrupt},
		{"no position", Version, nil, ErrCorrupt},
		{"gap of zero", Version, []int64{0, 0}, ErrCorrupt},
		{"negative gap", Version, []int64{1, -1}, ErrCorrupt},
		{"negative first", Version, []int64{-1, 1}, ErrCorrupt},
		{"past the base", Version, []int64{2, 2}, ErrCorrupt},
		{"overflowing gaps", Version, []int64{1, math.MaxInt32}, ErrCorrupt},
		{"format 2 frame", 2, []int64{0, 1, 2}, ErrCorrupt},
		// Positions 0 and 2: "Up 2 hours" becomes "Up 3 hours", not next.
		{"another item", Version, []int64{0, 2}, ErrVerify},
	} {
		_, err := Apply(base, patchFrame(tt.version, tt.run))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}
