package bench

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// jw appends compact JSON to a byte slice. The simulator writes every payload
// through it rather than through encoding/json so that member order matches the
// engines' own Go structs and so that a multi-megabyte poll renders in a few
// milliseconds.
type jw struct {
	b        []byte
	open     []bool // per open container: has it got a member yet
	afterKey bool
	html     bool // escape <, > and & like encoding/json (Kubernetes) or not (Docker)
}

func (w *jw) sep() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.open); n > 0 {
		if w.open[n-1] {
			w.b = append(w.b, ',')
		} else {
			w.open[n-1] = true
		}
	}
}

func (w *jw) key(k string) {
	w.sep()
	w.quote(k)
	w.b = append(w.b, ':')
	w.afterKey = true
}

func (w *jw) obj() { w.sep(); w.b = append(w.b, '{'); w.open = append(w.open, false) }
func (w *jw) arr() { w.sep(); w.b = append(w.b, '['); w.open = append(w.open, false) }
func (w *jw) endObj() {
	w.open = w.open[:len(w.open)-1]
	w.b = append(w.b, '}')
}
func (w *jw) endArr() {
	w.open = w.open[:len(w.open)-1]
	w.b = append(w.b, ']')
}

func (w *jw) str(s string)   { w.sep(); w.quote(s) }
func (w *jw) int(n int64)    { w.sep(); w.b = strconv.AppendInt(w.b, n, 10) }
func (w *jw) bool(v bool)    { w.sep(); w.b = strconv.AppendBool(w.b, v) }
func (w *jw) null()          { w.sep(); w.b = append(w.b, "null"...) }
func (w *jw) raw(b []byte)   { w.sep(); w.b = append(w.b, b...) }
func (w *jw) emptyObj()      { w.sep(); w.b = append(w.b, "{}"...) }
func (w *jw) ko(k string)    { w.key(k); w.obj() }
func (w *jw) ka(k string)    { w.key(k); w.arr() }
func (w *jw) ks(k, v string) { w.key(k); w.str(v) }
func (w *jw) ki(k string, v int64) {
	w.key(k)
	w.int(v)
}
func (w *jw) kb(k string, v bool) { w.key(k); w.bool(v) }
func (w *jw) knull(k string)      { w.key(k); w.null() }
func (w *jw) kempty(k string)     { w.key(k); w.emptyObj() }

// kt writes a Kubernetes metav1.Time (RFC 3339, second precision, UTC).
func (w *jw) kt(k string, t time.Time) {
	w.key(k)
	w.sep()
	w.b = append(w.b, '"')
	w.b = t.UTC().AppendFormat(w.b, time.RFC3339)
	w.b = append(w.b, '"')
}

// kstrs writes an array of strings, or null for a nil slice (as Go does).
func (w *jw) kstrs(k string, v []string) {
	w.key(k)
	if v == nil {
		w.null()
		return
	}
	w.arr()
	for _, s := range v {
		w.str(s)
	}
	w.endArr()
}

// kmap writes ordered string pairs as an object, or null when nil.
func (w *jw) kmap(k string, kv []kv) {
	w.key(k)
	w.strMap(kv)
}

func (w *jw) strMap(kv []kv) {
	if kv == nil {
		w.null()
		return
	}
	w.obj()
	for _, p := range kv {
		w.ks(p.k, p.v)
	}
	w.endObj()
}

// kv is one string member of a label or annotation map. Maps are kept as
// sorted slices so that rendering is deterministic (encoding/json sorts map
// keys; the engines' label maps come out sorted).
type kv struct{ k, v string }

const hexDigits = "0123456789abcdef"

// quote appends s as a JSON string with encoding/json's escaping rules.
func (w *jw) quote(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!w.html || (c != '<' && c != '>' && c != '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}
