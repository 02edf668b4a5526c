package snapshot

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
)

// SyntaxError describes invalid JSON input and where it is.
type SyntaxError struct {
	Offset int64 // byte offset of the problem
	Line   int   // 1-based
	Column int   // 1-based, in bytes
	Msg    string
	err    error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("snapshot: invalid JSON at line %d, column %d (offset %d): %s", e.Line, e.Column, e.Offset, e.Msg)
}

// Unwrap returns ErrSyntax, or ErrTooDeep for nesting past the bound.
func (e *SyntaxError) Unwrap() error { return e.err }

// Parse parses a JSON document with the default configuration.
func Parse(data []byte) (*Snapshot, error) { return defaultConfig.Parse(data) }

// ParseReader reads and parses a JSON document with the default configuration.
func ParseReader(r io.Reader) (*Snapshot, error) { return defaultConfig.ParseReader(r) }

// Parse parses one JSON document (surrounding whitespace allowed). Invalid
// JSON, invalid UTF-8, a repeated object key and nesting past the bound are
// errors; the error says where. A lone UTF-16 surrogate escape ("\ud800")
// decodes to U+FFFD, as in encoding/json, since no UTF-8 string can hold it.
func (c *Config) Parse(data []byte) (*Snapshot, error) { return c.ParseNext(data, nil) }

// ParseNext parses data like Parse, reusing the items of prev (the previous
// poll's snapshot, or nil) whose JSON text is unchanged: an agent re-reads
// its whole environment every poll, but most items have not changed, and
// hashing their text is several times cheaper than parsing it. Inside an
// item that did change, a large value (a node's images list) whose text is
// the one prev's version of the item had is reused the same way. The result
// is the value Parse would build, sharing the reused nodes with prev.
// Unchanged text is recognised by its length and xxhash64, as content is
// everywhere in snapdelta: two different texts of one length colliding
// (2^-64 per item) would reuse the wrong item. prev is only read; data is
// not retained.
func (c *Config) ParseNext(data []byte, prev *Snapshot) (*Snapshot, error) {
	if int64(len(data)) > c.maxSize {
		return nil, fmt.Errorf("snapshot: %d bytes of JSON exceed the limit of %d: %w", len(data), c.maxSize, ErrTooLarge)
	}
	p := parser{data: data, cfg: c, spans: make(map[spanKey]spanRef),
		strs: make(map[string]*Node), nums: make(map[string]*Node), keys: make(map[string]string),
		shapes: make(map[uint64][]string)}
	if prev != nil && prev.cfg == c {
		// Items parsed under other rules may be keyed differently.
		p.prev, p.prevLists = prev.spans, prev.lists
	}
	p.skipSpace()
	root, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.data) {
		return nil, p.errorf("unexpected %s after the document", p.describe())
	}
	return &Snapshot{root: root, cfg: c, spans: p.spans, lists: p.lists}, nil
}

// ParseReader reads r to its end, within the size bound, and parses it.
func (c *Config) ParseReader(r io.Reader) (*Snapshot, error) {
	// One byte past the bound tells an oversized input from one that fits;
	// at MaxInt64 the +1 would wrap negative and read nothing.
	limit := c.maxSize
	if limit < math.MaxInt64 {
		limit++
	}
	data, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("snapshot: read: %w", err)
	}
	return c.Parse(data)
}

// ParseValue parses one JSON value into a Node with this configuration's
// rules and limits.
func (c *Config) ParseValue(data []byte) (*Node, error) {
	s, err := c.Parse(data)
	if err != nil {
		return nil, err
	}
	return s.root, nil
}

type parser struct {
	data      []byte
	pos       int
	depth     int
	cfg       *Config
	scratch   []byte
	keyStack  []string // members of the objects being parsed
	valStack  []*Node
	elemStack []*Node          // elements of the arrays being parsed
	strs      map[string]*Node // interned short strings
	nums      map[string]*Node // interned short numbers
	keys      map[string]string
	shapes    map[uint64][]string // member name lists by hash
	prev      map[spanKey]spanRef // items of the previous poll by text
	prevLists [][]span            // its items, array by array
	spans     map[spanKey]spanRef // items of this parse by text
	lists     [][]span            // items of this parse, array by array
	// Inside an item parsed afresh: twin is the previous poll's version of
	// the value about to be parsed (nil when unknown or small), twinSubs
	// the large values of that item the previous parse recorded, and subs
	// collects, past the item's mark, its own for the next poll (values
	// nested at least recDepth deep; 0 outside items).
	twin     *Node
	twinSubs []subSpan
	subs     []subSpan
	recDepth int
}

// span is an item of a list and its text's key, with the large values
// inside it that were parsed (see subSpan).
type span struct {
	key  spanKey
	node *Node
	subs []subSpan
}

// subSpan is a value nested in an item, large enough to be worth finding by
// its text: when an item changes, most of it usually has not (a node's
// heartbeat moves four timestamps and leaves its ten kilobytes of images
// alone), and ParseNext reuses the values whose text is unchanged.
type subSpan struct {
	node *Node
	key  spanKey
}

// subMin is the shortest text of a value ParseNext records and looks up
// inside a changed item: below it, parsing costs about what hashing and
// matching do.
const subMin = 512

// spanRef is an item found by its text, and its place in its array's list.
type spanRef struct {
	node  *Node
	index int
}

// spanKey names an item's JSON text: its xxhash64 and length.
type spanKey struct {
	hash uint64
	len  int
}

// reuseDepth is the deepest array whose object elements are looked up by
// text: engine lists sit one or two levels down (containers at /containers,
// pods at /pods/items); deeper arrays are small parts of items.
const reuseDepth = 3

// element parses one array element. In the lists an agent re-reads every
// poll (arrays at most reuseDepth deep), an object element whose text is
// byte for byte an item of the previous poll reuses that item's node. Two
// lookups, cheapest first: the previous poll's item at the same place in
// the same array (or the next one, past a removed or changed item): the
// same number of bytes here hash the same; then any item of the previous
// poll with the same text hash, after finding where this object ends. On
// any doubt it parses as usual.
func (p *parser) element(list int, cursor *int) (*Node, error) {
	if list < 0 || p.pos >= len(p.data) || p.data[p.pos] != '{' {
		return p.value()
	}
	start := p.pos
	if list < len(p.prevLists) {
		prev := p.prevLists[list]
		for c := *cursor; c < len(prev) && c <= *cursor+1; c++ {
			sp := prev[c]
			// An object's text ends itself: equal bytes are an equal item.
			if end := start + sp.key.len; end <= len(p.data) && xxhash.Sum64(p.data[start:end]) == sp.key.hash {
				*cursor = c + 1
				p.pos = end
				p.record(list, sp.key, sp.node, sp.subs)
				return sp.node, nil
			}
		}
	}
	end, ok := skipObject(p.data, start)
	if !ok {
		return p.value()
	}
	key := spanKey{xxhash.Sum64(p.data[start:end]), end - start}
	if ref, ok := p.prev[key]; ok {
		*cursor = ref.index + 1
		p.pos = end
		p.record(list, key, ref.node, nil)
		return ref.node, nil
	}
	// A changed item: its previous version is most likely the one the
	// cursor points at (the cursor moves past items found unchanged), and
	// the next item most likely follows it, as when a node's heartbeat
	// changes every node in place. (When this item is new instead, the
	// next one is found by its hash and the cursor follows it there.)
	mark := len(p.subs)
	outerTwin, outerSubs, outerDepth := p.twin, p.twinSubs, p.recDepth
	p.twin, p.twinSubs, p.recDepth = nil, nil, p.depth+1
	if list < len(p.prevLists) && *cursor < len(p.prevLists[list]) {
		if sp := p.prevLists[list][*cursor]; len(sp.subs) > 0 && sp.node.c != nil && sp.node.c.lazy == nil {
			p.twin, p.twinSubs = sp.node, sp.subs
		}
		*cursor++
	}
	n, err := p.value()
	p.twin, p.twinSubs, p.recDepth = outerTwin, outerSubs, outerDepth
	var subs []subSpan
	if len(p.subs) > mark {
		subs = slices.Clone(p.subs[mark:])
		p.subs = p.subs[:mark]
	}
	if err == nil && p.pos == end {
		p.record(list, key, n, subs)
	}
	return n, err
}

// record notes an item of list, its text's key and its large values.
func (p *parser) record(list int, key spanKey, n *Node, subs []subSpan) {
	p.lists[list] = append(p.lists[list], span{key, n, subs})
	p.spans[key] = spanRef{n, len(p.lists[list]) - 1}
}

// twinOf returns the previous version of a member or element of the value
// whose previous version is tw, when it is large enough to look up.
func twinOf(tw *Node, key string, index int) *Node {
	if tw == nil {
		return nil
	}
	var c *Node
	switch {
	case tw.kind == Object && index < 0:
		c, _ = tw.Get(key)
	case tw.kind == Array && index >= 0 && index < len(tw.c.kids):
		c = tw.c.kids[index]
	}
	if c == nil || c.c == nil || c.size < subMin {
		return nil
	}
	return c
}

// reuseSub returns tw, the previous version of the value at p.pos, when the
// previous parse recorded its text and the same text is here; it is then
// recorded again for the next poll.
func (p *parser) reuseSub(tw *Node) (*Node, bool) {
	if tw == nil {
		return nil, false
	}
	for _, sub := range p.twinSubs {
		if sub.node != tw {
			continue
		}
		end := p.pos + sub.key.len
		// A reused value must fit the depth bound where it now sits.
		if end > len(p.data) || p.depth+int(tw.depth) > p.cfg.maxDepth || xxhash.Sum64(p.data[p.pos:end]) != sub.key.hash {
			return nil, false
		}
		p.pos = end
		p.subs = append(p.subs, sub)
		return tw, true
	}
	return nil, false
}

// recordSub notes a large value parsed afresh inside an item, from start to
// p.pos, for the next poll.
func (p *parser) recordSub(start int, n *Node) {
	if p.recDepth > 0 && p.depth >= p.recDepth && p.pos-start >= subMin {
		p.subs = append(p.subs, subSpan{n, spanKey{xxhash.Sum64(p.data[start:p.pos]), p.pos - start}})
	}
}

// skipObject returns the end of the object starting at data[i] == '{',
// following brackets and strings only: it finds the end of valid JSON
// exactly, and whatever it finds for invalid JSON is never trusted alone
// (a text is reused only if the same bytes parsed before).
func skipObject(data []byte, i int) (int, bool) {
	depth := 0
	for i < len(data) {
		switch data[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case '"':
			// Most of a document's bytes are in strings: jump to each
			// closing quote with IndexByte, stepping over escaped ones.
			for {
				// Short strings (member names) end within a few bytes:
				// look there before paying for IndexByte's call.
				j := i + 1
				for j < len(data) && j < i+24 && data[j] != '"' {
					j++
				}
				if j < len(data) && data[j] == '"' {
					i = j
				} else {
					q := bytes.IndexByte(data[j:], '"')
					if q < 0 {
						return 0, false
					}
					i = j + q
				}
				bs := 0
				for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
					bs++
				}
				if bs%2 == 0 {
					break
				}
			}
		}
		i++
	}
	return 0, false
}

func (p *parser) errorf(format string, args ...any) error {
	return p.errorAt(p.pos, ErrSyntax, fmt.Sprintf(format, args...))
}

func (p *parser) errorAt(pos int, kind error, msg string) error {
	if pos > len(p.data) {
		pos = len(p.data)
	}
	line := 1 + bytes.Count(p.data[:pos], []byte{'\n'})
	col := pos - bytes.LastIndexByte(p.data[:pos], '\n')
	return &SyntaxError{Offset: int64(pos), Line: line, Column: col, Msg: msg, err: kind}
}

// describe names the byte at the current position for an error message.
func (p *parser) describe() string {
	if p.pos >= len(p.data) {
		return "end of input"
	}
	c := p.data[p.pos]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() (*Node, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of input, expected a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return p.internScalar(tagString, s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", trueNode)
	case c == 'f':
		return p.literal("false", falseNode)
	case c == 'n':
		return p.literal("null", nullNode)
	}
	return nil, p.errorf("unexpected %s, expected a value", p.describe())
}

func (p *parser) literal(word string, n *Node) (*Node, error) {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		return nil, p.errorf("invalid literal, expected %s", word)
	}
	p.pos += len(word)
	return n, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.cfg.maxDepth {
		return p.errorAt(p.pos, ErrTooDeep, fmt.Sprintf("nesting deeper than %d levels", p.cfg.maxDepth))
	}
	return nil
}

func (p *parser) array() (*Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	start, tw := p.pos, p.twin
	p.pos++ // '['
	base := len(p.elemStack)
	defer func() { p.elemStack = p.elemStack[:base] }()
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return NewArray(nil, p.cfg), nil
	}
	// Arrays near the root are the lists polls repeat; they are numbered
	// in document order, so the next poll finds the same list by number.
	list, cursor := -1, 0
	if p.depth <= reuseDepth && p.spans != nil {
		list = len(p.lists)
		p.lists = append(p.lists, nil)
		tw = nil // its items are found by text (element)
	}
	for {
		p.skipSpace()
		var v *Node
		p.twin = twinOf(tw, "", len(p.elemStack)-base)
		if r, ok := p.reuseSub(p.twin); ok {
			v = r
		} else if r, err := p.element(list, &cursor); err != nil {
			return nil, err
		} else {
			v = r
		}
		p.elemStack = append(p.elemStack, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			n := NewArray(slices.Clone(p.elemStack[base:]), p.cfg)
			p.recordSub(start, n)
			return n, nil
		default:
			return nil, p.errorf("unexpected %s in array, expected ',' or ']'", p.describe())
		}
	}
}

func (p *parser) object() (*Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	start, tw := p.pos, p.twin
	p.pos++ // '{'
	// Members go on the parser's stacks and are copied out at the end into
	// slices of exactly their length: growing slices by append left a
	// snapshot holding up to twice the room it needs.
	base := len(p.keyStack)
	defer func() { p.keyStack, p.valStack = p.keyStack[:base], p.valStack[:base] }()
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return newObjectSorted(nil, nil), nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("unexpected %s in object, expected a member name", p.describe())
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("unexpected %s after member name, expected ':'", p.describe())
		}
		p.pos++
		p.skipSpace()
		var v *Node
		p.twin = twinOf(tw, k, -1)
		if r, ok := p.reuseSub(p.twin); ok {
			v = r
		} else if r, err := p.value(); err != nil {
			return nil, err
		} else {
			v = r
		}
		p.keyStack = append(p.keyStack, p.internKey(k))
		p.valStack = append(p.valStack, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			keys, vals := p.keyStack[base:], p.valStack[base:]
			sortMembers(keys, vals)
			for i := 1; i < len(keys); i++ {
				if keys[i] == keys[i-1] {
					return nil, p.errorAt(start, ErrSyntax, fmt.Sprintf("object repeats member %q (snapdelta refuses duplicate keys rather than drop a value)", truncate(keys[i], 40)))
				}
			}
			n := newObjectSorted(p.shape(keys), slices.Clone(vals))
			p.recordSub(start, n)
			return n, nil
		default:
			return nil, p.errorf("unexpected %s in object, expected ',' or '}'", p.describe())
		}
	}
}

func (p *parser) number() (*Node, error) {
	start := p.pos
	d := p.data
	i := p.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
		// Caught here so the error names the leading zero rather than
		// complaining about the digit after a complete number "0".
		if i < len(d) && d[i] >= '0' && d[i] <= '9' {
			p.pos = i
			return nil, p.errorf("invalid number, leading zero")
		}
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		p.pos = i
		return nil, p.errorf("invalid number, expected a digit")
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			p.pos = i
			return nil, p.errorf("invalid number, expected a digit after '.'")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			p.pos = i
			return nil, p.errorf("invalid number, expected a digit in the exponent")
		}
	}
	p.pos = i
	return p.internScalar(tagNumber, string(d[start:i])), nil
}

// maxInterned is the longest scalar or member name shared within a parse.
const maxInterned = 64

// internScalar returns the one node of this parse for a short string or
// number: engine payloads repeat the same values ("True", "Normal",
// "Update", 0) thousands of times, and a node is far larger than its text.
// Nodes are immutable, so sharing them is safe.
func (p *parser) internScalar(tag byte, s string) *Node {
	if len(s) > maxInterned || p.strs == nil {
		if tag == tagString {
			return newString(s)
		}
		return newNumber(s)
	}
	m := p.strs
	if tag == tagNumber {
		m = p.nums
	}
	if n, ok := m[s]; ok {
		return n
	}
	var n *Node
	if tag == tagString {
		n = newString(s)
	} else {
		n = newNumber(s)
	}
	m[s] = n
	return n
}

// shape returns this parse's one slice of the sorted member names keys:
// engine lists hold thousands of objects of the same shape (every
// condition, every container port), and the slice is never modified.
func (p *parser) shape(keys []string) []string {
	if p.shapes == nil {
		return slices.Clone(keys)
	}
	var d xxhash.Digest
	d.Reset()
	for _, k := range keys {
		_, _ = d.WriteString(k)
		_, _ = d.Write([]byte{0})
	}
	h := d.Sum64()
	if s, ok := p.shapes[h]; ok && slices.Equal(s, keys) {
		return s
	}
	s := slices.Clone(keys)
	p.shapes[h] = s
	return s
}

// internKey returns this parse's one copy of a short member name.
func (p *parser) internKey(k string) string {
	if len(k) > maxInterned || p.keys == nil {
		return k
	}
	if s, ok := p.keys[k]; ok {
		return s
	}
	p.keys[k] = k
	return k
}

// ValidNumber reports whether s is a JSON number literal.
func ValidNumber(s string) bool {
	p := parser{data: []byte(s), cfg: defaultConfig}
	if len(s) == 0 || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		return false
	}
	_, err := p.number()
	return err == nil && p.pos == len(s)
}

// str parses a string starting at the opening quote.
func (p *parser) str() (string, error) {
	p.pos++ // '"'
	start := p.pos
	d := p.data
	i := p.pos
	// Fast path: plain ASCII without escapes.
	for i < len(d) {
		c := d[i]
		if c == '"' {
			p.pos = i + 1
			return string(d[start:i]), nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
		i++
	}
	buf := append(p.scratch[:0], d[start:i]...)
	for {
		if i >= len(d) {
			p.pos = i
			return "", p.errorf("unexpected end of input in string")
		}
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.scratch = buf
			return string(buf), nil
		case c == '\\':
			if i+1 >= len(d) {
				p.pos = i + 1
				return "", p.errorf("unexpected end of input in string escape")
			}
			switch e := d[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
				i += 2
			case 'b':
				buf = append(buf, '\b')
				i += 2
			case 'f':
				buf = append(buf, '\f')
				i += 2
			case 'n':
				buf = append(buf, '\n')
				i += 2
			case 'r':
				buf = append(buf, '\r')
				i += 2
			case 't':
				buf = append(buf, '\t')
				i += 2
			case 'u':
				r, ok := hex4(d, i+2)
				if !ok {
					p.pos = i
					return "", p.errorf("invalid \\u escape in string")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok2 := rune(-1), false
					if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
						r2, ok2 = hex4(d, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				p.pos = i
				return "", p.errorf("invalid escape '\\%c' in string", e)
			}
		case c < 0x20:
			p.pos = i
			return "", p.errorf("control character 0x%02x in string (must be escaped)", c)
		case c < 0x80:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				p.pos = i
				return "", p.errorf("invalid UTF-8 in string")
			}
			buf = append(buf, d[i:i+size]...)
			i += size
		}
	}
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
