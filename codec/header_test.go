package codec

import (
	"errors"
	"testing"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name    string
		frame   []byte
		want    Header // checked when err is nil
		wantErr error
	}{
		{"empty", nil, Header{}, ErrCorrupt},
		{"shorter than a header", []byte("SD\x01"), Header{}, ErrCorrupt},
		{"bad magic", []byte("XD\x01\x00\x00\x00"), Header{}, ErrCorrupt},
		{"lower-case magic", []byte("sd\x01\x00\x00\x00"), Header{}, ErrCorrupt},
		{"version 0", []byte("SD\x00\x00\x00\x00"), Header{}, ErrVersion},
		{"version 9", []byte("SD\x09\x00\x00\x00"), Header{}, ErrVersion},
		{"format 4 dictionary 4 in the flags", []byte("SD\x04\x41\x00"), Header{}, ErrVersion},
		{"format 3 naming dictionary 3", []byte("SD\x03\x01\x03\x00"), Header{}, ErrVersion},
		{"format 4 escaped dictionary 300", []byte("SD\x04\xf1\xac\x02\x00"), Header{}, ErrVersion},
		{"format 4 escaped dictionary below 15", []byte("SD\x04\xf1\x02\x00"), Header{}, ErrCorrupt},
		{"format 4 escaped dictionary truncated", []byte("SD\x04\xf1\x80"), Header{}, ErrCorrupt},
		{"format 4 body size missing", []byte("SD\x04\x21"), Header{}, ErrCorrupt},
		{"version 255", []byte("SD\xff\x00\x00\x00"), Header{}, ErrVersion},
		{"reserved bit 4", []byte("SD\x01\x10\x00\x00"), Header{}, ErrCorrupt},
		{"reserved bit 7", []byte("SD\x01\x80\x00\x00"), Header{}, ErrCorrupt},
		{"kind 2", []byte("SD\x01\x02\x00\x00"), Header{}, ErrCorrupt},
		{"kind 3", []byte("SD\x01\x03\x00\x00"), Header{}, ErrCorrupt},
		{"kind 3 in format 8", []byte("SD\x08\x07\x05"), Header{}, ErrCorrupt},
		{"patch-from in format 7", []byte("SD\x07\x06\x05"), Header{}, ErrCorrupt},
		{"patch-from raw", []byte("SD\x08\x02\x01\x00"), Header{}, ErrCorrupt},
		{"patch-from as a zstd block", []byte("SD\x08\x0a\x05\x00"), Header{}, ErrCorrupt},
		{
			"patch-from", []byte("SD\x08\x36\x90\x03"),
			Header{Version: 8, Kind: PatchFrom, Compression: Zstd, Dictionary: 3, BodySize: 400, HeaderSize: 6}, nil,
		},
		{"compression 2", []byte("SD\x01\x08\x00\x00"), Header{}, ErrCorrupt},
		{"compression 3", []byte("SD\x01\x0c\x00\x00"), Header{}, ErrCorrupt},
		{"format 4 compression 2", []byte("SD\x04\x09\x05\x01"), Header{}, ErrCorrupt},
		{"format 5 compression 3", []byte("SD\x05\x0d\x05\x01"), Header{}, ErrCorrupt},
		{"format 5 zstd block, nothing in it", []byte("SD\x05\x09\x05"), Header{}, ErrCorrupt},
		{"format 5 zstd block of an empty body", []byte("SD\x05\x09\x00\x01"), Header{}, ErrCorrupt},
		{"format 5 zstd block longer than its body", []byte("SD\x05\x09\x02\x01\x02\x03"), Header{}, ErrCorrupt},
		{"format 5 zstd block of a body past 128 KiB", []byte("SD\x05\x09\x81\x80\x08\x01"), Header{}, ErrCorrupt},
		{
			"format 5 zstd block", []byte("SD\x05\x09\x05\x01"),
			Header{Version: 5, Kind: DeltaKind, Compression: ZstdBlock, BodySize: 5, HeaderSize: 5}, nil,
		},
		{
			"format 5 zstd block of a 128 KiB body", []byte("SD\x05\x08\x80\x80\x08\x01"),
			Header{Version: 5, Kind: Full, Compression: ZstdBlock, BodySize: 128 << 10, HeaderSize: 7}, nil,
		},
		{"dictionary 1", []byte("SD\x01\x00\x01\x00"), Header{}, ErrVersion},
		{"dictionary 300", []byte("SD\x01\x00\xac\x02\x00"), Header{}, ErrVersion},
		{"dictionary id truncated", []byte("SD\x01\x00\x80"), Header{}, ErrCorrupt},
		{"dictionary id missing", []byte("SD\x01\x00"), Header{}, ErrCorrupt},
		{"dictionary id overflows 64 bits", []byte("SD\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00"), Header{}, ErrCorrupt},
		{"body size missing", []byte("SD\x01\x00\x00"), Header{}, ErrCorrupt},
		{"body size truncated", []byte("SD\x01\x00\x00\xff\xff"), Header{}, ErrCorrupt},
		{"body size overflows 64 bits", []byte("SD\x01\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), Header{}, ErrCorrupt},
		{"raw body shorter than its size", []byte("SD\x01\x00\x00\x03\x90\x90"), Header{}, ErrCorrupt},
		{"raw body longer than its size", []byte("SD\x01\x00\x00\x01\x90\x90"), Header{}, ErrCorrupt},
		{"raw body of huge size", []byte("SD\x01\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), Header{}, ErrCorrupt},
		{
			"full raw, empty body", []byte("SD\x01\x00\x00\x00"),
			Header{Version: 1, Kind: Full, Compression: None, BodySize: 0, HeaderSize: 6}, nil,
		},
		{
			"delta raw", []byte("SD\x01\x01\x00\x02\x90\x90"),
			Header{Version: 1, Kind: DeltaKind, Compression: None, BodySize: 2, HeaderSize: 6}, nil,
		},
		{
			// A zstd body's compressed length is not in the header: only the
			// decoded size is, checked after inflating.
			"delta zstd, two-byte size", []byte("SD\x01\x05\x00\xac\x02\x28\xb5\x2f\xfd"),
			Header{Version: 1, Kind: DeltaKind, Compression: Zstd, BodySize: 300, HeaderSize: 7}, nil,
		},
		{
			"format 3 delta raw", []byte("SD\x03\x01\x01\x02\x90\x90"),
			Header{Version: 3, Kind: DeltaKind, Compression: None, Dictionary: 1, BodySize: 2, HeaderSize: 6}, nil,
		},
		{
			"format 4 delta raw, dictionary 2 in the flags", []byte("SD\x04\x21\x02\x90\x90"),
			Header{Version: 4, Kind: DeltaKind, Compression: None, Dictionary: 2, BodySize: 2, HeaderSize: 5}, nil,
		},
		{
			"format 4 delta raw, dictionary 3 in the flags", []byte("SD\x04\x31\x02\x90\x90"),
			Header{Version: 4, Kind: DeltaKind, Compression: None, Dictionary: 3, BodySize: 2, HeaderSize: 5}, nil,
		},
		{
			"format 4 full zstd, no dictionary", []byte("SD\x04\x04\x02\x00\x00"),
			Header{Version: 4, Kind: Full, Compression: Zstd, Dictionary: 0, BodySize: 2, HeaderSize: 5}, nil,
		},
		{
			// A non-minimal uvarint is still a valid uvarint.
			"padded dictionary id 0", []byte("SD\x01\x00\x80\x00\x00"),
			Header{Version: 1, Kind: Full, Compression: None, BodySize: 0, HeaderSize: 7}, nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHeader(tt.frame)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseHeader(% x) = %v, want %v", tt.frame, err, tt.wantErr)
				}
				// The decoder must refuse the frame for the same reason.
				if _, err := Decode(tt.frame); !errors.Is(err, tt.wantErr) {
					t.Fatalf("Decode(% x) = %v, want %v", tt.frame, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHeader(% x): %v", tt.frame, err)
			}
			if h != tt.want {
				t.Fatalf("ParseHeader(% x) = %+v, want %+v", tt.frame, h, tt.want)
			}
		})
	}
}

func TestDecodeBodySizeLimit(t *testing.T) {
	d, err := NewDecoder(WithMaxDecodedSize(100))
	if err != nil {
		t.Fatal(err)
	}
	// A raw body of 101 bytes and a zstd body claiming 101 bytes are both
	// refused from the header alone.
	raw := rawFrame(Full, make([]byte, 101))
	if _, err := d.Decode(raw); !errors.Is(err, ErrTooLarge) {
		t.Errorf("raw body over the limit: %v, want ErrTooLarge", err)
	}
	z := []byte("SD\x01\x04\x00\x65\x28\xb5\x2f\xfd")
	if _, err := d.Decode(z); !errors.Is(err, ErrTooLarge) {
		t.Errorf("zstd body claiming over the limit: %v, want ErrTooLarge", err)
	}
	// A huge claim must not be believed either: no allocation of its size.
	huge := []byte("SD\x01\x04\x00\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x28\xb5\x2f\xfd")
	if _, err := Decode(huge); !errors.Is(err, ErrTooLarge) {
		t.Errorf("zstd body claiming 2^63 bytes: %v, want ErrTooLarge", err)
	}
}

func TestKindAndCompressionStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{Full.String(), "full"},
		{DeltaKind.String(), "delta"},
		{Kind(3).String(), "kind(3)"},
		{None.String(), "none"},
		{Zstd.String(), "zstd"},
		{ZstdBlock.String(), "zstd-block"},
		{Compression(3).String(), "compression(3)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
