package jsonpatch

import (
	"encoding/json"
	"testing"
)

func TestEqualNumbers(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"1", "1", true},
		{"1", "1.0", true},
		{"1", "10e-1", true},
		{"1", "0.1E1", true},
		{"1", "1E+0", true},
		{"100", "1e2", true},
		{"0.00120", "1.2e-3", true},
		{"0", "-0", true},
		{"0", "0.000e7", true},
		{"-0.0", "0e-5", true},
		{"1e400", "10e399", true},
		{"1e400", "1e401", false},
		{"12345678901234567890", "12345678901234567890.0", true},
		{"12345678901234567890", "12345678901234567891", false},
		{"9007199254740993", "9007199254740992", false}, // equal as float64
		{"1e99999999999999999999", "10e99999999999999999998", true},
		{"1e99999999999999999999", "1e99999999999999999998", false},
		{"1e-99999999999999999999", "0.1e-99999999999999999998", true},
		{"1e9223372036854775807", "0.01e9223372036854775809", true}, // point+exp overflows int64
		{"1", "2", false},
		{"1", "-1", false},
		{"0.1", "1", false},
		{"10", "1", false},
		{"abc", "abc", true}, // not a number, but the same literal
		{"abc", "abd", false},
		{"1", "01", false}, // "01" is not a JSON number
		{"1.", "1", false},
		{"", "0", false},
	}
	for _, tt := range tests {
		if got := Equal(json.Number(tt.a), json.Number(tt.b)); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := Equal(json.Number(tt.b), json.Number(tt.a)); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestEqualValues(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`null`, `null`, true},
		{`null`, `false`, false},
		{`true`, `true`, true},
		{`true`, `false`, false},
		{`"a"`, `"a"`, true},
		{`"1"`, `1`, false},
		{`[]`, `{}`, false},
		{`[1,2]`, `[1,2]`, true},
		{`[1,2]`, `[2,1]`, false},
		{`[1,2]`, `[1,2,3]`, false},
		{`{"a":1,"b":[1.0]}`, `{"b":[1],"a":1.00}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"a":null}`, `{"b":null}`, false},
		{`{"a":{"b":[{"c":1}]}}`, `{"a":{"b":[{"c":2}]}}`, false},
	}
	for _, tt := range tests {
		a, b := decode(t, tt.a), decode(t, tt.b)
		if got := Equal(a, b); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := Equal(b, a); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestEqualForeignTypes(t *testing.T) {
	if Equal(1.0, 1.0) {
		t.Error("float64 values compared equal; they are outside the value-tree model")
	}
	if Equal(json.Number("1"), 1.0) {
		t.Error("json.Number equal to float64")
	}
	if Equal([]any{1}, []any{1}) {
		t.Error("arrays of int compared equal")
	}
}

func TestValidNumber(t *testing.T) {
	valid := []string{"0", "-0", "1", "-1", "1.5", "0.5", "1e5", "1E+5", "1e-05", "12345678901234567890", "1e400"}
	invalid := []string{"", "-", "01", "+1", "1.", ".5", "1e", "1e+", "0x10", "NaN", "Infinity", "1 ", " 1", "1_000", "--1"}
	for _, s := range valid {
		if !validNumber(s) {
			t.Errorf("validNumber(%q) = false", s)
		}
	}
	for _, s := range invalid {
		if validNumber(s) {
			t.Errorf("validNumber(%q) = true", s)
		}
	}
}
