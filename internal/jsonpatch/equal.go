package jsonpatch

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
)

// Equal reports whether a and b are the same JSON value: numbers compare by
// exact numeric value whatever their spelling (1, 1.0, 10e-1 and 0.1E1 are
// equal; -0 equals 0), objects compare without regard to member order, arrays
// element by element. A json.Number that is not a valid JSON number equals
// only the same literal text, and Go types outside the value-tree model are
// never equal to anything. a and b must be acyclic.
func Equal(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case string:
		b, ok := b.(string)
		return ok && a == b
	case json.Number:
		b, ok := b.(json.Number)
		return ok && numberEqual(string(a), string(b))
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !Equal(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	}
	return false
}

// decimal is a JSON number reduced to ±0.digits × 10^(point+exp), with no
// leading or trailing zeros in digits, so equal values have equal fields.
// Comparing this form is exact and takes time linear in the literal's
// length; parsing into big.Rat would be exact too but lets "1e999999999"
// allocate a billion-digit integer.
type decimal struct {
	neg    bool
	digits string // empty for zero
	point  int64
	exp    string // exponent as written, sign included, e.g. "-07"; "" when absent
}

func numberEqual(a, b string) bool {
	if a == b {
		return true
	}
	x, ok1 := parseNumber(a)
	y, ok2 := parseNumber(b)
	if !ok1 || !ok2 {
		return false
	}
	if x.digits == "" || y.digits == "" {
		return x.digits == y.digits // zero equals zero whatever its sign and exponent
	}
	return x.neg == y.neg && x.digits == y.digits && x.scale().Cmp(y.scale()) == 0
}

// scale returns point+exp, the power of ten that places the digits.
func (d decimal) scale() *big.Int {
	s := big.NewInt(d.point)
	if d.exp == "" {
		return s
	}
	if e, err := strconv.ParseInt(d.exp, 10, 64); err == nil {
		return s.Add(s, big.NewInt(e))
	}
	e, _ := new(big.Int).SetString(d.exp, 10) // parseNumber checked the syntax
	return s.Add(s, e)
}

// validNumber reports whether s follows the JSON number grammar.
func validNumber(s string) bool {
	_, ok := parseNumber(s)
	return ok
}

// parseNumber checks s against the JSON number grammar
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?) and normalises it.
func parseNumber(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	intStart := i
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return d, false
	}
	intPart := s[intStart:i]
	var frac string
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return d, false
		}
		frac = s[i+1 : j]
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		start := i + 1
		j := start
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := skipDigits(s, j)
		if k == j {
			return d, false
		}
		d.exp = s[start:k]
		i = k
	}
	if i != len(s) {
		return d, false
	}
	digits := intPart + frac
	d.point = int64(len(intPart))
	trimmed := strings.TrimLeft(digits, "0")
	d.point -= int64(len(digits) - len(trimmed))
	d.digits = strings.TrimRight(trimmed, "0")
	return d, true
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
