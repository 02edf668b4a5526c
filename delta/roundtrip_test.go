package delta_test

import (
	"errors"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// pairs is how many random snapshot pairs the property test checks, each
// in both directions. The shaped environments check a third as many each:
// their pairs are bigger and changed in fewer ways.
func pairs() int {
	if testing.Short() {
		return 300
	}
	return 3000
}

// checkPair runs every round-trip contract on a→b and b→a, plus the
// no-change and failed-apply contracts on a. n names the pair in failures.
func checkPair(t *testing.T, n int, a, b *snapshot.Snapshot) {
	t.Helper()
	for _, p := range [][2]*snapshot.Snapshot{{a, b}, {b, a}} {
		if d, err := safeRoundTrip(p[0], p[1], n%5 == 0); err != nil {
			msg := "<no delta>"
			if d != nil {
				msg = describe(d)
			}
			t.Fatalf("pair %d: %v\nbase:   %.600s\ntarget: %.600s\ndelta:\n%.2000s", n, err, p[0].MarshalCanonical(), p[1].MarshalCanonical(), msg)
		}
	}
	checkNoChange(t, n, a, n%5 == 0)
	if n%5 == 0 {
		checkFailedApply(t, n, a, b)
	}
}

// checkNoChange: a delta between equal snapshots is empty, whether or not
// they share nodes.
func checkNoChange(t *testing.T, n int, a *snapshot.Snapshot, thorough bool) {
	t.Helper()
	others := []*snapshot.Snapshot{a}
	if thorough {
		others = append(others, reparse(a))
	}
	for _, o := range others {
		d, err := delta.Diff(a, o)
		if err != nil {
			t.Fatalf("pair %d: Diff(a, a): %v", n, err)
		}
		if !d.Empty() || d.Base != a.Hash() || d.Target != a.Hash() || len(d.Edits) != 0 {
			t.Fatalf("pair %d: Diff(a, a) is not empty: %x→%x\n%s", n, d.Base, d.Target, describe(d))
		}
		got, err := delta.Apply(a, d)
		if err != nil || !got.Equal(a) {
			t.Fatalf("pair %d: applying the empty delta: %v", n, err)
		}
	}
}

// checkFailedApply: a delta whose target root was tampered with is refused
// with ErrVerify, and one made for another base with ErrUnknownBase, both
// leaving the base as it was.
func checkFailedApply(t *testing.T, n int, a, b *snapshot.Snapshot) {
	t.Helper()
	d, err := delta.Diff(a, b)
	if err != nil {
		t.Fatalf("pair %d: %v", n, err)
	}
	before := a.MarshalCanonical()
	tampered := *d
	tampered.Target ^= 1 << (n % 64)
	if _, err := safeApply(a, &tampered); !errors.Is(err, delta.ErrVerify) {
		t.Fatalf("pair %d: tampered target: error %v, want ErrVerify", n, err)
	}
	other := *d
	other.Base ^= 1
	if _, err := safeApply(a, &other); !errors.Is(err, delta.ErrUnknownBase) {
		t.Fatalf("pair %d: wrong base: error %v, want ErrUnknownBase", n, err)
	}
	if err := baseUnchanged(a, before); err != nil {
		t.Fatalf("pair %d: %v", n, err)
	}
}

func TestRoundTripRandomTrees(t *testing.T) {
	g := newGen(1)
	for n := range pairs() {
		var a, b *snapshot.Snapshot
		root := g.value(5)
		if n%3 == 0 {
			root = g.object(5) // most snapshots are objects at the root
		}
		a = snapshot.New(root, nil)
		switch {
		case n%10 == 9: // unrelated documents
			b = snapshot.New(g.value(5), nil)
		default:
			next := root
			for range 1 + g.r.IntN(3) {
				next = g.mutate(next)
			}
			b = snapshot.New(next, nil)
		}
		if n%2 == 0 {
			b = reparse(b) // no node shared with a
		}
		checkPair(t, n, a, b)
	}
}

func TestRoundTripDocker(t *testing.T) {
	chains, steps := 10, pairs()/30
	for c := range chains {
		e := newDockerEnv(uint64(c), 4+c*2, c%4)
		prev := e.snapshot()
		for s := range steps {
			e.step()
			next := e.snapshot()
			checkPair(t, c*steps+s, prev, next)
			prev = next
		}
	}
}

func TestRoundTripKubernetes(t *testing.T) {
	chains, steps := 10, pairs()/30
	for c := range chains {
		k := newK8sEnv(uint64(c), 3+c*2, c%2 == 0)
		prev := k.snapshot()
		for s := range steps {
			k.step()
			next := k.snapshot()
			checkPair(t, c*steps+s, prev, next)
			prev = next
		}
	}
}

// TestRoundTripShapesKeyed checks that the shaped environments really are
// diffed by key: a Docker or Kubernetes step must not fall back to
// positional edits of the lists.
func TestRoundTripShapesKeyed(t *testing.T) {
	e := newDockerEnv(7, 30, 1)
	k := newK8sEnv(7, 30, true)
	kn := newK8sEnv(7, 30, false)
	// Cluster-scoped objects without uids (nodes) have no identity by
	// default and stay positional.
	for i, s := range []*snapshot.Snapshot{e.snapshot(), k.snapshot(), kn.snapshot()} {
		for _, path := range [][]string{{"containers"}, {"images"}, {"networks"}, {"volumes", "Volumes"}, {"pods", "items"}, {"nodes", "items"}, {"services", "items"}} {
			if i == 2 && path[0] == "nodes" {
				continue
			}
			if v, ok := lookup(s.Root(), path); ok && v.Collection() == nil {
				t.Errorf("%s is not a keyed collection", delta.PathString(path))
			}
		}
	}
	want := map[string]string{"pods": "metadata.uid"}
	if v, _ := lookup(k.snapshot().Root(), []string{"pods", "items"}); v.Collection().Rule().String() != want["pods"] {
		t.Errorf("pods keyed by %s, want %s", v.Collection().Rule(), want["pods"])
	}
	if v, _ := lookup(kn.snapshot().Root(), []string{"pods", "items"}); v.Collection().Rule().String() != "metadata.namespace+metadata.name" {
		t.Errorf("uid-less pods keyed by %s", v.Collection().Rule())
	}
}
