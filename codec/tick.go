package codec

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/internal/jsonpatch"
	"github.com/snapdelta/snapdelta/snapshot"
)

// Status ticks (format 4). Every minute a Docker host's young containers
// count their status up by one, "Up 4 minutes" to "Up 5 minutes", and so do
// those that exited a few minutes ago. Both ends hold the base, so both can
// find those statuses: a tick names the member and the word after the
// number ("/Status", " minutes") and the step, and counts up every base item
// it matches except the ones it lists. The frame then lists the few
// containers that did not count up instead of the many that did, which are
// scattered over a large host's container list (a byte each). A humanized
// tick (humanized.go) predicts the statuses that change words as well.

// tick is a collection edit's status tick (docs/wire-format.md section 7.6).
type tick struct {
	pointer string // the member, a JSON Pointer relative to the item
	word    string // what follows the number counted; "" in a humanized tick
	step    int64  // in a humanized tick, minutes
	except  []int  // base positions left alone, ascending
	// humanized ticks age Docker's humanized durations by step minutes
	// (humanized.go) rather than count up the number before word.
	humanized bool
}

// describe says what the tick does, for Inspect.
func (t *tick) describe() string {
	var s string
	if t.humanized {
		s = fmt.Sprintf("%s ages %d min (humanized)", t.pointer, t.step)
	} else {
		s = fmt.Sprintf("%s counts %q %+d", t.pointer, t.word, t.step)
	}
	if len(t.except) > 0 {
		s += fmt.Sprintf(", %d left alone", len(t.except))
	}
	return s
}

// tickRun finds what a tick counts in s: the digits right before the first
// occurrence of word that follows a digit. It returns their run index
// (delta.OpIncrementText's Run), or false when the tick leaves s alone: no
// such occurrence, digits that are not a canonical int64 (a leading zero),
// or a count that would leave the int64 range or go below zero.
func tickRun(s, word string, step int64) (int, bool) {
	end := -1
	for from := 0; from < len(s); {
		k := strings.Index(s[from:], word)
		if k < 0 {
			return 0, false
		}
		k += from
		if k > 0 && isDigit(s[k-1]) {
			end = k
			break
		}
		from = k + 1
	}
	if end < 0 {
		return 0, false
	}
	start := end
	for start > 0 && isDigit(s[start-1]) {
		start--
	}
	digits := s[start:end]
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	if (step > 0 && v > math.MaxInt64-step) || v+step < 0 {
		return 0, false
	}
	return runsBefore(s, start), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// op returns the operation the tick puts on a base item, and whether it
// matches the item at all: the item's value at tokens (the pointer's) must
// be a string tickRun counts in.
func (t *tick) op(item *snapshot.Node, tokens []string) (delta.Op, bool) {
	v, ok := valueAt(item, tokens)
	if !ok || v.Kind() != snapshot.String {
		return delta.Op{}, false
	}
	return t.textOp(v.Text())
}

// textOp returns the operation the tick puts on an item whose value at the
// pointer is the string s, and whether it matches s at all.
func (t *tick) textOp(s string) (delta.Op, bool) {
	if t.humanized {
		return humanizedOp(s, t.pointer, t.step)
	}
	run, ok := tickRun(s, t.word, t.step)
	if !ok {
		return delta.Op{}, false
	}
	return delta.Op{Kind: delta.OpIncrementText, Path: t.pointer, Int: t.step, Run: run}, true
}

// valueAt follows a JSON Pointer's reference tokens from n (RFC 6901: an
// array index is "0" or digits without a leading zero).
func valueAt(n *snapshot.Node, tokens []string) (*snapshot.Node, bool) {
	for _, tok := range tokens {
		switch n.Kind() {
		case snapshot.Object:
			var ok bool
			if n, ok = n.Get(tok); !ok {
				return nil, false
			}
		case snapshot.Array:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= n.Len() || strconv.Itoa(i) != tok {
				return nil, false
			}
			n = n.Elem(i)
		default:
			return nil, false
		}
	}
	return n, true
}

// expand turns the tick of collection edit c, whose base array is arr,
// into the item patches it stands for, placed before c's own patches (the
// tick applies first, section 8.4).
func (t *tick) expand(c *delta.CollectionEdit, arr *snapshot.Node) error {
	tokens, err := jsonpatch.ParsePointer(t.pointer)
	if err != nil {
		return fmt.Errorf("codec: status tick pointer %q: %v: %w", t.pointer, err, ErrCorrupt)
	}
	if len(c.Remove) > 0 {
		return fmt.Errorf("codec: a collection edit with a status tick removes items by key: %w", ErrCorrupt)
	}
	n := arr.Len()
	skip := make(map[int]bool, len(c.RemoveAt)+len(t.except))
	for _, i := range c.RemoveAt {
		skip[i] = true
	}
	for _, i := range t.except {
		if i >= n {
			return fmt.Errorf("codec: status tick leaves alone base position %d of %d: %w", i, n, ErrCorrupt)
		}
		skip[i] = true
	}
	var ticked []delta.ItemPatch
	for i, item := range arr.Elems() {
		if skip[i] {
			continue
		}
		if op, ok := t.op(item, tokens); ok {
			ticked = append(ticked, delta.ItemPatch{At: i, ByPos: true, Ops: []delta.Op{op}})
		}
	}
	c.Patch = append(ticked, c.Patch...)
	return nil
}

// Encoder's side: when a tick pays, and what it leaves to send.

// minTicked is the fewest items a tick must count up, beyond the ones it
// lists as left alone, to be sent: below that, its pointer, word and step
// cost more than the positions it saves.
const minTicked = 2

// planTick returns the tick for collection edit c against its base array,
// and the patches left to send, or nil and c.Patch when no tick pays. It
// never modifies c.
func planTick(c *delta.CollectionEdit, arr *snapshot.Node) (*tick, []delta.ItemPatch) {
	if arr == nil || arr.Kind() != snapshot.Array || len(c.Remove) > 0 || len(c.Patch) < minTicked {
		return nil, c.Patch
	}
	// The most common one-member text increment among the patches.
	type key struct {
		path string
		step int64
	}
	var counts map[key]int // made at the first increment: most edits have none
	for _, p := range c.Patch {
		if !p.ByPos {
			return nil, c.Patch // a tick needs to know every patched position
		}
		for _, o := range p.Ops {
			if o.Kind == delta.OpIncrementText && strings.Count(o.Path, "/") == 1 {
				if counts == nil {
					counts = map[key]int{}
				}
				counts[key{o.Path, o.Int}]++
			}
		}
	}
	var best key
	for k, n := range counts {
		if n > counts[best] || (n == counts[best] && (k.path < best.path || (k.path == best.path && k.step < best.step))) {
			best = k
		}
	}
	if counts[best] < minTicked {
		return nil, c.Patch
	}
	tokens, err := jsonpatch.ParsePointer(best.path)
	if err != nil {
		return nil, c.Patch
	}
	// The word after the number, as most of those items write it, and
	// whether any writes a humanized duration.
	words := map[string]int{}
	humanized := false
	for _, p := range c.Patch {
		if o, ok := findIncrement(p.Ops, best.path, best.step); ok && p.At < arr.Len() {
			if v, ok := valueAt(arr.Elem(p.At), tokens); ok && v.Kind() == snapshot.String {
				if w := wordAfterRun(v.Text(), o.Run); w != "" {
					words[w]++
				}
				if !humanized {
					_, humanized = findHumanPhrase(v.Text())
				}
			}
		}
	}
	var word string
	for w, n := range words {
		if n > words[word] || (n == words[word] && w < word) {
			word = w
		}
	}
	if word == "" && !humanized {
		return nil, c.Patch // before reading every base item: a timestamp's digits, say
	}
	at := make(map[int]int, len(c.Patch)) // base position -> patch index, -1 when patched twice
	for k, p := range c.Patch {
		if _, twice := at[p.At]; twice {
			at[p.At] = -1
		} else {
			at[p.At] = k
		}
	}
	removed := make(map[int]bool, len(c.RemoveAt))
	for _, i := range c.RemoveAt {
		removed[i] = true
	}
	// The base items' strings at the pointer, read once for both ticks: a
	// compact base item is parsed again at every read of a member it does
	// not keep readable.
	texts := make([]string, arr.Len())
	isText := make([]bool, arr.Len())
	for i, item := range arr.Elems() {
		if v, ok := valueAt(item, tokens); ok && !removed[i] && v.Kind() == snapshot.String {
			texts[i], isText[i] = v.Text(), true
		}
	}
	// Both kinds of tick, the one that leaves less to send wins.
	var t *tick
	var strip map[int]bool
	for _, try := range []*tick{
		{pointer: best.path, word: word, step: best.step},
		{pointer: best.path, step: best.step, humanized: true},
	} {
		if (!try.humanized && word == "") || (try.humanized && !humanized) {
			continue
		}
		made := try.plan(c, texts, isText, at)
		if len(made) >= minTicked+len(try.except) && (t == nil || len(made)-len(try.except) > len(strip)-len(t.except)) {
			t, strip = try, made
		}
	}
	if t == nil {
		return nil, c.Patch
	}
	left := make([]delta.ItemPatch, 0, len(c.Patch)-len(strip))
	for k, p := range c.Patch {
		if !strip[k] {
			left = append(left, p)
			continue
		}
		ops := make([]delta.Op, 0, len(p.Ops)-1)
		for _, o := range p.Ops {
			if o.Path != t.pointer {
				ops = append(ops, o)
			}
		}
		if len(ops) > 0 {
			p.Ops = ops
			left = append(left, p)
		}
	}
	return t, left
}

// plan fills in t.except and returns the indexes of c's patches whose
// change at t.pointer the tick makes. texts holds each base item's string
// at the pointer, where isText says it has one and c does not remove it; at
// maps a base position to the index of its patch (-1 when patched twice).
func (t *tick) plan(c *delta.CollectionEdit, texts []string, isText []bool, at map[int]int) map[int]bool {
	strip := map[int]bool{}
	for i, s := range texts {
		if !isText[i] {
			continue
		}
		op, ok := t.textOp(s)
		if !ok {
			continue
		}
		if k, patched := at[i]; patched && k >= 0 && onlyOpAt(c.Patch[k].Ops, op, s) {
			strip[k] = true
			continue
		}
		t.except = append(t.except, i)
	}
	return strip
}

// findIncrement returns the text increment of ops at path by step.
func findIncrement(ops []delta.Op, path string, step int64) (delta.Op, bool) {
	for _, o := range ops {
		if o.Kind == delta.OpIncrementText && o.Path == path && o.Int == step {
			return o, true
		}
	}
	return delta.Op{}, false
}

// onlyOpAt reports whether ops make of the string base, at op's path,
// what op makes of it, with one operation and no other at that path, above
// it or below it: the tick's operation applies before them, so they must
// not depend on it.
func onlyOpAt(ops []delta.Op, op delta.Op, base string) bool {
	found := false
	for _, o := range ops {
		if !found && o.Path == op.Path && sameText(o, op, base) {
			found = true
			continue
		}
		if related(o.Path, op.Path) || ((o.Kind == delta.OpMove || o.Kind == delta.OpCopy) && related(o.From, op.Path)) {
			return false
		}
	}
	return found
}

// sameText reports whether operations a and b turn the string s into the
// same string.
func sameText(a, b delta.Op, s string) bool {
	if a.Kind == b.Kind && a.Int == b.Int && a.Run == b.Run && a.Prefix == b.Prefix && a.Suffix == b.Suffix && a.Text == b.Text &&
		(a.Kind == delta.OpIncrementText || a.Kind == delta.OpSplice) {
		return true // the same operation, which fails or not alike
	}
	x, okA := textAfter(a, s)
	y, okB := textAfter(b, s)
	return okA && okB && x == y
}

// textAfter returns what a scalar transform (delta.TransformText) or the
// replace by a string makes of s, or false for any other operation or one
// that does not apply.
func textAfter(o delta.Op, s string) (string, bool) {
	if o.Kind == delta.OpReplace {
		if o.Value != nil && o.Value.Kind() == snapshot.String {
			return o.Value.Text(), true
		}
		return "", false
	}
	t, err := delta.TransformText(s, o)
	return t, err == nil
}

// digitRun returns the bytes [start, end) of digit run run of s, counting
// runs as delta.OpIncrementText does.
func digitRun(s string, run int) (start, end int, ok bool) {
	n := -1
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			continue
		}
		if n++; n == run {
			end = i
			for end < len(s) && isDigit(s[end]) {
				end++
			}
			return i, end, true
		}
	}
	return 0, 0, false
}

// runsBefore counts the runs of digits that begin before byte end of s.
func runsBefore(s string, end int) int {
	run := 0
	for i := 0; i < end; i++ {
		if isDigit(s[i]) && (i == 0 || !isDigit(s[i-1])) {
			run++
		}
	}
	return run
}

// related reports whether JSON Pointers a and b are the same place or one
// lies inside the other.
func related(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}

// wordAfterRun returns what follows digit run run of s up to the end of
// the next word: " minutes" in "Up 4 minutes (healthy)". Empty when the run
// is missing or no space and word follow it.
func wordAfterRun(s string, run int) string {
	_, j, ok := digitRun(s, run)
	if !ok || j >= len(s) || s[j] != ' ' {
		return ""
	}
	k := j + 1
	for k < len(s) && s[k] != ' ' {
		k++
	}
	if k == j+1 {
		return ""
	}
	return s[j:k]
}
