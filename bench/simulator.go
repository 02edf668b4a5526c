package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Profile names a simulated environment.
type Profile string

// The simulated environments. Sizes are those of the compact JSON snapshot.
// The Kubernetes objects are as large as real ones (a pod with its
// managedFields is 5-8 KB, as in the sonobuoy and troubleshoot captures), so
// the clusters weigh more than their object counts might suggest.
const (
	DockerSmall Profile = "docker-small" // an edge host: ~22 containers, ~60 KB
	DockerLarge Profile = "docker-large" // a busy host: ~360 containers, ~0.87 MB
	K8sSmall    Profile = "k8s-small"    // 3 nodes, 25 deployments, ~45 pods: ~0.8 MB
	K8sLarge    Profile = "k8s-large"    // 20 nodes, 300 deployments, ~550 pods: ~8 MB
)

// Profiles returns every profile, smallest first within each platform.
func Profiles() []Profile { return []Profile{DockerSmall, DockerLarge, K8sSmall, K8sLarge} }

// ErrUnknownProfile is returned for a profile name that is not in Profiles.
var ErrUnknownProfile = errors.New("bench: unknown profile")

// PollInterval is the simulated time between two polls.
const PollInterval = 60 * time.Second

// SimStart is the instant of poll 0.
var SimStart = time.Date(2024, time.January, 15, 9, 0, 0, 0, time.UTC)

// env is one simulated environment.
type env interface {
	step(now time.Time) // advance from the previous poll to now
	render(w *jw, now time.Time)
	counters() *simStats
}

// simStats counts what happened, so tests can tell the dynamics really ran.
type simStats struct {
	crashes, restarts, created, removed, redeploys, healthFlips int
	imagesPruned, projectsAdded, projectsRemoved                int
	podRestarts, scalings, rollouts, eventsCreated              int
	eventsCounted, eventsExpired, podsCreated, podsDeleted      int
}

// Simulator produces successive snapshots of one environment, one per poll
// (PollInterval apart, poll 0 at SimStart). It is deterministic: the same
// profile and seed give the same bytes on every platform. A Simulator is not
// safe for concurrent use.
type Simulator struct {
	profile Profile
	poll    int
	g       *gen
	env     env
	w       jw
	last    int
}

// NewSimulator returns a simulator for p seeded with seed.
func NewSimulator(p Profile, seed int64) (*Simulator, error) {
	g := newGen(seed)
	var e env
	switch p {
	case DockerSmall:
		e = newDockerEnv(g, false, SimStart)
	case DockerLarge:
		e = newDockerEnv(g, true, SimStart)
	case K8sSmall:
		e = newK8sEnv(g, false, SimStart)
	case K8sLarge:
		e = newK8sEnv(g, true, SimStart)
	default:
		return nil, fmt.Errorf("bench: new simulator %q: %w", p, ErrUnknownProfile)
	}
	return &Simulator{profile: p, g: g, env: e}, nil
}

// Profile returns the simulated profile.
func (s *Simulator) Profile() Profile { return s.profile }

// Poll returns the number of the poll the next call to Next returns.
func (s *Simulator) Poll() int { return s.poll }

// Time returns the instant of the poll the next call to Next returns.
func (s *Simulator) Time() time.Time { return SimStart.Add(time.Duration(s.poll) * PollInterval) }

// Next returns the JSON snapshot of the next poll (the first call returns
// poll 0) and advances the clock by PollInterval. The returned slice is the
// caller's.
func (s *Simulator) Next() ([]byte, error) {
	now := s.Time()
	if s.poll > 0 {
		s.env.step(now)
	}
	s.w = jw{b: make([]byte, 0, s.last+s.last/8+4096), html: s.w.html, open: s.w.open[:0]}
	s.env.render(&s.w, now)
	if len(s.w.open) != 0 {
		return nil, fmt.Errorf("bench: poll %d of %s: unbalanced document", s.poll, s.profile)
	}
	s.poll++
	s.last = len(s.w.b)
	return s.w.b, nil
}

// Polls returns the first n polls of p with seed.
func Polls(p Profile, seed int64, n int) ([][]byte, error) {
	s, err := NewSimulator(p, seed)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, n)
	for range n {
		b, err := s.Next()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// ReplayName returns the file name WriteReplay gives poll i.
func ReplayName(i int) string { return fmt.Sprintf("snap-%04d.json", i) }

// WriteReplay writes polls snapshots of p to dir as snap-0000.json,
// snap-0001.json, ... (the CLI agent's --replay input), creating dir if needed.
func WriteReplay(dir string, p Profile, seed int64, polls int) error {
	if polls < 0 {
		return fmt.Errorf("bench: write replay: negative poll count %d", polls)
	}
	s, err := NewSimulator(p, seed)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: write replay: %w", err)
	}
	for i := range polls {
		b, err := s.Next()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, ReplayName(i)), b, 0o644); err != nil {
			return fmt.Errorf("bench: write replay: %w", err)
		}
	}
	return nil
}
