package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	units "github.com/docker/go-units"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// testPolls caches the polls of seed 1 per profile across the tests of a run.
var (
	testPollsMu sync.Mutex
	testPolls   = map[Profile][][]byte{}
)

// polls returns the first n polls of p with seed 1.
func polls(t testing.TB, p Profile, n int) [][]byte {
	t.Helper()
	testPollsMu.Lock()
	defer testPollsMu.Unlock()
	if ps := testPolls[p]; len(ps) >= n {
		return ps[:n]
	}
	ps, err := Polls(p, 1, n)
	if err != nil {
		t.Fatal(err)
	}
	testPolls[p] = ps
	return ps
}

func TestNewSimulatorUnknownProfile(t *testing.T) {
	_, err := NewSimulator("docker-huge", 1)
	if !errors.Is(err, ErrUnknownProfile) {
		t.Fatalf("err = %v, want ErrUnknownProfile", err)
	}
	if err := WriteReplay(t.TempDir(), "nope", 1, 1); !errors.Is(err, ErrUnknownProfile) {
		t.Fatalf("WriteReplay err = %v, want ErrUnknownProfile", err)
	}
}

// The brief's sizes are ~50 KB, ~0.8 MB, ~0.2 MB and ~2.5 MB. The Kubernetes
// profiles come out larger: their objects are as large as real ones (a pod
// with managedFields is 5-8 KB, as in the sonobuoy and troubleshoot captures),
// and the counts of nodes and deployments are the brief's.
func TestSizes(t *testing.T) {
	tests := []struct {
		p      Profile
		lo, hi int
	}{
		{DockerSmall, 30_000, 120_000},
		{DockerLarge, 500_000, 1_400_000},
		{K8sSmall, 200_000, 1_500_000},
		{K8sLarge, 2_000_000, 14_000_000},
	}
	for _, tt := range tests {
		t.Run(string(tt.p), func(t *testing.T) {
			ps := polls(t, tt.p, 2)
			for i, b := range ps {
				if len(b) < tt.lo || len(b) > tt.hi {
					t.Errorf("poll %d: %d bytes, want %d..%d", i, len(b), tt.lo, tt.hi)
				}
			}
			t.Logf("%s: %d bytes", tt.p, len(ps[0]))
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, p := range Profiles() {
		t.Run(string(p), func(t *testing.T) {
			n := 6
			if strings.HasSuffix(string(p), "large") {
				n = 2
			}
			a, err := Polls(p, 42, n)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Polls(p, 42, n)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Polls(p, 43, 1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range a {
				if !bytes.Equal(a[i], b[i]) {
					t.Fatalf("poll %d differs between two runs with the same seed", i)
				}
			}
			if bytes.Equal(a[0], c[0]) {
				t.Fatal("seeds 42 and 43 gave the same poll 0")
			}
		})
	}
}

func TestPollsShape(t *testing.T) {
	keys := map[string][]string{
		"docker":     {"kind", "time", "info", "version", "containers", "images", "volumes", "networks"},
		"kubernetes": {"kind", "time", "nodes", "namespaces", "pods", "deployments", "replicasets", "services", "configmaps", "events"},
	}
	lists := map[string]string{"nodes": "NodeList", "namespaces": "NamespaceList", "pods": "PodList", "deployments": "DeploymentList",
		"replicasets": "ReplicaSetList", "services": "ServiceList", "configmaps": "ConfigMapList", "events": "EventList"}
	for _, p := range []Profile{DockerSmall, K8sSmall} {
		t.Run(string(p), func(t *testing.T) {
			n := 61
			if raceEnabled {
				n = 16
			}
			for i, b := range polls(t, p, n) {
				var doc map[string]json.RawMessage
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatalf("poll %d: %v", i, err)
				}
				var kind, at string
				json.Unmarshal(doc["kind"], &kind)
				json.Unmarshal(doc["time"], &at)
				if len(doc) != len(keys[kind]) {
					t.Fatalf("poll %d: kind %q with %d members", i, kind, len(doc))
				}
				for _, k := range keys[kind] {
					if doc[k] == nil {
						t.Fatalf("poll %d: no %q", i, k)
					}
				}
				if want := SimStart.Add(time.Duration(i) * PollInterval).Format(time.RFC3339); at != want {
					t.Fatalf("poll %d: time %s, want %s", i, at, want)
				}
				if kind != "kubernetes" {
					continue
				}
				for k, lk := range lists {
					var l struct {
						Kind     string
						Metadata struct{ ResourceVersion string }
						Items    []json.RawMessage
					}
					if err := json.Unmarshal(doc[k], &l); err != nil || l.Kind != lk || l.Metadata.ResourceVersion == "" || l.Items == nil {
						t.Fatalf("poll %d: %s is not a %s (%v)", i, k, lk, err)
					}
				}
			}
		})
	}
}

var (
	statusRE = regexp.MustCompile(`^(Up (Less than a second|1 second|\d+ seconds|About a minute|\d+ minutes|About an hour|\d+ hours|\d+ days|\d+ weeks|\d+ months)( \((healthy|unhealthy|health: starting)\))?|(Exited|Restarting) \(\d+\) .+ ago|Created)$`)
	hexID    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	digest   = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

type dockerSnap struct {
	Info struct {
		SystemTime  string
		NGoroutines int
	}
	Containers []struct {
		ID      string `json:"Id"`
		Names   []string
		Image   string
		ImageID string
		Labels  map[string]string
		State   string
		Status  string
	}
	Images []struct {
		ID       string `json:"Id"`
		RepoTags []string
	}
}

func TestDockerDynamics(t *testing.T) {
	for _, tc := range []struct {
		p Profile
		n int
	}{{DockerSmall, 61}, {DockerLarge, 31}} {
		t.Run(string(tc.p), func(t *testing.T) {
			if raceEnabled && tc.p == DockerLarge {
				t.Skip("slow under the race detector; docker-small covers the same code")
			}
			var snaps []dockerSnap
			for i, b := range polls(t, tc.p, tc.n) {
				var s dockerSnap
				if err := json.Unmarshal(b, &s); err != nil {
					t.Fatalf("poll %d: %v", i, err)
				}
				snaps = append(snaps, s)
			}
			statusChanges, restarts, appeared, gone, dangling := 0, 0, 0, 0, 0
			health := false
			for i, s := range snaps {
				for _, c := range s.Containers {
					if !hexID.MatchString(c.ID) || !digest.MatchString(c.ImageID) || !statusRE.MatchString(c.Status) {
						t.Fatalf("poll %d: bad container %s %q %q", i, c.ID, c.ImageID, c.Status)
					}
					if strings.Contains(c.Status, "(healthy)") {
						health = true
					}
					if p := c.Labels["com.docker.compose.project"]; p != "" && c.Labels["com.docker.compose.config-hash"] == "" {
						t.Fatalf("poll %d: compose container %s without config-hash", i, c.Names)
					}
				}
				for _, im := range s.Images {
					if len(im.RepoTags) == 1 && im.RepoTags[0] == "<none>:<none>" {
						dangling++
					}
				}
				if i == 0 {
					continue
				}
				prev := snaps[i-1]
				if s.Info.SystemTime == prev.Info.SystemTime {
					t.Errorf("poll %d: SystemTime did not move", i)
				}
				before := map[string]string{}
				for _, c := range prev.Containers {
					before[c.ID] = c.Status
				}
				for _, c := range s.Containers {
					old, ok := before[c.ID]
					if !ok {
						appeared++
						continue
					}
					delete(before, c.ID)
					if old != c.Status {
						statusChanges++
						young := strings.Contains(c.Status, "second") || strings.HasPrefix(c.Status, "Up About a minute")
						if strings.HasPrefix(c.Status, "Up ") && young && !strings.Contains(old, "second") && !strings.Contains(old, "Created") {
							restarts++
						}
					}
				}
				gone += len(before)
			}
			t.Logf("status changes %d, restarts %d, new %d, removed %d, dangling image sightings %d", statusChanges, restarts, appeared, gone, dangling)
			if statusChanges == 0 || restarts == 0 || appeared == 0 || gone == 0 || !health || dangling == 0 {
				t.Errorf("too little happened: status changes %d, restarts %d, new %d, removed %d, healthy seen %v, dangling %d",
					statusChanges, restarts, appeared, gone, health, dangling)
			}
		})
	}
}

type k8sSnap struct {
	Nodes struct {
		Items []struct {
			Metadata struct{ Name, ResourceVersion string }
			Status   struct {
				Conditions []struct{ Type, LastHeartbeatTime string }
			}
		}
	}
	Pods struct {
		Metadata struct{ ResourceVersion string }
		Items    []struct {
			Metadata struct {
				Name, Namespace string
				Labels          map[string]string
				OwnerReferences []struct{ Kind, Name string }
				ManagedFields   []json.RawMessage
			}
			Status struct {
				ContainerStatuses []struct {
					RestartCount int
					ContainerID  string
				}
			}
		}
	}
	ReplicaSets struct {
		Items []struct {
			Metadata struct{ Name string }
		}
	}
	Events struct {
		Items []struct {
			Metadata struct{ Name, Namespace string }
			Count    int
		}
	}
}

func TestK8sDynamics(t *testing.T) {
	var snaps []k8sSnap
	for i, b := range polls(t, K8sSmall, 61) {
		var s k8sSnap
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("poll %d: %v", i, err)
		}
		snaps = append(snaps, s)
	}
	restarts, newRS, created, expired, counted := 0, 0, 0, 0, 0
	for i := 1; i < len(snaps); i++ {
		prev, cur := snaps[i-1], snaps[i]
		for j, n := range cur.Nodes.Items {
			if n.Status.Conditions[0].LastHeartbeatTime == prev.Nodes.Items[j].Status.Conditions[0].LastHeartbeatTime {
				t.Errorf("poll %d: node %s heartbeat did not move", i, n.Metadata.Name)
			}
		}
		if cur.Pods.Metadata.ResourceVersion == prev.Pods.Metadata.ResourceVersion {
			t.Errorf("poll %d: list resourceVersion did not move", i)
		}
		restartsBefore := map[string]int{}
		for _, p := range prev.Pods.Items {
			restartsBefore[p.Metadata.Namespace+"/"+p.Metadata.Name] = p.Status.ContainerStatuses[0].RestartCount
		}
		for _, p := range cur.Pods.Items {
			if len(p.Metadata.ManagedFields) == 0 {
				t.Fatalf("poll %d: pod %s without managedFields", i, p.Metadata.Name)
			}
			if p.Metadata.OwnerReferences[0].Kind == "ReplicaSet" && !strings.HasSuffix(p.Metadata.OwnerReferences[0].Name, "-"+p.Metadata.Labels["pod-template-hash"]) {
				t.Fatalf("poll %d: pod %s: owner %s does not end in its pod-template-hash", i, p.Metadata.Name, p.Metadata.OwnerReferences[0].Name)
			}
			if r, ok := restartsBefore[p.Metadata.Namespace+"/"+p.Metadata.Name]; ok && p.Status.ContainerStatuses[0].RestartCount > r {
				restarts++
			}
		}
		rsBefore := map[string]bool{}
		for _, rs := range prev.ReplicaSets.Items {
			rsBefore[rs.Metadata.Name] = true
		}
		for _, rs := range cur.ReplicaSets.Items {
			if !rsBefore[rs.Metadata.Name] {
				newRS++
			}
		}
		evBefore := map[string]int{}
		for _, e := range prev.Events.Items {
			evBefore[e.Metadata.Namespace+"/"+e.Metadata.Name] = e.Count
		}
		for _, e := range cur.Events.Items {
			k := e.Metadata.Namespace + "/" + e.Metadata.Name
			c, ok := evBefore[k]
			switch {
			case !ok:
				created++
			case e.Count > c:
				counted++
			}
			delete(evBefore, k)
		}
		expired += len(evBefore)
	}
	t.Logf("restarts %d, new replica sets %d, events created %d, counted up %d, expired %d", restarts, newRS, created, counted, expired)
	if restarts == 0 || newRS == 0 || created == 0 || counted == 0 || expired == 0 {
		t.Errorf("too little happened: restarts %d, new replica sets %d, events created %d, counted up %d, expired %d", restarts, newRS, created, counted, expired)
	}
}

// TestHumanDuration pins the go-units thresholds the simulator's Docker
// statuses rely on, and the status ticks are measured against.
func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{500 * time.Millisecond, "Less than a second"},
		{time.Second, "1 second"},
		{47 * time.Second, "47 seconds"},
		{60 * time.Second, "About a minute"},
		{119 * time.Second, "About a minute"},
		{3 * time.Minute, "3 minutes"},
		{59 * time.Minute, "59 minutes"},
		{60 * time.Minute, "About an hour"},
		{89 * time.Minute, "About an hour"},
		{90 * time.Minute, "2 hours"},
		{47 * time.Hour, "47 hours"},
		{48 * time.Hour, "2 days"},
		{13 * 24 * time.Hour, "13 days"},
		{14 * 24 * time.Hour, "2 weeks"},
		{60 * 24 * time.Hour, "2 months"},
		{800 * 24 * time.Hour, "2 years"},
	}
	for _, tt := range tests {
		if got := units.HumanDuration(tt.d); got != tt.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestPodTemplateHash(t *testing.T) {
	a, b := podTemplateHash("shop/api:1.2.3"), podTemplateHash("shop/api:1.2.4")
	if a == b || a != podTemplateHash("shop/api:1.2.3") {
		t.Fatalf("hashes %q %q", a, b)
	}
	for _, h := range []string{a, b} {
		if len(h) < 1 || len(h) > 10 || strings.Trim(h, k8sAlphanums) != "" {
			t.Fatalf("hash %q is not a pod-template-hash", h)
		}
	}
}

func TestWriteReplay(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "replay")
	if err := WriteReplay(dir, DockerSmall, 1, 3); err != nil {
		t.Fatal(err)
	}
	want := polls(t, DockerSmall, 61)
	for i := 0; i < 3; i++ {
		b, err := os.ReadFile(filepath.Join(dir, ReplayName(i)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want[i]) {
			t.Fatalf("%s differs from poll %d", ReplayName(i), i)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ReplayName(3))); err == nil {
		t.Fatal("wrote more polls than asked")
	}
}

func TestPollCounter(t *testing.T) {
	s, err := NewSimulator(DockerSmall, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if s.Poll() != i || !s.Time().Equal(SimStart.Add(time.Duration(i)*PollInterval)) {
			t.Fatalf("before Next %d: Poll()=%d Time()=%v", i, s.Poll(), s.Time())
		}
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
}
