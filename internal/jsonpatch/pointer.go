package jsonpatch

import (
	"fmt"
	"strconv"
	"strings"
)

// ParsePointer splits an RFC 6901 JSON Pointer into its unescaped reference
// tokens. The empty pointer names the whole document and yields no tokens.
// A non-empty pointer must start with "/"; within a token "~1" stands for "/"
// and "~0" for "~", and any other use of "~" is an error wrapping
// ErrInvalidPointer.
func ParsePointer(s string) ([]string, error) {
	tokens, err := parsePointer(s)
	if err != nil {
		return nil, fmt.Errorf("jsonpatch: parse pointer %s: %w", show(s), err)
	}
	return tokens, nil
}

func parsePointer(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	if s[0] != '/' {
		return nil, fmt.Errorf("%w: missing leading \"/\"", ErrInvalidPointer)
	}
	tokens := strings.Split(s[1:], "/")
	for i, t := range tokens {
		if strings.IndexByte(t, '~') < 0 {
			continue
		}
		u, err := unescape(t)
		if err != nil {
			return nil, err
		}
		tokens[i] = u
	}
	return tokens, nil
}

// unescape decodes one token in a single pass, so "~01" becomes "~1" and not "/".
func unescape(t string) (string, error) {
	var b strings.Builder
	b.Grow(len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c != '~' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(t) {
			return "", fmt.Errorf("%w: \"~\" at end of token", ErrInvalidPointer)
		}
		i++
		switch t[i] {
		case '0':
			b.WriteByte('~')
		case '1':
			b.WriteByte('/')
		default:
			return "", fmt.Errorf("%w: bad escape \"~%c\"", ErrInvalidPointer, t[i])
		}
	}
	return b.String(), nil
}

// isPrefix reports whether the pointer p names an ancestor of (or the same
// location as) the pointer q.
func isPrefix(p, q []string) bool {
	if len(p) > len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// arrayIndex resolves a reference token against an array of length n.
// appending allows "-" and n itself, the positions "add" may insert at.
func arrayIndex(tok string, n int, appending bool) (int, error) {
	if tok == "-" {
		if appending {
			return n, nil
		}
		return 0, fmt.Errorf("%w: \"-\" names no existing element", ErrPathNotFound)
	}
	if !isIndex(tok) {
		return 0, fmt.Errorf("%w: %s is not an array index", ErrPathNotFound, strconv.Quote(clip(tok)))
	}
	last := n - 1
	if appending {
		last = n
	}
	i, err := strconv.Atoi(tok) // fails only on overflow: isIndex checked the syntax
	if err != nil || i > last {
		return 0, fmt.Errorf("%w: index %s out of range for length %d", ErrPathNotFound, clip(tok), n)
	}
	return i, nil
}

// isIndex reports whether tok is RFC 6901 array-index syntax: "0" or a
// decimal number without leading zeros.
func isIndex(tok string) bool {
	if tok == "" || (tok[0] == '0' && len(tok) > 1) {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens a token that goes into an error message.
func clip(s string) string {
	if len(s) > maxShown {
		return s[:maxShown] + "..."
	}
	return s
}
