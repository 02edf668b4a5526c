package snapshot

import (
	"fmt"
	"strings"
)

// Rule names the identity of the items of a keyed collection: one member
// path, or several whose values together form the identity (Kubernetes'
// namespace and name). Its text form joins the parts with "+" and the steps
// of a part with ".": "metadata.namespace+metadata.name". Member names
// holding "." or "+" cannot be used in a rule.
type Rule struct {
	text  string
	parts [][]string
}

// ParseRule parses the text form of a rule.
func ParseRule(text string) (Rule, error) {
	if text == "" {
		return Rule{}, fmt.Errorf("snapshot: empty identity rule: %w", ErrInvalidRule)
	}
	var r Rule
	r.text = text
	for part := range strings.SplitSeq(text, "+") {
		steps := strings.Split(part, ".")
		for _, s := range steps {
			if s == "" {
				return Rule{}, fmt.Errorf("snapshot: identity rule %q has an empty step: %w", text, ErrInvalidRule)
			}
		}
		r.parts = append(r.parts, steps)
	}
	return r, nil
}

// MustParseRule is ParseRule for rules written in code; it panics on error.
func MustParseRule(text string) Rule {
	r, err := ParseRule(text)
	if err != nil {
		panic(err)
	}
	return r
}

// String returns the rule's text form.
func (r Rule) String() string { return r.text }

// DefaultRules are the identities tried, in order, on every array of objects:
// Docker's "Id" (containers, images, networks), "ID" (swarm objects), "id",
// Kubernetes' "metadata.uid", then namespace and name, then "Name" (Docker
// volumes).
var DefaultRules = []string{"Id", "ID", "id", "metadata.uid", "metadata.namespace+metadata.name", "Name"}

// Key returns the identity of item under rule r: the text of the string or
// number at each path, parts joined by a NUL byte. ok is false when a path is
// missing or does not end at a string or number.
func (r Rule) Key(item *Node) (key string, ok bool) {
	if item == nil || item.kind != Object || len(r.parts) == 0 {
		return "", false
	}
	// An item reused across polls is keyed once per rule, not per poll.
	if m := item.c.idMemo.Load(); m != nil && m.rule == r.text {
		return m.key, m.ok
	}
	key, ok = r.key(item)
	item.c.idMemo.Store(&idMemo{rule: r.text, key: key, ok: ok})
	return key, ok
}

// idMemo is an item's identity under one rule, computed once.
type idMemo struct {
	rule, key string
	ok        bool
}

func (r Rule) key(item *Node) (key string, ok bool) {
	if len(r.parts) == 1 {
		return keyPart(item, r.parts[0])
	}
	var b strings.Builder
	for i, p := range r.parts {
		s, ok := keyPart(item, p)
		if !ok {
			return "", false
		}
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(s)
	}
	return b.String(), true
}

func keyPart(n *Node, steps []string) (string, bool) {
	for _, s := range steps {
		v, ok := n.Get(s)
		if !ok {
			return "", false
		}
		n = v
	}
	if n.kind != String && n.kind != Number {
		return "", false
	}
	return n.text, true
}

// Collection is the keyed view of an array whose elements all carry a unique
// identity under one rule. It is immutable.
type Collection struct {
	rule  *Rule
	keys  []string
	index map[string]int // nil for short collections: a linear scan is cheaper
}

// indexThreshold is the length from which a collection keeps a map from key
// to position; below it a scan over a few keys beats hashing.
const indexThreshold = 12

// Rule returns the identity rule the collection's keys follow.
func (c *Collection) Rule() Rule { return *c.rule }

// Keys returns the item keys in array order. The slice must not be modified.
func (c *Collection) Keys() []string { return c.keys }

// Lookup returns the position of the item with the given key, or -1 and
// false when no item has it.
func (c *Collection) Lookup(key string) (int, bool) {
	if c.index != nil {
		// The map's zero value would otherwise name item 0 on a miss, unlike
		// the scan below.
		if i, ok := c.index[key]; ok {
			return i, true
		}
		return -1, false
	}
	for i, k := range c.keys {
		if k == key {
			return i, true
		}
	}
	return -1, false
}

// detect returns the collection view of elems under the first rule that gives
// every element a unique key, or nil.
func (cfg *Config) detect(elems []*Node) *Collection {
	if len(elems) == 0 {
		return nil
	}
	for _, e := range elems {
		if e.kind != Object {
			return nil
		}
	}
	for i := range cfg.rules {
		if c := collect(&cfg.rules[i], elems); c != nil {
			return c
		}
	}
	return nil
}

// collect returns the collection of elems under r, or nil when an element
// lacks the identity or two share it.
func collect(r *Rule, elems []*Node) *Collection {
	keys := make([]string, len(elems))
	for i, e := range elems {
		k, ok := r.Key(e)
		if !ok {
			return nil
		}
		keys[i] = k
	}
	c := &Collection{rule: r, keys: keys}
	if len(keys) < indexThreshold {
		for i := 1; i < len(keys); i++ {
			for j := 0; j < i; j++ {
				if keys[i] == keys[j] {
					return nil
				}
			}
		}
		return c
	}
	c.index = make(map[string]int, len(keys))
	for i, k := range keys {
		if _, dup := c.index[k]; dup {
			return nil
		}
		c.index[k] = i
	}
	return c
}

// CollectionBy returns the keyed view of array n under rule r, reusing the
// array's own view when it follows the same rule. ok is false when n is not
// an array or an element lacks the identity or repeats it.
func CollectionBy(n *Node, r Rule) (*Collection, bool) {
	if n == nil || n.kind != Array {
		return nil, false
	}
	b := n.body()
	if b.coll != nil && b.coll.rule.text == r.text {
		return b.coll, true
	}
	if len(b.kids) == 0 {
		return &Collection{rule: &r}, true
	}
	c := collect(&r, b.kids)
	return c, c != nil
}
