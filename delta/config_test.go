package delta_test

import (
	"sync"
	"testing"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

func mustConfig(t *testing.T, opts ...snapshot.Option) *snapshot.Config {
	t.Helper()
	cfg, err := snapshot.NewConfig(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestCustomRules: identity rules come from the snapshots' configuration:
// none makes every array positional, a custom one keys by its path, and
// snapshots parsed under different rules still round trip.
func TestCustomRules(t *testing.T) {
	const a = `{"svc":[{"spec":{"app":"web"},"n":1},{"spec":{"app":"db"},"n":2}],"c":[{"Id":"x"},{"Id":"y"}]}`
	const b = `{"svc":[{"spec":{"app":"db"},"n":3},{"spec":{"app":"web"},"n":1}],"c":[{"Id":"y"},{"Id":"x"}]}`
	none := mustConfig(t, snapshot.WithRules())
	custom := mustConfig(t, snapshot.WithRules("spec.app"))
	parseWith := func(cfg *snapshot.Config, s string) *snapshot.Snapshot {
		snap, err := cfg.Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}

	d, err := roundTrip(parseWith(none, a), parseWith(none, b), true)
	if err != nil {
		t.Fatal(err)
	}
	noKeyed(t, d)

	d, err = roundTrip(parseWith(custom, a), parseWith(custom, b), true)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, e := range d.Edits {
		if e.Kind == delta.Keyed {
			rules = append(rules, e.Collection.Rule)
		}
	}
	if len(rules) != 1 || rules[0] != "spec.app" {
		t.Fatalf("want /svc keyed by spec.app only, got:\n%s", describe(d))
	}

	// The sender keys by its rules, the receiver rebuilds under its own.
	for _, p := range [][2]*snapshot.Config{{custom, snapshot.DefaultConfig()}, {snapshot.DefaultConfig(), custom}, {none, custom}} {
		if _, err := roundTrip(parseWith(p[0], a), parseWith(p[1], b), true); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentDiffApply: snapshots are shared read-only between
// goroutines; run with -race.
func TestConcurrentDiffApply(t *testing.T) {
	e := newDockerEnv(21, 30, 2)
	snaps := []*snapshot.Snapshot{e.snapshot()}
	for range 4 {
		e.step()
		snaps = append(snaps, e.snapshot())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				a, b := snaps[(w+i)%len(snaps)], snaps[(w+i+1)%len(snaps)]
				if _, err := roundTrip(a, b, false); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
