package jsonpatch

import (
	"errors"
	"slices"
	"testing"
)

func TestParsePointer(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"/", []string{""}},
		{"/foo", []string{"foo"}},
		{"/foo/0", []string{"foo", "0"}},
		{"//", []string{"", ""}},
		{"/a~1b", []string{"a/b"}},
		{"/m~0n", []string{"m~n"}},
		{"/~01", []string{"~1"}}, // one pass: not "/"
		{"/~10", []string{"/0"}},
		{"/c%d/e^f/g|h/i\\j/k\"l/ ", []string{"c%d", "e^f", "g|h", "i\\j", "k\"l", " "}},
		{"/-", []string{"-"}},
	}
	for _, tt := range tests {
		got, err := ParsePointer(tt.in)
		if err != nil {
			t.Errorf("ParsePointer(%q): %v", tt.in, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ParsePointer(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsePointerErrors(t *testing.T) {
	for _, in := range []string{"a", "foo/bar", "#/foo", "/~2", "/~", "/a~", "/a~x/b", "/ok/~/x"} {
		got, err := ParsePointer(in)
		if !errors.Is(err, ErrInvalidPointer) {
			t.Errorf("ParsePointer(%q) = %q, %v; want ErrInvalidPointer", in, got, err)
		}
	}
}

func TestArrayIndex(t *testing.T) {
	tests := []struct {
		tok       string
		n         int
		appending bool
		want      int
		ok        bool
	}{
		{"0", 3, false, 0, true},
		{"2", 3, false, 2, true},
		{"3", 3, false, 0, false},
		{"3", 3, true, 3, true},
		{"4", 3, true, 0, false},
		{"-", 3, true, 3, true},
		{"-", 3, false, 0, false},
		{"01", 3, false, 0, false},
		{"00", 3, false, 0, false},
		{"-1", 3, true, 0, false},
		{"+1", 3, true, 0, false},
		{"1e0", 3, false, 0, false},
		{" 1", 3, false, 0, false},
		{"", 3, true, 0, false},
		{"99999999999999999999", 3, true, 0, false},
		{"9223372036854775807", 3, true, 0, false},
	}
	for _, tt := range tests {
		got, err := arrayIndex(tt.tok, tt.n, tt.appending)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("arrayIndex(%q, %d, %v) = %d, %v", tt.tok, tt.n, tt.appending, got, err)
		}
		if err != nil && !errors.Is(err, ErrPathNotFound) {
			t.Errorf("arrayIndex(%q): %v does not wrap ErrPathNotFound", tt.tok, err)
		}
	}
}
