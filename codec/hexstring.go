package codec

import (
	"fmt"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Hex strings (format 5). Container, endpoint and image ids, digests and
// containerd ids are 64 lowercase hex digits, alone or after a prefix
// ("sha256:", "containerd://", "registry/name@sha256:"). In a small frame
// zstd has too few literals to build a Huffman table and sends them a byte
// each, twice their information, so a format 5 body sends the digits as the
// bytes they spell: 32 bytes instead of 64 (docs/wire-format.md section 7.1).
const (
	// extHex is the msgpack extension type of a string of lowercase hex
	// digits, its data the bytes they spell.
	extHex int8 = 2
	// extPrefixedHex is that of a string ending in lowercase hex digits:
	// the data is the prefix's length (one byte), the prefix, then the
	// bytes the digits spell.
	extPrefixedHex int8 = 3
	// minHexDigits is the shortest run of digits a writer packs: below it
	// the extension header costs more than the digits save.
	minHexDigits = 16
	// maxHexPrefix is the longest prefix extPrefixedHex can carry.
	maxHexPrefix = 255
)

// hexTail returns the length of the prefix before the even run of
// lowercase hex digits that ends s, or false when that run is shorter than
// minHexDigits (an odd run leaves its first digit in the prefix).
func hexTail(s string) (prefix int, ok bool) {
	i := len(s)
	for i > 0 && isLowerHex(s[i-1]) {
		i--
	}
	if (len(s)-i)%2 == 1 {
		i++
	}
	if len(s)-i < minHexDigits || i > maxHexPrefix {
		return 0, false
	}
	return i, true
}

func isLowerHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// text writes a string that is not a name (a string value, an item key,
// splice text): from format 5 its hex tail as bytes, else a str.
func (w writer) text(s string) error {
	prefix, ok := 0, false
	if w.version >= 5 {
		prefix, ok = hexTail(s)
	}
	if !ok {
		return w.EncodeString(s)
	}
	digits := s[prefix:]
	id, size := extHex, len(digits)/2
	if prefix > 0 {
		id, size = extPrefixedHex, 1+prefix+size
	}
	if err := w.EncodeExtHeader(id, size); err != nil {
		return err
	}
	// The data through a fixed buffer: ids and digests come by the
	// thousand in a large host's full frame.
	var buf [1 + maxHexPrefix]byte
	out := buf[:0]
	if prefix > 0 {
		out = append(append(out, byte(prefix)), s[:prefix]...)
	}
	for i := 0; i < len(digits); i += 2 {
		if len(out) == len(buf) {
			if _, err := w.Writer().Write(out); err != nil {
				return err
			}
			out = buf[:0]
		}
		out = append(out, hexValue(digits[i])<<4|hexValue(digits[i+1]))
	}
	_, err := w.Writer().Write(out)
	return err
}

// hexValue is the value of a lowercase hex digit.
func hexValue(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// isText reports whether code c starts a string that is not a name: a str,
// or from format 5 a hex string's extension.
func (r *reader) isText(c byte) bool {
	return msgpcode.IsString(c) || (r.version >= 5 && msgpcode.IsExt(c))
}

// text reads a string that is not a name: a str, or (format 5) a hex
// string.
func (r *reader) text(what string) (string, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return "", r.corrupt(what, err)
	}
	if r.version < 5 || !msgpcode.IsExt(c) {
		return r.str(what)
	}
	id, n, err := r.dec.DecodeExtHeader()
	if err != nil {
		return "", r.corrupt(what, err)
	}
	return r.hexText(id, n, what)
}

// hexText reads the data of a hex string's extension whose header (type
// id, n bytes) was read.
func (r *reader) hexText(id int8, n int, what string) (string, error) {
	if id != extHex && id != extPrefixedHex {
		return "", r.corrupt(fmt.Sprintf("%s: extension type %d where a string belongs", what, id), nil)
	}
	if n < 0 || n > r.br.Len() {
		return "", r.corrupt(fmt.Sprintf("%s: hex string of %d bytes exceeds the %d bytes left", what, n, r.br.Len()), nil)
	}
	r.hex[id-extHex]++
	prefix, digits := 0, n
	if id == extPrefixedHex {
		var p [1]byte
		if n == 0 {
			return "", r.corrupt(what+": hex string without its prefix length", nil)
		}
		if err := r.dec.ReadFull(p[:]); err != nil {
			return "", r.corrupt(what, err)
		}
		if prefix, digits = int(p[0]), n-1-int(p[0]); digits < 0 {
			return "", r.corrupt(fmt.Sprintf("%s: hex string's prefix runs past its %d bytes", what, n), nil)
		}
	}
	// The bytes go at the end of the text and are spelled from the front:
	// byte k, at prefix+digits+k, is read before digit pair k overwrites
	// prefix+2k and prefix+2k+1, which never lie past it.
	out := make([]byte, prefix+2*digits)
	if err := r.dec.ReadFull(out[:prefix]); err != nil {
		return "", r.corrupt(what, err)
	}
	if !utf8.Valid(out[:prefix]) {
		return "", r.corrupt(what+": hex string's prefix is invalid UTF-8", nil)
	}
	raw := out[prefix+digits:]
	if err := r.dec.ReadFull(raw); err != nil {
		return "", r.corrupt(what, err)
	}
	for k, v := range raw {
		out[prefix+2*k], out[prefix+2*k+1] = hexDigits[v>>4], hexDigits[v&0x0f]
	}
	return string(out), nil
}

const hexDigits = "0123456789abcdef"
