package delta_test

import (
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// benchPair is a ~400-container Docker host before and after a poll in
// which 5 containers changed: three statuses, one stop, one new container.
func benchPair(b *testing.B) (base, next *snapshot.Snapshot) {
	b.Helper()
	e := newDockerEnv(42, 400, 6)
	base = e.snapshot()
	for i, c := range []int{3, 50, 120, 260} {
		e.Containers[c].Status = "Up 5 minutes"
		if i == 3 {
			e.Containers[c].State, e.Containers[c].Status = "exited", "Exited (137) 1 second ago"
		}
	}
	e.Containers = append([]dockerContainer{e.newContainer(6)}, e.Containers...)
	next = e.snapshot()
	d, err := delta.Diff(base, next)
	if err != nil {
		b.Fatal(err)
	}
	if ce := d.Edits[0].Collection; len(d.Edits) != 1 || ce == nil || len(ce.Patch)+len(ce.Put) != 5 {
		b.Fatalf("want 5 items changed, got:\n%s", describe(d))
	}
	return base, next
}

func BenchmarkDiff(b *testing.B) {
	base, next := benchPair(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := delta.Diff(base, next); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApply(b *testing.B) {
	base, next := benchPair(b)
	d, err := delta.Diff(base, next)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := delta.Apply(base, d); err != nil {
			b.Fatal(err)
		}
	}
}
