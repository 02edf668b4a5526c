package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestMarshalCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"sorted keys, compact", "{ \"z\" : 1 ,\n \"a\" : [ 1 , 2 ] , \"m\" : { \"y\" : true , \"x\" : false } }", `{"a":[1,2],"m":{"x":false,"y":true},"z":1}`},
		{"bytewise key order", `{"b":0,"a":0,"A":0,"_":0,"ä":0,"aa":0,"a b":0,"":0}`, `{"":0,"A":0,"_":0,"a":0,"a b":0,"aa":0,"b":0,"ä":0}`},
		{"array order kept", `[3,1,2,{"b":1,"a":2},[],"z"]`, `[3,1,2,{"a":2,"b":1},[],"z"]`},
		{"escapes shortened", `"\u0041\u002f\/\u00e9"`, `"A//é"`},
		{"escapes kept", `"\"\\\b\f\n\r\t\u0001\u001F"`, `"\"\\\b\f\n\r\t\u0001\u001f"`},
		{"escaped keys", `{"\n":1,"\"":2}`, `{"\n":1,"\"":2}`},
		{"no HTML escaping", `"<a href=\"x\">&amp;</a>"`, `"<a href=\"x\">&amp;</a>"`},
		{"line separators raw", `"\u2028\u2029"`, "\"\u2028\u2029\""},
		{"numbers verbatim", `[1.0,1E+2,-0,1e400]`, `[1.0,1E+2,-0,1e400]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.in)
			got := s.MarshalCanonical()
			if string(got) != tt.want {
				t.Errorf("MarshalCanonical = %s, want %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("output %s is not valid JSON", got)
			}
			var b bytes.Buffer
			if err := s.WriteCanonical(&b); err != nil || b.String() != tt.want {
				t.Errorf("WriteCanonical = %q, %v", b.String(), err)
			}
			if got := AppendCanonical([]byte("prefix:"), s.Root()); string(got) != "prefix:"+tt.want {
				t.Errorf("AppendCanonical did not append: %s", got)
			}
		})
	}
}

func TestCanonicalStringRoundTrip(t *testing.T) {
	var all strings.Builder
	for c := range 0x20 {
		all.WriteByte(byte(c))
	}
	all.WriteString("\"\\/\x7f\u2028\u2029😀\U0010FFFF\uFFFD\x00end")
	const wantEscaped = `"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f` +
		`\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f` +
		"\\\"\\\\/\x7f\u2028\u2029😀\U0010FFFF\uFFFD\\u0000end\""
	for _, s := range []string{all.String(), "", "\x00", "plain", "😀", "\u2028"} {
		n, err := NewString(s)
		if err != nil {
			t.Fatal(err)
		}
		out := AppendCanonical(nil, n)
		if s == all.String() && string(out) != wantEscaped {
			t.Errorf("canonical = %q\nwant        %q", out, wantEscaped)
		}
		if !json.Valid(out) {
			t.Fatalf("canonical %q is not valid JSON", out)
		}
		var viaStd string
		if err := json.Unmarshal(out, &viaStd); err != nil || viaStd != s {
			t.Errorf("encoding/json reads %q back as %q (%v)", s, viaStd, err)
		}
		back := mustNode(t, string(out))
		if back.Text() != s || back.Hash() != n.Hash() || !Equal(back, n) {
			t.Errorf("%q does not round trip: got %q", s, back.Text())
		}
		// As a key too.
		obj, err := NewObject([]string{s}, []*Node{NewNull()})
		if err != nil {
			t.Fatal(err)
		}
		objOut := AppendCanonical(nil, obj)
		if got := mustNode(t, string(objOut)); !Equal(got, obj) {
			t.Errorf("key %q does not round trip via %q", s, objOut)
		}
	}
}

func TestCanonicalMatchesEncodingJSON(t *testing.T) {
	// Without HTML escaping, encoding/json writes maps with sorted keys and
	// the same string escapes, except that it spells some control characters
	// as \u00XX where we use short escapes, and escapes U+2028/U+2029. For
	// plain documents the outputs must be identical.
	doc := `{"name":"web","ports":[80,443],"labels":{"b":"2","a":"1"},"on":true,"off":null,"ratio":0.25,"nested":{"x":[{"z":1,"y":2}]}}`
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSuffix(b.String(), "\n")
	if got := string(mustParse(t, doc).MarshalCanonical()); got != want {
		t.Errorf("canonical\n%s\nencoding/json\n%s", got, want)
	}
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteCanonicalError(t *testing.T) {
	if err := mustParse(t, "[1]").WriteCanonical(failingWriter{}); !errors.Is(err, errWrite) {
		t.Errorf("WriteCanonical error = %v, want %v", err, errWrite)
	}
}

func TestSizeMatchesCanonicalLength(t *testing.T) {
	for _, doc := range []string{
		"null", "true", "false", "123", `"abc"`, "[]", "{}", "[1]", "[1,2,3]", `{"a":1}`, `{"a":1,"bb":[true,null]}`,
		`[{"Id":"x","Names":["/a"]},{"Id":"y","Names":[]}]`, `{"":{"":[[],{}]}}`,
	} {
		n := mustNode(t, doc)
		if got, want := n.Size(), len(canon(n)); got != want {
			t.Errorf("Size(%s) = %d, want %d", doc, got, want)
		}
	}
}
