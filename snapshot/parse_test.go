package snapshot

import (
	"errors"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		kind  Kind
		canon string
	}{
		{"null", "null", Null, "null"},
		{"true", "true", Bool, "true"},
		{"false", "false", Bool, "false"},
		{"zero", "0", Number, "0"},
		{"negative zero", "-0", Number, "-0"},
		{"integer", "42", Number, "42"},
		{"negative", "-17", Number, "-17"},
		{"fraction", "3.25", Number, "3.25"},
		{"exponent", "1e10", Number, "1e10"},
		{"signed exponents", "[1E+2,1e-2,-0.5E-0]", Array, "[1E+2,1e-2,-0.5E-0]"},
		{"exponent leading zeros", "1e007", Number, "1e007"},
		{"string", `"hello"`, String, `"hello"`},
		{"empty string", `""`, String, `""`},
		{"escaped solidus", `"a\/b"`, String, `"a/b"`},
		{"all short escapes", `"\"\\\/\b\f\n\r\t"`, String, `"\"\\/\b\f\n\r\t"`},
		{"unicode escape to raw UTF-8", `"caf\u00e9"`, String, `"café"`},
		{"uppercase hex escape", `"\u00E9"`, String, `"é"`},
		{"raw UTF-8", `"日本語 😀"`, String, `"日本語 😀"`},
		{"empty array", "[]", Array, "[]"},
		{"empty object", "{}", Object, "{}"},
		{"empty containers with space", "[ ] ", Array, "[]"},
		{"empty object with newline", "{\n}", Object, "{}"},
		{"array", "[1,2,3]", Array, "[1,2,3]"},
		{"array of empties", "[[],{},[[]]]", Array, "[[],{},[[]]]"},
		{"object sorted", `{"b":1,"a":2,"c":3}`, Object, `{"a":2,"b":1,"c":3}`},
		{"object bytewise order", `{"é":1,"b":2,"B":3,"":4,"aa":5,"a":6}`, Object, `{"":4,"B":3,"a":6,"aa":5,"b":2,"é":1}`},
		{"nested", `{"a":{"b":[{"c":null,"b":false}]}}`, Object, `{"a":{"b":[{"b":false,"c":null}]}}`},
		{"empty key", `{"":""}`, Object, `{"":""}`},
		{"leading and trailing whitespace", " \t\r\n null \n\t\r ", Null, "null"},
		{"whitespace everywhere", "\n{ \"a\" :\t[ 1 ,\r\n2 ] , \"b\"\n:\n{ } }\n", Object, `{"a":[1,2],"b":{}}`},
		{"CRLF document", "[\r\n  true,\r\n  false\r\n]\r\n", Array, "[true,false]"},
		{"keys that differ by escape only", `{"a\u0062":1,"ac":2}`, Object, `{"ab":1,"ac":2}`},
		{"NUL escape", `"a\u0000b"`, String, `"a\u0000b"`},
		{"DEL raw", "\"\x7f\"", String, "\"\x7f\""},
		{"U+2028 raw", "\"\u2028\u2029\"", String, "\"\u2028\u2029\""},
		{"max 4-byte rune", "\"\U0010FFFF\"", String, "\"\U0010FFFF\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := s.Root().Kind(); got != tt.kind {
				t.Errorf("kind = %v, want %v", got, tt.kind)
			}
			if got := string(s.MarshalCanonical()); got != tt.canon {
				t.Errorf("canonical = %q, want %q", got, tt.canon)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		err       error
		line, col int
		msg       string // a fragment of the message
	}{
		{"empty input", "", ErrSyntax, 1, 1, "end of input"},
		{"only whitespace", "  \n ", ErrSyntax, 2, 2, "end of input"},
		{"trailing comma in array", "[1,]", ErrSyntax, 1, 4, "']'"},
		{"trailing comma in object", `{"a":1,}`, ErrSyntax, 1, 8, "member name"},
		{"double comma", "[1,,2]", ErrSyntax, 1, 4, "','"},
		{"leading comma", "[,1]", ErrSyntax, 1, 2, "','"},
		{"leading zero", "01", ErrSyntax, 1, 2, "leading zero"},
		{"negative leading zero", "-01", ErrSyntax, 1, 3, "leading zero"},
		{"leading zero in array", "[00]", ErrSyntax, 1, 3, "leading zero"},
		{"leading zero in fraction position", "[0.0, 007]", ErrSyntax, 1, 8, "leading zero"},
		{"zero then letter", "[0a]", ErrSyntax, 1, 3, "in array"},
		{"plus sign", "+1", ErrSyntax, 1, 1, "'+'"},
		{"leading dot", ".5", ErrSyntax, 1, 1, "'.'"},
		{"trailing dot", "1.", ErrSyntax, 1, 3, "after '.'"},
		{"dot then exponent", "1.e5", ErrSyntax, 1, 3, "after '.'"},
		{"bare exponent", "1e", ErrSyntax, 1, 3, "exponent"},
		{"signed bare exponent", "1e+", ErrSyntax, 1, 4, "exponent"},
		{"lone minus", "-", ErrSyntax, 1, 2, "digit"},
		{"minus letter", "-a", ErrSyntax, 1, 2, "digit"},
		{"hex number", "0x10", ErrSyntax, 1, 2, "'x'"},
		{"NaN", "NaN", ErrSyntax, 1, 1, "'N'"},
		{"Infinity", "Infinity", ErrSyntax, 1, 1, "'I'"},
		{"negative Infinity", "-Infinity", ErrSyntax, 1, 2, "digit"},
		{"NaN in array", "[1, NaN]", ErrSyntax, 1, 5, "'N'"},
		{"truncated literal", "tru", ErrSyntax, 1, 1, "true"},
		{"capitalised literal", "True", ErrSyntax, 1, 1, "'T'"},
		{"misspelt null", "nul1", ErrSyntax, 1, 1, "null"},
		{"literal with garbage", "nullx", ErrSyntax, 1, 5, "'x'"},
		{"unterminated string", `"abc`, ErrSyntax, 1, 5, "end of input in string"},
		{"unterminated non-ASCII string", `"é`, ErrSyntax, 1, 4, "end of input in string"},
		{"unterminated after escape", `"\"`, ErrSyntax, 1, 4, "end of input in string"},
		{"backslash at end", `"\`, ErrSyntax, 1, 3, "escape"},
		{"unterminated key", `{"a`, ErrSyntax, 1, 4, "end of input in string"},
		{"raw tab in string", "\"a\tb\"", ErrSyntax, 1, 3, "0x09"},
		{"raw newline in string", "\"a\nb\"", ErrSyntax, 1, 3, "0x0a"},
		{"raw NUL in string", "\"\x00\"", ErrSyntax, 1, 2, "0x00"},
		{"raw control after escape", "\"\\n\x1f\"", ErrSyntax, 1, 4, "0x1f"},
		{"invalid escape", `"\x"`, ErrSyntax, 1, 2, `'\x'`},
		{"escaped single quote", `"\'"`, ErrSyntax, 1, 2, "escape"},
		{"short unicode escape", `"\u12"`, ErrSyntax, 1, 2, `\u`},
		{"non-hex unicode escape", `"\u12G4"`, ErrSyntax, 1, 2, `\u`},
		{"uppercase U escape", `"\U0041"`, ErrSyntax, 1, 2, "escape"},
		{"bad second half of pair", `"\ud800\u12"`, ErrSyntax, 1, 8, `\u`},
		{"invalid UTF-8 byte", "\"\xff\"", ErrSyntax, 1, 2, "UTF-8"},
		{"truncated UTF-8 sequence", "\"\xc3\"", ErrSyntax, 1, 2, "UTF-8"},
		{"overlong UTF-8", "\"\xc0\xaf\"", ErrSyntax, 1, 2, "UTF-8"},
		{"UTF-8 encoded surrogate", "\"a\xed\xa0\x80\"", ErrSyntax, 1, 3, "UTF-8"},
		{"invalid UTF-8 in key", "{\"\xfe\":1}", ErrSyntax, 1, 3, "UTF-8"},
		{"invalid UTF-8 outside string", "\xff", ErrSyntax, 1, 1, "0xff"},
		{"byte order mark", "\xef\xbb\xbf{}", ErrSyntax, 1, 1, "0xef"},
		{"duplicate key", `{"a":1,"a":2}`, ErrSyntax, 1, 1, `repeats member "a"`},
		{"duplicate key after escape", `{"a":1,"\u0061":2}`, ErrSyntax, 1, 1, `repeats member "a"`},
		{"nested duplicate key", `[1, {"b":0,"c":1,"b":1}]`, ErrSyntax, 1, 5, `repeats member "b"`},
		{"duplicate key on line 3", "{\n \"x\": 1,\n \"y\": {\"k\": 1, \"k\": 1}\n}", ErrSyntax, 3, 7, `repeats member "k"`},
		{"trailing garbage", "{} x", ErrSyntax, 1, 4, "after the document"},
		{"two documents", "1 2", ErrSyntax, 1, 3, "after the document"},
		{"two objects", "{}{}", ErrSyntax, 1, 3, "after the document"},
		{"trailing NUL", "null\x00", ErrSyntax, 1, 5, "0x00"},
		{"missing comma", "[1 2]", ErrSyntax, 1, 4, "in array"},
		{"missing colon", `{"a" 1}`, ErrSyntax, 1, 6, "':'"},
		{"unquoted key", `{a:1}`, ErrSyntax, 1, 2, "member name"},
		{"single-quoted string", `'a'`, ErrSyntax, 1, 1, `'\''`},
		{"number key", `{1:1}`, ErrSyntax, 1, 2, "member name"},
		{"unclosed array", "[", ErrSyntax, 1, 2, "end of input"},
		{"unclosed array after value", "[1", ErrSyntax, 1, 3, "end of input in array"},
		{"unclosed object", `{"a":1`, ErrSyntax, 1, 7, "end of input in object"},
		{"unclosed object after key", `{"a"`, ErrSyntax, 1, 5, "':'"},
		{"object missing value", `{"a":}`, ErrSyntax, 1, 6, "'}'"},
		{"mismatched brackets", "[}", ErrSyntax, 1, 2, "'}'"},
		{"mismatched braces", `{"a":1]`, ErrSyntax, 1, 7, "']'"},
		{"lone closing bracket", "]", ErrSyntax, 1, 1, "']'"},
		{"form feed is not whitespace", "\f1", ErrSyntax, 1, 1, "0x0c"},
		{"error on line 3", "{\n  \"a\": 1,\n  \"b\": tru\n}", ErrSyntax, 3, 8, "true"},
		{"CRLF lines", "[\r\n1,\r\n]", ErrSyntax, 3, 1, "']'"},
		{"column counts bytes", "[\"é\", x]", ErrSyntax, 1, 8, "'x'"},
		{"comment", "// c\n1", ErrSyntax, 1, 1, "'/'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.in, s.MarshalCanonical())
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error %v is not %v", err, tt.err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			if se.Line != tt.line || se.Column != tt.col {
				t.Errorf("position = line %d column %d, want line %d column %d (%v)", se.Line, se.Column, tt.line, tt.col, err)
			}
			if se.Offset < 0 || se.Offset > int64(len(tt.in)) {
				t.Errorf("offset %d outside the input of %d bytes", se.Offset, len(tt.in))
			}
			if !strings.Contains(se.Error(), tt.msg) {
				t.Errorf("message %q does not mention %q", se.Error(), tt.msg)
			}
		})
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	_, err := Parse([]byte("{\n  \"a\": x\n}"))
	want := "snapshot: invalid JSON at line 2, column 8 (offset 9): unexpected 'x', expected a value"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
	if errors.Is(err, ErrTooDeep) || errors.Is(err, ErrTooLarge) {
		t.Errorf("syntax error %v also matches another sentinel", err)
	}
}

func TestParseSurrogates(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"valid pair", `"\ud83d\ude00"`, "😀"},
		{"valid pair uppercase", `"\uD83D\uDE00"`, "😀"},
		{"highest pair", `"\udbff\udfff"`, "\U0010FFFF"},
		{"lone high", `"\ud800"`, "\uFFFD"},
		{"lone low", `"\udc00"`, "\uFFFD"},
		{"high then text", `"\ud800x"`, "\uFFFDx"},
		{"high then BMP escape", `"\ud800\u0041"`, "\uFFFDA"},
		{"high then other escape", `"\ud800\n"`, "\uFFFD\n"},
		{"low then high", `"\udc00\ud800"`, "\uFFFD\uFFFD"},
		{"two highs", `"\ud800\ud800"`, "\uFFFD\uFFFD"},
		{"high, high, low", `"\ud800\ud83d\ude00"`, "\uFFFD😀"},
		{"escaped replacement char", `"\ufffd"`, "\uFFFD"},
		{"high then U+FFFD escape", `"\ud800\ufffd"`, "\uFFFD\uFFFD"},
		{"NUL", `"\u0000"`, "\x00"},
		{"NUL between text", `"a\u0000b\u0000"`, "a\x00b\x00"},
		{"BMP escape", `"\u20ac"`, "€"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := mustNode(t, tt.in)
			if n.Kind() != String || n.Text() != tt.want {
				t.Errorf("Parse(%s) = %v %q, want string %q", tt.in, n.Kind(), n.Text(), tt.want)
			}
			// The same string as a key decodes the same way.
			obj := mustNode(t, "{"+tt.in+":0}")
			if _, ok := obj.Get(tt.want); !ok {
				t.Errorf("key %s: Get(%q) not found; keys %q", tt.in, tt.want, obj.Keys())
			}
		})
	}
}

func TestParseDuplicateKeyIsRefusedNotDropped(t *testing.T) {
	// encoding/json keeps the last value; snapdelta refuses, since a
	// lossless model cannot hold both and must not pick one silently.
	for _, doc := range []string{
		`{"a":1,"a":1}`,
		`{"a":1,"b":2,"a":3}`,
		`{"x":{"a":1},"y":[{"a":{},"a":{}}]}`,
		`{"\ud800":1,"\udc00":2}`, // both decode to U+FFFD
	} {
		_, err := Parse([]byte(doc))
		if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "repeats member") {
			t.Errorf("Parse(%s) error = %v, want a repeated-member ErrSyntax", doc, err)
		}
	}
}

func TestValidNumber(t *testing.T) {
	valid := []string{"0", "-0", "1", "-1", "10", "1.0", "1.00", "0.5", "-0.0", "1e5", "1E5", "1e+5", "1e-5",
		"1.5e10", "12345678901234567890", "1e400", "-1e-400", "0e0", "9007199254740993"}
	invalid := []string{"", "-", "+1", "01", "-01", "00", ".5", "1.", "1e", "1e+", "1e-", "1.e5", "NaN",
		"Infinity", "-Infinity", "0x1", "1 ", " 1", "1,", "--1", "1e5.0", "1_000", "١"}
	for _, s := range valid {
		if !ValidNumber(s) {
			t.Errorf("ValidNumber(%q) = false, want true", s)
		}
	}
	for _, s := range invalid {
		if ValidNumber(s) {
			t.Errorf("ValidNumber(%q) = true, want false", s)
		}
	}
}

func TestParseValue(t *testing.T) {
	cfg, err := NewConfig(WithMaxDepth(1))
	if err != nil {
		t.Fatal(err)
	}
	n, err := cfg.ParseValue([]byte(`[{"Id":"a"},{"Id":"b"}]`))
	if !errors.Is(err, ErrTooDeep) || n != nil {
		t.Errorf("ParseValue beyond the depth bound = %v, %v; want ErrTooDeep", n, err)
	}
	n, err = DefaultConfig().ParseValue([]byte(` [{"Id":"a"},{"Id":"b"}] `))
	if err != nil {
		t.Fatal(err)
	}
	if c := n.Collection(); c == nil || len(c.Keys()) != 2 {
		t.Errorf("ParseValue did not key the collection: %v", c)
	}
}

func TestParseKeepsInputUnaliased(t *testing.T) {
	// Nodes must not alias the input buffer: the agent reuses its read buffer.
	data := []byte(`{"name":"abc","list":["x\n","y"],"n":123}`)
	s, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := string(s.MarshalCanonical())
	h := s.Hash()
	for i := range data {
		data[i] = 'z'
	}
	if got := string(s.MarshalCanonical()); got != want || s.Hash() != h {
		t.Errorf("snapshot changed with its input buffer: %s", got)
	}
}
