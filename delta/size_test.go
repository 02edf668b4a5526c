package delta_test

import (
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// TestPatchOverPut: one changed field in a big container is sent as a
// patch of that field, not as the whole container, and the containers that
// did not change are not in the delta at all.
func TestPatchOverPut(t *testing.T) {
	e := newDockerEnv(3, 12, 4)
	// One container of about 5 KB: Docker Compose and OCI labels add up.
	big := e.newContainer(70)
	e.Containers = append(e.Containers[:5], append([]dockerContainer{big}, e.Containers[5:]...)...)
	a := e.snapshot()
	item, _ := lookup(a.Root(), []string{"containers"})
	if size := item.Elem(5).Size(); size < 5000 || size > 6500 {
		t.Fatalf("big container is %d bytes, want about 5 KB", size)
	}

	e.Containers[5].State = "exited"
	b := e.snapshot()
	d, err := roundTrip(a, b, true)
	if err != nil {
		t.Fatal(err)
	}
	ce := keyed(t, d)
	if len(ce.Put) != 0 || len(ce.Remove) != 0 || ce.Order != nil || len(ce.Patch) != 1 {
		t.Fatalf("want one item patch, got:\n%s", describe(d))
	}
	p := ce.Patch[0]
	if p.Key != big.ID || len(p.Ops) != 1 || p.Ops[0].Kind != delta.OpReplace || p.Ops[0].Path != "/State" || p.Ops[0].Value.Text() != "exited" {
		t.Fatalf("want replace /State of %s, got:\n%s", big.ID, describe(d))
	}

	// When every part of a small item changed, the item is put whole.
	small := parse(t, `{"c":[{"Id":"x","l":[1,2,3,4]}]}`)
	d, err = roundTrip(small, parse(t, `{"c":[{"Id":"x","l":[5,6,7,8]}]}`), true)
	if err != nil {
		t.Fatal(err)
	}
	if ce := keyed(t, d); len(ce.Put) != 1 || ce.Put[0].Index != -1 || len(ce.Patch) != 0 {
		t.Fatalf("want the small item put whole, got:\n%s", describe(d))
	}
}

// TestUnchangedItemsAbsent: over a series of Docker polls, no collection
// edit names an item that did not change (checkShape checks every edit of
// every round trip the same way; this test makes the claim explicit on the
// shape where it matters most).
func TestUnchangedItemsAbsent(t *testing.T) {
	e := newDockerEnv(11, 40, 2)
	prev := e.snapshot()
	for range 30 {
		e.step()
		next := e.snapshot()
		d, err := delta.Diff(prev, next)
		if err != nil {
			t.Fatal(err)
		}
		for _, ed := range d.Edits {
			if ed.Kind != delta.Keyed {
				continue
			}
			a, _ := lookup(prev.Root(), ed.Path)
			b, _ := lookup(next.Root(), ed.Path)
			if err := checkCollection(a, b, ed.Collection); err != nil {
				t.Fatalf("%s: %v", delta.PathString(ed.Path), err)
			}
		}
		prev = next
	}
}

// TestDiffSharesNothingMutable: Diff must not change its inputs either.
func TestDiffLeavesInputs(t *testing.T) {
	g := newGen(5)
	for range 200 {
		a := snapshot.New(g.object(4), nil)
		b := snapshot.New(g.mutate(a.Root()), nil)
		aj, bj := a.MarshalCanonical(), b.MarshalCanonical()
		if _, err := delta.Diff(a, b); err != nil {
			t.Fatal(err)
		}
		if err := baseUnchanged(a, aj); err != nil {
			t.Fatal(err)
		}
		if err := baseUnchanged(b, bj); err != nil {
			t.Fatal(err)
		}
	}
}
