package link

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/snapshot"
)

// simHost is a small Docker-like environment that changes poll by poll the
// way real hosts do: every running container's "Up N minutes" status and
// the host's clock and goroutine count move each minute; now and then a
// container stops, starts, restarts, appears or goes away. Deterministic for
// a seed.
type simHost struct {
	rng        *rand.Rand
	poll       int
	nextID     int
	containers []*simContainer
	images     []string
	goroutines int
	last       *snapshot.Snapshot
}

type simContainer struct {
	id, name, image string
	running         bool
	since           int // poll it (re)started or stopped at
	restarts        int
}

func newSimHost(seed uint64, containers int) *simHost {
	h := &simHost{rng: rand.New(rand.NewPCG(seed, 0x5eed))}
	for i := range 6 {
		h.images = append(h.images, fmt.Sprintf("registry.example.com/team/app-%d:1.%d.%d", i, i%3, i*7%10))
	}
	for range containers {
		h.addContainer()
	}
	return h
}

func (h *simHost) hexID() string {
	h.nextID++
	return fmt.Sprintf("%016x%016x%016x%016x", h.rng.Uint64(), h.rng.Uint64(), uint64(h.nextID), h.rng.Uint64())
}

func (h *simHost) addContainer() {
	h.containers = append(h.containers, &simContainer{
		id:      h.hexID(),
		name:    fmt.Sprintf("svc-%d", h.nextID),
		image:   h.images[h.rng.IntN(len(h.images))],
		running: h.rng.IntN(5) > 0,
		since:   h.poll - h.rng.IntN(3*24*60), // up to three days ago
	})
}

// humanMinutes renders a duration the way Docker's status line does, so
// long-running containers change their status rarely.
func humanMinutes(m int) string {
	switch {
	case m <= 1:
		return "About a minute"
	case m < 60:
		return fmt.Sprintf("%d minutes", m)
	case m < 120:
		return "About an hour"
	case m < 48*60:
		return fmt.Sprintf("%d hours", m/60)
	}
	return fmt.Sprintf("%d days", m/(24*60))
}

// step moves the host one poll (one minute) on.
func (h *simHost) step() {
	h.poll++
	h.goroutines = 40 + h.rng.IntN(30)
	switch r := h.rng.IntN(100); {
	case r < 8 && len(h.containers) > 0:
		c := h.containers[h.rng.IntN(len(h.containers))]
		c.running, c.since = !c.running, h.poll
	case r < 12 && len(h.containers) > 0:
		c := h.containers[h.rng.IntN(len(h.containers))]
		c.restarts++
		c.running, c.since = true, h.poll
	case r < 15:
		h.addContainer()
	case r < 17 && len(h.containers) > 1:
		i := h.rng.IntN(len(h.containers))
		h.containers = append(h.containers[:i], h.containers[i+1:]...)
	}
}

// snapshot returns the host's snapshot at the current poll.
func (h *simHost) snapshot(tb testing.TB) *snapshot.Snapshot {
	tb.Helper()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(h.poll) * time.Minute)
	running := 0
	cs := make([]any, 0, len(h.containers))
	for i, c := range h.containers {
		state, status := "exited", fmt.Sprintf("Exited (0) %s ago", humanMinutes(h.poll-c.since))
		if c.running {
			running++
			state, status = "running", "Up "+humanMinutes(h.poll-c.since)
		}
		cs = append(cs, map[string]any{
			"Id":      c.id,
			"Names":   []any{"/" + c.name},
			"Image":   c.image,
			"ImageID": "sha256:" + c.id[:32] + c.id[:32],
			"Command": "/docker-entrypoint.sh --port 80" + fmt.Sprint(i%10),
			"Created": 1740830400 + int64(i)*61,
			"State":   state,
			"Status":  status,
			"Ports": []any{
				map[string]any{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8000 + i, "Type": "tcp"},
			},
			"Labels": map[string]any{
				"com.docker.compose.project": "edge",
				"com.docker.compose.service": c.name,
				"restarts":                   fmt.Sprint(c.restarts),
			},
			"HostConfig": map[string]any{"NetworkMode": "bridge"},
			"NetworkSettings": map[string]any{"Networks": map[string]any{
				"bridge": map[string]any{"IPAddress": fmt.Sprintf("172.17.0.%d", i+2), "Gateway": "172.17.0.1", "MacAddress": "02:42:ac:11:00:02"},
			}},
			"Mounts": []any{},
		})
	}
	imgs := make([]any, 0, len(h.images))
	for i, name := range h.images {
		imgs = append(imgs, map[string]any{
			"Id":       fmt.Sprintf("sha256:%064x", i+1),
			"RepoTags": []any{name},
			"Size":     12345678 * (i + 1),
			"Created":  1740000000 + i,
		})
	}
	doc := map[string]any{
		"info": map[string]any{
			"ID":                "HOST:ABCD:EFGH",
			"Containers":        len(h.containers),
			"ContainersRunning": running,
			"ContainersStopped": len(h.containers) - running,
			"NGoroutines":       h.goroutines,
			"SystemTime":        now.Format(time.RFC3339Nano),
			"MemTotal":          8 << 30,
			"ServerVersion":     "27.3.1",
		},
		"version":    map[string]any{"Version": "27.3.1", "ApiVersion": "1.47", "Os": "linux", "Arch": "amd64"},
		"containers": cs,
		"images":     imgs,
		"volumes":    map[string]any{"Volumes": []any{map[string]any{"Name": "data", "Driver": "local"}}},
	}
	// Parsed as an agent parses its polls: items whose JSON did not
	// change are shared with the previous poll.
	data, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := snapshot.DefaultConfig().ParseNext(data, h.last)
	if err != nil {
		tb.Fatal(err)
	}
	h.last = s
	return s
}

// next steps the host and returns its new snapshot.
func (h *simHost) next(tb testing.TB) *snapshot.Snapshot {
	tb.Helper()
	h.step()
	return h.snapshot(tb)
}
