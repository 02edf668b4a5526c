package snapshot

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// compactDoc is a Docker-like document: lists near the root whose items
// ParseNext tracks, nested lists inside items, a literal that must survive.
func compactDoc(n, tick int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"info":{"Containers":%d,"SystemTime":"2026-01-01T00:00:%02dZ"},"containers":[`, n, tick%60)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		status := "Up 3 minutes"
		if i == tick%n {
			status = fmt.Sprintf("Up %d minutes", 3+tick)
		}
		fmt.Fprintf(&b, `{"Id":"c%03d","Names":["/app_%d"],"Size":1.50,"Status":%q,"Labels":{"app":"web","i":"%d"},"Ports":[{"PrivatePort":80,"Type":"tcp"}],"Mounts":[{"Name":"v%d"}]}`, i, i, status, i, i)
	}
	b.WriteString(`],"pods":{"items":[{"metadata":{"uid":"u1","name":"p1"},"spec":{"containers":[{"name":"a"},{"name":"b"}]}}]}}`)
	return b.String()
}

// lazyItems counts a snapshot's compact items and how many were parsed.
func lazyItems(s *Snapshot) (items, parsed int) {
	seen := map[*Node]bool{}
	for _, list := range s.lists {
		for _, sp := range list {
			if seen[sp.node] || sp.node.c == nil || sp.node.c.lazy == nil {
				continue
			}
			seen[sp.node] = true
			items++
			if sp.node.c.lazy.body != nil {
				parsed++
			}
		}
	}
	return items, parsed
}

func TestCompact(t *testing.T) {
	s := mustParse(t, compactDoc(20, 0))
	c := s.Compact()
	if items, parsed := lazyItems(c); items != 21 || parsed != 0 {
		t.Fatalf("compact snapshot: %d compact items, %d parsed; want 21 and 0", items, parsed)
	}
	if c.Hash() != s.Hash() || c.Root().Size() != s.Root().Size() || c.Root().Depth() != s.Root().Depth() {
		t.Fatal("compacting changed the root's hash, size or depth")
	}
	if member(c.Root(), "containers").Collection() == nil {
		t.Fatal("the compact list lost its collection view")
	}
	if items, parsed := lazyItems(c); parsed != 0 {
		t.Fatalf("reading the list's keys parsed %d of %d items", parsed, items)
	}
	if string(c.MarshalCanonical()) != string(s.MarshalCanonical()) || !c.Equal(s) {
		t.Fatal("the compact snapshot is not the same value")
	}
	if c.Compact() == nil || member(c.Compact().Root(), "containers").Elem(3) != member(c.Root(), "containers").Elem(3) {
		t.Fatal("compacting a compact snapshot rebuilt its items")
	}

	// The next poll reuses compact items, reading none of them, and is the
	// value a plain parse gives. (A fresh compact snapshot: Equal above
	// read every item of c.)
	c = s.Compact()
	next, err := DefaultConfig().ParseNext([]byte(compactDoc(20, 1)), c)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range member(c.Root(), "containers").Elems() {
		if e.c.lazy.body != nil {
			t.Fatalf("ParseNext read inside compact container %d", i)
		}
	}
	want := mustParse(t, compactDoc(20, 1))
	if next.Hash() != want.Hash() || !next.Equal(want) {
		t.Fatal("ParseNext from a compact snapshot differs from Parse")
	}
	shared := 0
	for i, e := range member(next.Root(), "containers").Elems() {
		if e == member(c.Root(), "containers").Elem(i) {
			shared++
		}
	}
	if shared != 19 {
		t.Fatalf("next poll shares %d items with the compact one, want 19", shared)
	}

	// Sketches survive compaction.
	for i, e := range member(s.Root(), "containers").Elems() {
		ce := member(c.Root(), "containers").Elem(i)
		if e.Sketch() != ce.Sketch() {
			t.Fatalf("item %d: sketch changed by compaction", i)
		}
	}
}

// TestCompactConcurrentReads reads compact items from many goroutines at
// once (run with -race): the first read parses, all see the same value.
func TestCompactConcurrentReads(t *testing.T) {
	s := mustParse(t, compactDoc(30, 0))
	c := s.Compact()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, e := range member(c.Root(), "containers").Elems() {
				v, ok := e.Get("Labels")
				if !ok || v.Hash() != member(member(s.Root(), "containers").Elem(i), "Labels").Hash() {
					t.Errorf("goroutine %d item %d: Labels differ", g, i)
				}
			}
		}()
	}
	wg.Wait()
}

// TestCompactMemory checks the point of it: a compact snapshot retains
// about its JSON's size, where a parsed one retains about twice that.
func TestCompactMemory(t *testing.T) {
	doc := []byte(compactDoc(2000, 0))
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	s, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	parsed := heap() - before
	c := s.Compact()
	s = nil
	compact := heap() - before
	runtime.KeepAlive(c)
	t.Logf("%d bytes of JSON: parsed %.2fx, compact %.2fx", len(doc), float64(parsed)/float64(len(doc)), float64(compact)/float64(len(doc)))
	// Items of ~170 bytes here, ~250 bytes of bookkeeping each: the
	// engines' items (1-8 KB) are what BenchmarkAgentMemory measures.
	if compact >= parsed/2 {
		t.Fatalf("compact snapshot retains %d bytes for %d of JSON (parsed: %d)", compact, len(doc), parsed)
	}
}

func member(n *Node, key string) *Node {
	v, ok := n.Get(key)
	if !ok {
		panic("no member " + key)
	}
	return v
}

// TestParseNextFromCompactEqualsParse is TestParseNextEqualsParse with the
// agent's cycle: each poll parsed against the kept compact snapshot, then
// compacted sharing with it, hot items kept as trees. Every poll must be
// the value a fresh parse builds, before and after compaction, and the kept
// snapshots must read back whole.
func TestParseNextFromCompactEqualsParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	state := map[int]string{}
	var kept *Snapshot
	shared := 0
	for poll := range 300 {
		for range 1 + rng.IntN(4) {
			state[rng.IntN(40)] = fmt.Sprintf("Up %d minutes", rng.IntN(6))
		}
		data := dockerish(30+rng.IntN(10), state)
		got := parseNextAsParse(t, data, kept)
		next := got.CompactSharing(kept)
		if next.Hash() != got.Hash() || string(next.MarshalCanonical()) != string(got.MarshalCanonical()) || !next.Equal(got) {
			t.Fatalf("poll %d: compacted snapshot differs from Parse", poll)
		}
		if kept != nil {
			old := map[*Node]bool{}
			for _, e := range member(kept.Root(), "containers").Elems() {
				old[e] = true
			}
			for _, e := range member(next.Root(), "containers").Elems() {
				if old[e] {
					shared++
				}
			}
		}
		// Reading inside every kept item parses it back to the same hash.
		for _, e := range member(next.Root(), "containers").Elems() {
			if v, ok := e.Get("Status"); !ok || v.Kind() != String {
				t.Fatalf("poll %d: a kept item lost its Status", poll)
			}
		}
		kept = next
	}
	if shared == 0 {
		t.Fatal("no item was shared between kept snapshots")
	}
}

// TestCompactKeptMember checks that a compact item answers Get of the kept
// member (Docker's Status by default) without parsing its text, present or
// absent, and parses for any other member.
func TestCompactKeptMember(t *testing.T) {
	s, err := Parse([]byte(compactDoc(6, 1)))
	if err != nil {
		t.Fatal(err)
	}
	c := s.Compact()
	items, parsed := lazyItems(c)
	if items == 0 || parsed != 0 {
		t.Fatalf("%d compact items, %d parsed", items, parsed)
	}
	list, _ := c.Root().Get("containers")
	want, _ := s.Root().Get("containers")
	for i, item := range list.Elems() {
		v, ok := item.Get("Status")
		w, _ := want.Elem(i).Get("Status")
		if !ok || v.Text() != w.Text() || v.Hash() != w.Hash() {
			t.Fatalf("item %d: Status %v %v, want %q", i, v, ok, w.Text())
		}
		if _, ok := item.Get("Labels"); !ok { // not kept: parses
			t.Fatalf("item %d: no Labels", i)
		}
	}
	if _, parsed := lazyItems(c); parsed != len(list.Elems()) {
		t.Fatalf("%d items parsed after reading Labels, want %d", parsed, len(list.Elems()))
	}

	// A member kept but absent, and no member kept at all.
	c = compactWith(t, WithKeptMember("State"))
	list, _ = c.Root().Get("containers")
	if v, ok := list.Elem(0).Get("State"); ok || v != nil {
		t.Errorf("absent kept member: %v %v", v, ok)
	}
	if _, parsed := lazyItems(c); parsed != 0 {
		t.Errorf("%d items parsed by a kept member", parsed)
	}
	c = compactWith(t, WithKeptMember(""))
	list, _ = c.Root().Get("containers")
	if _, ok := list.Elem(0).Get("Status"); !ok {
		t.Error("Status missing")
	}
	if _, parsed := lazyItems(c); parsed != 1 {
		t.Errorf("%d items parsed with no kept member, want 1", parsed)
	}
	if _, ok := list.Elem(1).Get("Size"); !ok { // parsed: not kept, still found
		t.Error("Size missing")
	}
}

// compactWith parses compactDoc(6, 1) under a Config with opts and compacts it.
func compactWith(t *testing.T, opts ...Option) *Snapshot {
	t.Helper()
	cfg, err := NewConfig(opts...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := cfg.Parse([]byte(compactDoc(6, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return s.Compact()
}
