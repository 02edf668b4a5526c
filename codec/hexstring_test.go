package codec

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

func TestHexTail(t *testing.T) {
	id := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		s      string
		prefix int
		ok     bool
	}{
		{"", 0, false},
		{"0123456789abcde", 0, false}, // 15 digits
		{"0123456789abcdef", 0, true},
		{"f0123456789abcdef", 1, true}, // odd: the first digit stays in the prefix
		{id, 0, true},
		{"sha256:" + id, 7, true},
		{"containerd://" + id, 13, true},
		{"nginx@sha256:" + id, 13, true},
		{strings.ToUpper(id), 0, false},
		{id + "Z", 0, false},         // the run must end the string
		{id + "-" + "abc", 0, false}, // ... and be long enough there
		{"12345678901234567890", 0, true},
		{strings.Repeat("x", 255) + id, 255, true},
		{strings.Repeat("x", 256) + id, 0, false}, // the prefix's length is one byte
		{"é" + id, len("é"), true},
	}
	for _, tt := range tests {
		prefix, ok := hexTail(tt.s)
		if ok != tt.ok || (ok && prefix != tt.prefix) {
			t.Errorf("hexTail(%.40q) = %d, %v; want %d, %v", tt.s, prefix, ok, tt.prefix, tt.ok)
		}
	}
}

// TestHexStringsRoundTrip writes strings of every shape in full frames and
// deltas of both formats: each comes back the same, format 5 sends the
// ones with a long hex tail as bytes, and format 4 sends none.
func TestHexStringsRoundTrip(t *testing.T) {
	id := "4f1c0a6be2d04a7e9e0f3b6b51e8d8e2c3a9f0b1d2e3f4a5b6c7d8e9f0a1b2c3"
	strs := []string{"", "a", "0123456789abcde", "0123456789abcdef", "f0123456789abcdef", id, "sha256:" + id,
		"containerd://" + id, strings.ToUpper(id), id + "Z", strings.Repeat("é", 200) + id, strings.Repeat("x", 256) + id,
		"12345678901234567890", "00000000000000000000000000000000", strings.Repeat("ab", 40000)}
	packed := 0
	for _, s := range strs {
		if _, ok := hexTail(s); ok {
			packed++
		}
	}
	var doc bytes.Buffer
	doc.WriteString(`{"values":[`)
	for i, s := range strs {
		if i > 0 {
			doc.WriteByte(',')
		}
		doc.WriteString(`"` + s + `"`)
	}
	doc.WriteString(`]}`)
	next := mustParse(t, doc.String())
	base := mustParse(t, `{"values":[]}`)
	for _, version := range []uint8{4, 5} {
		enc, err := NewEncoder(WithVersion(version), WithoutCompression())
		if err != nil {
			t.Fatal(err)
		}
		full, err := enc.AppendFull(nil, next)
		if err != nil {
			t.Fatal(err)
		}
		delta, err := enc.AppendDelta(nil, mustDiff(t, base, next))
		if err != nil {
			t.Fatal(err)
		}
		for name, frame := range map[string][]byte{"full": full, "delta": delta} {
			info, err := Inspect(frame)
			if err != nil {
				t.Fatalf("format %d %s: %v", version, name, err)
			}
			want := packed
			if version < 5 {
				want = 0
			}
			if info.HexStrings != want {
				t.Errorf("format %d %s frame sends %d hex strings, want %d", version, name, info.HexStrings, want)
			}
			var got *snapshot.Snapshot
			if name == "full" {
				got, err = Apply(nil, frame)
			} else {
				got, err = Apply(base, frame)
			}
			if err != nil {
				t.Fatalf("format %d %s: %v", version, name, err)
			}
			sameSnapshot(t, got, next)
		}
	}
}

// TestHexStringsSaveHalf checks what format 5 is for: a 64-digit id costs
// 35 bytes instead of 66 in a raw body.
func TestHexStringsSaveHalf(t *testing.T) {
	id := "bd5445925d5c5bab664caf33f2200415be75b1d614ce3c323809278245e3dd48"
	base := mustParse(t, `{"EndpointID":""}`)
	next := mustParse(t, `{"EndpointID":"`+id+`"}`)
	sizes := map[uint8]int{}
	for _, version := range []uint8{4, 5} {
		enc, err := NewEncoder(WithVersion(version), WithoutCompression())
		if err != nil {
			t.Fatal(err)
		}
		frame, err := enc.AppendDelta(nil, mustDiff(t, base, next))
		if err != nil {
			t.Fatal(err)
		}
		sizes[version] = len(frame)
	}
	if saved := sizes[4] - sizes[5]; saved != 66-35 {
		t.Errorf("format 5 frame of %d bytes, format 4 of %d: saves %d, want %d", sizes[5], sizes[4], saved, 66-35)
	}
}

// TestHexStringsInOlderFrames relabels the hex-strings vector as format 4:
// its extensions are then corrupt, not strings.
func TestHexStringsInOlderFrames(t *testing.T) {
	frame, err := os.ReadFile(vectorsDir + "/hex-strings/frame.bin")
	if err != nil {
		t.Fatal(err)
	}
	base := parseFile(t, vectorsDir+"/hex-strings/base.json")
	if _, err := Apply(base, frame); err != nil {
		t.Fatal(err)
	}
	old := bytes.Clone(frame)
	old[2] = 4
	if _, err := Apply(base, old); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("hex strings in a format 4 frame: %v, want ErrCorrupt", err)
	}
}
