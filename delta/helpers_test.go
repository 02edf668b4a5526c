package delta_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

func parse(tb testing.TB, s string) *snapshot.Snapshot {
	tb.Helper()
	snap, err := snapshot.Parse([]byte(s))
	if err != nil {
		tb.Fatalf("parse %.80q: %v", s, err)
	}
	return snap
}

// reparse returns a snapshot of the same value sharing no node with s.
func reparse(s *snapshot.Snapshot) *snapshot.Snapshot {
	out, err := snapshot.Parse(s.MarshalCanonical())
	if err != nil {
		panic(fmt.Sprintf("canonical JSON does not parse: %v", err))
	}
	return out
}

// roundTrip checks every contract of one Diff and Apply from a to b and
// returns the delta. It reports the first broken contract as an error so
// the caller can show the inputs. thorough adds the checks that re-encode
// whole snapshots: the canonical JSON, the stored hashes of the result and
// the base being left as it was.
func roundTrip(a, b *snapshot.Snapshot, thorough bool) (*delta.Delta, error) {
	var aJSON []byte
	if thorough {
		aJSON = a.MarshalCanonical()
	}
	d, err := delta.Diff(a, b)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	if d.Base != a.Hash() || d.Target != b.Hash() {
		return d, fmt.Errorf("delta names %x→%x, want %x→%x", d.Base, d.Target, a.Hash(), b.Hash())
	}
	if err := checkShape(a, b, d); err != nil {
		return d, err
	}
	got, err := delta.Apply(a, d)
	if err != nil {
		return d, fmt.Errorf("apply: %w", err)
	}
	if !got.Equal(b) || got.Hash() != b.Hash() {
		return d, fmt.Errorf("apply rebuilt %.300s, want %.300s", got.MarshalCanonical(), b.MarshalCanonical())
	}
	if !thorough {
		return d, nil
	}
	if gj, bj := got.MarshalCanonical(), b.MarshalCanonical(); !bytes.Equal(gj, bj) {
		return d, fmt.Errorf("apply rebuilt canonical %.300s, want %.300s", gj, bj)
	}
	// The rebuilt tree's hashes must be the content's, not stale ones.
	if reparse(got).Hash() != b.Hash() {
		return d, fmt.Errorf("rebuilt snapshot's stored hash differs from its content's")
	}
	if err := baseUnchanged(a, aJSON); err != nil {
		return d, fmt.Errorf("after apply: %w", err)
	}
	// As an agent diffs: against its compact base, without model patches;
	// the delta applies to the compact base and to the parsed one.
	ac := a.Compact()
	dc, err := delta.Diff(ac, b, delta.WithoutModelPatches())
	if err != nil {
		return d, fmt.Errorf("diff from the compact base: %w", err)
	}
	for name, base := range map[string]*snapshot.Snapshot{"compact": ac, "parsed": a} {
		got, err := delta.Apply(base, dc)
		if err != nil {
			return d, fmt.Errorf("apply the compact base's delta to the %s base: %w", name, err)
		}
		if got.Hash() != b.Hash() || !bytes.Equal(got.MarshalCanonical(), b.MarshalCanonical()) {
			return d, fmt.Errorf("the compact base's delta applied to the %s base rebuilt %.300s", name, got.MarshalCanonical())
		}
	}
	return d, nil
}

// baseUnchanged reports whether a still holds the JSON it held (aJSON), with
// a root hash that is still its content's.
func baseUnchanged(a *snapshot.Snapshot, aJSON []byte) error {
	if now := a.MarshalCanonical(); !bytes.Equal(now, aJSON) {
		return fmt.Errorf("base changed: was %.200s, now %.200s", aJSON, now)
	}
	if reparse(a).Hash() != a.Hash() {
		return fmt.Errorf("base hash %x is not its content's", a.Hash())
	}
	return nil
}

// checkShape checks the structural contracts of d: no edit's path is a
// prefix of another's, edits have what their kind needs, and keyed edits
// are minimal (no unchanged item, every removed key gone from b, every
// inserted key new, Order only when the order is not implied).
func checkShape(a, b *snapshot.Snapshot, d *delta.Delta) error {
	if (d.Base == d.Target) != (len(d.Edits) == 0) {
		return fmt.Errorf("delta %x→%x has %d edits", d.Base, d.Target, len(d.Edits))
	}
	for i, e := range d.Edits {
		for j, f := range d.Edits {
			if i != j && len(e.Path) <= len(f.Path) && slices.Equal(e.Path, f.Path[:len(e.Path)]) {
				return fmt.Errorf("edit %d path %s is a prefix of edit %d path %s", i, delta.PathString(e.Path), j, delta.PathString(f.Path))
			}
		}
		if e.Kind != delta.Keyed {
			continue
		}
		av, aok := lookup(a.Root(), e.Path)
		bv, bok := lookup(b.Root(), e.Path)
		if !aok || !bok {
			return fmt.Errorf("collection edit at %s: not in both snapshots", delta.PathString(e.Path))
		}
		if err := checkCollection(av, bv, e.Collection); err != nil {
			return fmt.Errorf("collection edit at %s: %w", delta.PathString(e.Path), err)
		}
	}
	return nil
}

func checkCollection(a, b *snapshot.Node, ce *delta.CollectionEdit) error {
	rule, err := snapshot.ParseRule(ce.Rule)
	if err != nil {
		return err
	}
	ca, ok1 := snapshot.CollectionBy(a, rule)
	cb, ok2 := snapshot.CollectionBy(b, rule)
	if !ok1 || !ok2 {
		return fmt.Errorf("not keyed by %q on both sides", ce.Rule)
	}
	changed := func(k string) error {
		i, ok := ca.Lookup(k)
		j, ok2 := cb.Lookup(k)
		if !ok || !ok2 {
			return fmt.Errorf("item %q changed in place but is not on both sides", k)
		}
		if snapshot.Equal(a.Elem(i), b.Elem(j)) {
			return fmt.Errorf("unchanged item %q is in the delta", k)
		}
		return nil
	}
	seen := map[string]bool{}
	for _, k := range ce.Remove {
		if _, ok := cb.Lookup(k); ok {
			return fmt.Errorf("removed item %q is still there", k)
		}
	}
	for _, i := range ce.RemoveAt {
		if i < 0 || i >= len(ca.Keys()) {
			return fmt.Errorf("removed base position %d out of range", i)
		}
		if _, ok := cb.Lookup(ca.Keys()[i]); ok {
			return fmt.Errorf("removed item %q (base position %d) is still there", ca.Keys()[i], i)
		}
	}
	byPos := func(key string, at int, ok bool) error {
		if ok && (at < 0 || at >= len(ca.Keys()) || ca.Keys()[at] != key) {
			return fmt.Errorf("item %q named by base position %d, which holds another item", key, at)
		}
		return nil
	}
	for _, it := range ce.Put {
		if err := byPos(it.Key, it.At, it.ByPos); err != nil {
			return err
		}
		if it.HasFrom && (it.Index < 0 || it.From < 0 || it.From >= len(ca.Keys())) {
			return fmt.Errorf("item %q built from base position %d is malformed", it.Key, it.From)
		}
		// Diff sets the value of every put, so that an encoder may send it.
		if it.Value == nil || (it.Index >= 0 && (it.Index >= b.Len() || b.Elem(it.Index).Hash() != it.Value.Hash())) {
			return fmt.Errorf("item %q: value missing or not the item at %d", it.Key, it.Index)
		}
		for k, i := range it.Like {
			if i < 0 || i >= a.Len() || slices.Contains(it.Like[:k], i) {
				return fmt.Errorf("item %q: like %v names a position twice or past the base", it.Key, it.Like)
			}
		}
		if it.HasFrom && (len(it.Like) == 0 || it.Like[len(it.Like)-1] != it.From) {
			return fmt.Errorf("item %q built from %d, like %v does not end with it", it.Key, it.From, it.Like)
		}
	}
	for _, p := range ce.Patch {
		if err := byPos(p.Key, p.At, p.ByPos); err != nil {
			return err
		}
	}
	for _, it := range ce.Put {
		if seen[it.Key] {
			return fmt.Errorf("item %q named twice", it.Key)
		}
		seen[it.Key] = true
		if it.Index < 0 {
			if err := changed(it.Key); err != nil {
				return err
			}
			continue
		}
		if _, ok := ca.Lookup(it.Key); ok {
			return fmt.Errorf("inserted item %q was already there", it.Key)
		}
	}
	for _, p := range ce.Patch {
		if seen[p.Key] {
			return fmt.Errorf("item %q named twice", p.Key)
		}
		seen[p.Key] = true
		if err := changed(p.Key); err != nil {
			return err
		}
	}
	if ce.Order != nil && !reordered(ca, cb) {
		return fmt.Errorf("order %v set but the kept items keep their order", ce.Order)
	}
	if ce.Order == nil && reordered(ca, cb) {
		return fmt.Errorf("kept items reordered without an order")
	}
	return nil
}

// reordered reports whether the items on both sides appear in a different
// relative order. Insertions and removals alone never need an Order.
func reordered(ca, cb *snapshot.Collection) bool {
	last := -1
	for _, k := range cb.Keys() {
		i, ok := ca.Lookup(k)
		if !ok {
			continue
		}
		if i < last {
			return true
		}
		last = i
	}
	return false
}

// lookup follows a path of member names from n.
func lookup(n *snapshot.Node, path []string) (*snapshot.Node, bool) {
	for _, p := range path {
		v, ok := n.Get(p)
		if !ok {
			return nil, false
		}
		n = v
	}
	return n, true
}

// describe renders a delta's edits one a line, for examples and failures.
func describe(d *delta.Delta) string {
	var b strings.Builder
	for _, e := range d.Edits {
		fmt.Fprintf(&b, "%s %s", e.Kind, delta.PathString(e.Path))
		switch e.Kind {
		case delta.Set:
			fmt.Fprintf(&b, " = %.80s", snapshot.AppendCanonical(nil, e.Value))
		case delta.Patch:
			b.WriteString(" " + describeOps(e.Ops))
		case delta.Keyed:
			ce := e.Collection
			fmt.Fprintf(&b, " by %s:", ce.Rule)
			for _, k := range ce.Remove {
				fmt.Fprintf(&b, " remove %q;", k)
			}
			for _, i := range ce.RemoveAt {
				fmt.Fprintf(&b, " remove #%d;", i)
			}
			for _, it := range ce.Put {
				switch {
				case it.Index < 0:
					fmt.Fprintf(&b, " replace %q;", it.Key)
				case it.HasFrom:
					fmt.Fprintf(&b, " insert %q at %d from #%d %s;", it.Key, it.Index, it.From, describeOps(it.Ops))
				default:
					fmt.Fprintf(&b, " insert %q at %d;", it.Key, it.Index)
				}
			}
			for _, p := range ce.Patch {
				fmt.Fprintf(&b, " patch %q %s;", p.Key, describeOps(p.Ops))
			}
			if ce.Order != nil {
				fmt.Fprintf(&b, " order %v;", ce.Order)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func describeOps(ops []delta.Op) string {
	parts := make([]string, len(ops))
	for i, o := range ops {
		parts[i] = o.Kind.String() + " " + o.Path
		switch o.Kind {
		case delta.OpIncrement:
			parts[i] += fmt.Sprintf(" %+d", o.Int)
		case delta.OpShiftTime:
			parts[i] += fmt.Sprintf(" %+dns layout %d", o.Int, o.Layout)
		case delta.OpSplice:
			parts[i] += fmt.Sprintf(" keep %d+%d put %q", o.Prefix, o.Suffix, o.Text)
		case delta.OpIncrementText:
			parts[i] += fmt.Sprintf(" %+d run %d", o.Int, o.Run)
		}
		if o.Value != nil {
			parts[i] += fmt.Sprintf(" %.40s", snapshot.AppendCanonical(nil, o.Value))
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// mustFail applies d to base and checks it fails with want, leaves base as
// it was and does not panic.
func mustFail(t *testing.T, base *snapshot.Snapshot, d *delta.Delta, want error) {
	t.Helper()
	before := base.MarshalCanonical()
	got, err := safeApply(base, d)
	if !errors.Is(err, want) {
		t.Fatalf("Apply error = %v, want %v", err, want)
	}
	if got != nil {
		t.Errorf("Apply returned a snapshot with error %v", err)
	}
	if err := baseUnchanged(base, before); err != nil {
		t.Error(err)
	}
}

// safeApply is Apply with a panic turned into an error, so a test reports
// the input instead of dying.
func safeApply(base *snapshot.Snapshot, d *delta.Delta) (s *snapshot.Snapshot, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return delta.Apply(base, d)
}

// safeRoundTrip is roundTrip with a panic turned into an error.
func safeRoundTrip(a, b *snapshot.Snapshot, thorough bool) (d *delta.Delta, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return roundTrip(a, b, thorough)
}
