package delta

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/snapdelta/snapdelta/snapshot"
)

// TimeLayout says how OpShiftTime writes a timestamp back.
type TimeLayout uint8

// The timestamp layouts. Their numbers are part of the wire format.
const (
	// LayoutTrimmed writes the fraction with trailing zeros dropped, and
	// none when it is zero (Go's time.RFC3339Nano; Docker's SystemTime).
	LayoutTrimmed TimeLayout = 0
	// LayoutFixed0 … LayoutFixed9 write exactly 0 to 9 fraction digits
	// (LayoutFixed0: seconds only, as Kubernetes does).
	LayoutFixed0 TimeLayout = 1
	LayoutFixed9 TimeLayout = 10
)

// timeLayout returns the Go layout of a TimeLayout, or false.
func timeLayout(l TimeLayout) (string, bool) {
	switch {
	case l == LayoutTrimmed:
		return "2006-01-02T15:04:05.999999999Z07:00", true
	case l == LayoutFixed0:
		return "2006-01-02T15:04:05Z07:00", true
	case l > LayoutFixed0 && l <= LayoutFixed9:
		return "2006-01-02T15:04:05." + strings.Repeat("0", int(l-LayoutFixed0)) + "Z07:00", true
	}
	return "", false
}

// transformScalar applies a scalar transform op to v, a value of the shape
// snapshot.Node.Value returns.
func transformScalar(v any, o *Op) (any, error) {
	switch o.Kind {
	case OpIncrement:
		switch x := v.(type) {
		case json.Number:
			s, err := addInt(string(x), o.Int)
			return json.Number(s), err
		case string:
			return addInt(x, o.Int)
		}
		return nil, fmt.Errorf("increment of a %s: %w", kindOf(v), ErrCorrupt)
	case OpShiftTime:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("time shift of a %s: %w", kindOf(v), ErrCorrupt)
		}
		return shiftTime(s, o.Int, o.Layout)
	case OpSplice:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("splice of a %s: %w", kindOf(v), ErrCorrupt)
		}
		return splice(s, o.Prefix, o.Suffix, o.Text)
	case OpIncrementText:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("increment in the text of a %s: %w", kindOf(v), ErrCorrupt)
		}
		return incrementText(s, o.Run, o.Int)
	}
	return nil, fmt.Errorf("operation kind %d is not a scalar transform: %w", o.Kind, ErrCorrupt)
}

// TransformText returns what the scalar transform o makes of the string
// s, exactly as Apply would at o.Path: a text increment, a splice, an
// increment of an integer written as a string, or a time shift. Any other
// operation, or one that does not apply to s, is an error (ErrCorrupt).
func TransformText(s string, o Op) (string, error) {
	v, err := transformScalar(s, &o)
	if err != nil {
		return "", err
	}
	t, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s of a string gives a %s: %w", o.Kind, kindOf(v), ErrCorrupt)
	}
	return t, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// canonicalInt parses s when it is an integer written in its one shortest
// form, so that adding zero gives s back.
func canonicalInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(i, 10) != s {
		return 0, false
	}
	return i, true
}

func addInt(s string, d int64) (string, error) {
	i, ok := canonicalInt(s)
	if !ok {
		return "", fmt.Errorf("increment of %q, not an integer: %w", truncate(s), ErrCorrupt)
	}
	if (d > 0 && i > math.MaxInt64-d) || (d < 0 && i < math.MinInt64-d) {
		return "", fmt.Errorf("increment of %s by %d overflows: %w", s, d, ErrCorrupt)
	}
	return strconv.FormatInt(i+d, 10), nil
}

func shiftTime(s string, d int64, l TimeLayout) (string, error) {
	layout, ok := timeLayout(l)
	if !ok {
		return "", fmt.Errorf("unknown time layout %d: %w", l, ErrCorrupt)
	}
	t, ok := parseTime(s)
	if !ok {
		return "", fmt.Errorf("time shift of %q, not an RFC 3339 time: %w", truncate(s), ErrCorrupt)
	}
	t = t.Add(time.Duration(d))
	if t.Year() < 0 || t.Year() > 9999 {
		return "", fmt.Errorf("time shift of %q by %d ns leaves years 0000-9999: %w", truncate(s), d, ErrCorrupt)
	}
	return t.Format(layout), nil
}

// parseTime parses an RFC 3339 date-time and keeps its UTC offset fixed.
//
// Only RFC 3339's own form is taken: time.Parse also accepts a one-digit
// hour, a comma before the fraction and offsets of 24 hours or more, which
// another implementation of the wire format would not. And time.Parse puts
// the time in time.Local when Local has the same offset at that instant, so
// a shift across a daylight saving change would be written with the
// receiver's new offset: the result would depend on the machine.
func parseTime(s string) (time.Time, bool) {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) <= len(shape) {
		return time.Time{}, false
	}
	for i := range len(shape) {
		if c := s[i]; (shape[i] == 'd' && (c < '0' || c > '9')) || (shape[i] != 'd' && c != shape[i]) {
			return time.Time{}, false
		}
	}
	rest := s[len(shape):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return time.Time{}, false
		}
		rest = rest[n:]
	}
	if rest != "Z" {
		digit := func(c byte) bool { return c >= '0' && c <= '9' }
		if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' ||
			!digit(rest[1]) || !digit(rest[2]) || !digit(rest[4]) || !digit(rest[5]) ||
			rest[1:3] > "23" || rest[4:6] > "59" {
			return time.Time{}, false
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	_, offset := t.Zone()
	return t.In(time.FixedZone("", offset)), true
}

func splice(s string, prefix, suffix int, text string) (string, error) {
	if prefix < 0 || suffix < 0 || prefix > len(s) || suffix > len(s)-prefix {
		return "", fmt.Errorf("splice keeps %d+%d bytes of a %d-byte string: %w", prefix, suffix, len(s), ErrCorrupt)
	}
	out := s[:prefix] + text + s[len(s)-suffix:]
	if !utf8.ValidString(out) {
		return "", fmt.Errorf("splice gives invalid UTF-8: %w", ErrCorrupt)
	}
	return out, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// scalarOp returns the cheapest scalar transform at path that turns a into
// b, and its estimated encoded size, when one is cheaper than a replace.
// Every candidate is checked by running it: a transform is only used when
// it rebuilds b exactly.
func scalarOp(path string, a, b *snapshot.Node) (Op, bool) {
	if a.Kind() != b.Kind() || (a.Kind() != snapshot.Number && a.Kind() != snapshot.String) {
		return Op{}, false
	}
	as, bs := a.Text(), b.Text()
	best, bestSize := Op{}, len(bs)+2 // a replace op's value
	try := func(o Op, size int) {
		if size >= bestSize {
			return
		}
		var got any
		var err error
		if a.Kind() == snapshot.Number {
			got, err = transformScalar(json.Number(as), &o)
		} else {
			got, err = transformScalar(as, &o)
		}
		if err != nil {
			return
		}
		if g, ok := got.(json.Number); ok && string(g) != bs {
			return
		}
		if g, ok := got.(string); ok && g != bs {
			return
		}
		best, bestSize = o, size
	}
	if ai, ok := canonicalInt(as); ok {
		if bi, ok := canonicalInt(bs); ok {
			d := bi - ai
			if (d > 0) == (bi > ai) || d == 0 {
				try(Op{Kind: OpIncrement, Path: path, Int: d}, varintSize(d))
			}
		}
	}
	if a.Kind() == snapshot.String {
		if ta, ok := parseTime(as); ok {
			if tb, ok := parseTime(bs); ok {
				d := tb.Sub(ta)
				if d != math.MinInt64 && d != math.MaxInt64 { // Sub saturates; a saturated shift cannot be right
					for l := LayoutTrimmed; l <= LayoutFixed9; l++ {
						if layout, _ := timeLayout(l); ta.Add(d).Format(layout) == bs {
							try(Op{Kind: OpShiftTime, Path: path, Int: int64(d), Layout: l}, shiftSize(int64(d)))
							break
						}
					}
				}
			}
		}
		p, s := commonAffixes(as, bs)
		if run, d, ok := textIncrement(as, bs, p, s); ok {
			try(Op{Kind: OpIncrementText, Path: path, Int: d, Run: run}, varintSize(d)+1)
		}
		text := bs[p : len(bs)-s]
		try(Op{Kind: OpSplice, Path: path, Prefix: p, Suffix: s, Text: text}, len(text)+3)
	}
	return best, best.Kind != 0
}

// commonAffixes returns the lengths of the longest common prefix and suffix
// of a and b that do not overlap and end on rune boundaries.
func commonAffixes(a, b string) (int, int) {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	for p > 0 && ((p < len(a) && !utf8.RuneStart(a[p])) || (p < len(b) && !utf8.RuneStart(b[p]))) {
		p--
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	for s > 0 && (!utf8.RuneStart(a[len(a)-s]) || !utf8.RuneStart(b[len(b)-s])) {
		s--
	}
	return p, s
}

func varintSize(d int64) int {
	switch {
	case d >= -32 && d <= 127:
		return 1
	case d >= math.MinInt8 && d <= math.MaxUint8:
		return 2
	case d >= math.MinInt16 && d <= math.MaxUint16:
		return 3
	case d >= math.MinInt32 && d <= math.MaxUint32:
		return 5
	}
	return 9
}

// shiftSize is the encoded size of a time shift: whole seconds travel as
// seconds (format 2 encodes them so), other shifts as nanoseconds.
func shiftSize(d int64) int {
	if d%int64(time.Second) == 0 {
		return varintSize(d/int64(time.Second)) + 1
	}
	return varintSize(d) + 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digitRun returns the [start, end) byte offsets of the n-th (from 0)
// maximal run of ASCII digits in s.
func digitRun(s string, n int) (start, end int, ok bool) {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if n == 0 {
			return i, j, true
		}
		n--
		i = j
	}
	return 0, 0, false
}

// incrementText adds d to the integer of the run-th run of digits of s.
// The run must be a canonical non-negative integer (no leading zero) and so
// must the sum, so that the transform has one result and can be undone.
func incrementText(s string, run int, d int64) (string, error) {
	start, end, ok := digitRun(s, run)
	if run < 0 || !ok {
		return "", fmt.Errorf("increment of digit run %d of %q, which has fewer: %w", run, truncate(s), ErrCorrupt)
	}
	sum, err := addInt(s[start:end], d)
	if err != nil {
		return "", err
	}
	if sum[0] == '-' {
		return "", fmt.Errorf("increment of digit run %d of %q below zero: %w", run, truncate(s), ErrCorrupt)
	}
	return s[:start] + sum + s[end:], nil
}

// textIncrement finds the OpIncrementText turning a into b, given the
// lengths p and s of their common prefix and suffix (commonAffixes): the
// two must differ inside one run of digits only. It allocates nothing: it
// runs on every changed string of every poll.
func textIncrement(a, b string, p, s int) (run int, d int64, ok bool) {
	// Widen the differing middle to whole runs of digits; the prefix and
	// suffix are common, so both strings widen alike.
	for p > 0 && isDigit(a[p-1]) {
		p--
	}
	for s > 0 && isDigit(a[len(a)-s]) {
		s--
	}
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	x, okA := canonicalInt(ma)
	y, okB := canonicalInt(mb)
	if !okA || !okB || !allDigits(ma) || !allDigits(mb) {
		return 0, 0, false
	}
	for i := 0; i < p; i++ { // runs before the middle
		if isDigit(a[i]) && (i == 0 || !isDigit(a[i-1])) {
			run++
		}
	}
	return run, y - x, true
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
