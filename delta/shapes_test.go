package delta_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Docker- and Kubernetes-shaped environments that evolve by the steps real
// ones take between two polls. Each is a small Go model rendered to the
// engine's JSON and parsed, as the agent does.

type dockerPort struct {
	IP          string `json:"IP,omitempty"`
	PrivatePort int    `json:"PrivatePort"`
	PublicPort  int    `json:"PublicPort,omitempty"`
	Type        string `json:"Type"`
}

type dockerContainer struct {
	ID              string            `json:"Id"`
	Names           []string          `json:"Names"`
	Image           string            `json:"Image"`
	ImageID         string            `json:"ImageID"`
	Command         string            `json:"Command"`
	Created         int64             `json:"Created"`
	State           string            `json:"State"`
	Status          string            `json:"Status"`
	Ports           []dockerPort      `json:"Ports"`
	Labels          map[string]string `json:"Labels"`
	HostConfig      map[string]string `json:"HostConfig"`
	NetworkSettings map[string]any    `json:"NetworkSettings"`
	Mounts          []map[string]any  `json:"Mounts"`
}

type dockerImage struct {
	ID          string            `json:"Id"`
	RepoTags    []string          `json:"RepoTags"`
	RepoDigests []string          `json:"RepoDigests"`
	Created     int64             `json:"Created"`
	Size        int64             `json:"Size"`
	Labels      map[string]string `json:"Labels"`
	Containers  int               `json:"Containers"`
}

type dockerNetwork struct {
	Name       string                       `json:"Name"`
	ID         string                       `json:"Id"`
	Driver     string                       `json:"Driver"`
	Scope      string                       `json:"Scope"`
	Containers map[string]map[string]string `json:"Containers"`
	Labels     map[string]string            `json:"Labels"`
}

type dockerVolume struct {
	Name       string            `json:"Name"`
	Driver     string            `json:"Driver"`
	Mountpoint string            `json:"Mountpoint"`
	Labels     map[string]string `json:"Labels"`
	Scope      string            `json:"Scope"`
}

type dockerEnv struct {
	r          *rand.Rand
	seq        int
	now        int64
	Containers []dockerContainer `json:"containers"`
	Images     []dockerImage     `json:"images"`
	Networks   []dockerNetwork   `json:"networks"`
	Volumes    struct {
		Volumes  []dockerVolume `json:"Volumes"`
		Warnings []string       `json:"Warnings"`
	} `json:"volumes"`
	Info map[string]any `json:"info"`
}

func (e *dockerEnv) hexID() string {
	e.seq++
	return fmt.Sprintf("%016x%016x%016x%016x", e.r.Uint64(), e.r.Uint64(), uint64(e.seq), e.r.Uint64())
}

// newDockerEnv returns a host running n containers; labels sets how many
// labels each carries, which sets the size of a container (a few hundred
// bytes plus about 60 per label).
func newDockerEnv(seed uint64, n, labels int) *dockerEnv {
	e := &dockerEnv{r: rand.New(rand.NewPCG(seed, 0xd0c)), now: 1700000000}
	for range 3 + n/20 {
		e.Images = append(e.Images, e.newImage())
	}
	for _, name := range []string{"bridge", "host", "none"} {
		e.Networks = append(e.Networks, dockerNetwork{Name: name, ID: e.hexID(), Driver: name, Scope: "local", Containers: map[string]map[string]string{}, Labels: map[string]string{}})
	}
	for i := range 2 + n/30 {
		e.Volumes.Volumes = append(e.Volumes.Volumes, e.newVolume(fmt.Sprintf("vol-%03d", i*10)))
	}
	for range n {
		e.Containers = append(e.Containers, e.newContainer(labels))
	}
	e.Info = map[string]any{"ID": "ABCD:EFGH", "NGoroutines": 40, "SystemTime": "2023-11-14T22:13:20Z", "ServerVersion": "24.0.7"}
	e.refresh()
	return e
}

func (e *dockerEnv) newImage() dockerImage {
	e.now += 60
	return dockerImage{
		ID:          "sha256:" + e.hexID(),
		RepoTags:    []string{fmt.Sprintf("app%d:latest", e.r.IntN(1000))},
		RepoDigests: []string{fmt.Sprintf("app@sha256:%064x", e.r.Uint64())},
		Created:     e.now, Size: e.r.Int64N(1 << 30),
		Labels: map[string]string{"maintainer": "ops"},
	}
}

func (e *dockerEnv) newVolume(name string) dockerVolume {
	return dockerVolume{Name: name, Driver: "local", Mountpoint: "/var/lib/docker/volumes/" + name + "/_data", Labels: map[string]string{}, Scope: "local"}
}

func (e *dockerEnv) newContainer(labels int) dockerContainer {
	e.now += 7
	id := e.hexID()
	img := e.Images[e.r.IntN(len(e.Images))]
	c := dockerContainer{
		ID: id, Names: []string{fmt.Sprintf("/svc_%s_%d", id[:6], e.seq)}, Image: img.RepoTags[0], ImageID: img.ID,
		Command: `/docker-entrypoint.sh nginx -g 'daemon off;'`, Created: e.now, State: "running", Status: "Up Less than a second",
		Ports:      []dockerPort{{PrivatePort: 80, Type: "tcp"}},
		Labels:     map[string]string{"com.docker.compose.project": "shop", "com.docker.compose.service": id[:8]},
		HostConfig: map[string]string{"NetworkMode": "bridge"},
		NetworkSettings: map[string]any{"Networks": map[string]any{"bridge": map[string]any{
			"NetworkID": e.Networks[0].ID, "EndpointID": e.hexID(), "Gateway": "172.17.0.1",
			"IPAddress": fmt.Sprintf("172.17.%d.%d", e.seq/250, e.seq%250+2), "IPPrefixLen": 16, "MacAddress": "02:42:ac:11:00:02",
		}}},
		Mounts: []map[string]any{},
	}
	for i := range labels {
		c.Labels[fmt.Sprintf("org.opencontainers.image.annotation.%03d", i)] = fmt.Sprintf("value-%d-%x", i, e.r.Uint32())
	}
	if len(e.Volumes.Volumes) > 0 && e.r.IntN(3) == 0 {
		v := e.Volumes.Volumes[e.r.IntN(len(e.Volumes.Volumes))]
		c.Mounts = append(c.Mounts, map[string]any{"Type": "volume", "Name": v.Name, "Source": v.Mountpoint, "Destination": "/data", "RW": true})
	}
	return c
}

// refresh recomputes what Docker derives: network membership and counts.
func (e *dockerEnv) refresh() {
	running := 0
	for i := range e.Networks {
		e.Networks[i].Containers = map[string]map[string]string{}
	}
	for _, c := range e.Containers {
		if c.State == "running" {
			running++
			e.Networks[0].Containers[c.ID] = map[string]string{"Name": c.Names[0][1:], "IPv4Address": "172.17.0.2/16"}
		}
	}
	for i := range e.Images {
		e.Images[i].Containers = 0
		for _, c := range e.Containers {
			if c.ImageID == e.Images[i].ID {
				e.Images[i].Containers++
			}
		}
	}
	e.Info["Containers"] = len(e.Containers)
	e.Info["ContainersRunning"] = running
	e.Info["Images"] = len(e.Images)
}

// step changes the environment as one minute between polls might.
func (e *dockerEnv) step() {
	e.now += 60
	e.Info["SystemTime"] = fmt.Sprintf("2023-11-%02dT%02d:%02d:00Z", 14+e.now/86400%10, e.now/3600%24, e.now/60%60)
	e.Info["NGoroutines"] = 30 + e.r.IntN(40)
	for range 1 + e.r.IntN(3) {
		e.event()
	}
	e.refresh()
}

func (e *dockerEnv) event() {
	n := len(e.Containers)
	switch e.r.IntN(11) {
	case 0, 1: // "Up 3 minutes" becomes "Up 4 minutes" on every running container
		for i := range e.Containers {
			if e.Containers[i].State == "running" {
				e.Containers[i].Status = fmt.Sprintf("Up %d minutes", (e.now-e.Containers[i].Created)/60)
			}
		}
	case 2: // a container stops
		if n > 0 {
			c := &e.Containers[e.r.IntN(n)]
			c.State, c.Status = "exited", fmt.Sprintf("Exited (%d) Less than a second ago", e.r.IntN(3))
		}
	case 3: // a restart
		if n > 0 {
			c := &e.Containers[e.r.IntN(n)]
			c.State, c.Status = "running", "Up 1 second"
			c.Labels["restarted-at"] = fmt.Sprint(e.now)
		}
	case 4: // docker run: newest first
		if n > 60 {
			break // keep the host small enough to check thousands of polls
		}
		e.Containers = slices.Insert(e.Containers, 0, e.newContainer(e.r.IntN(4)))
	case 5: // a container is removed, anywhere
		if n > 0 {
			i := e.r.IntN(n)
			e.Containers = slices.Delete(e.Containers, i, i+1)
		}
	case 6: // compose recreates a service: old one gone, new one first
		if n > 0 {
			i := e.r.IntN(n)
			e.Containers = slices.Delete(e.Containers, i, i+1)
			e.Containers = slices.Insert(e.Containers, 0, e.newContainer(2))
		}
	case 7: // two containers created in the same second swap places
		if n > 1 {
			i := e.r.IntN(n - 1)
			e.Containers[i], e.Containers[i+1] = e.Containers[i+1], e.Containers[i]
		}
	case 8: // a pull: new image first, the tag moves, maybe an old image pruned
		img := e.newImage()
		e.Images = slices.Insert(e.Images, 0, img)
		if len(e.Images) > 4 && e.r.IntN(2) == 0 {
			e.Images = e.Images[:len(e.Images)-1]
		}
	case 9: // a volume created (sorted by name) or removed
		vs := e.Volumes.Volumes
		if len(vs) > 2 && e.r.IntN(2) == 0 {
			i := e.r.IntN(len(vs))
			e.Volumes.Volumes = slices.Delete(vs, i, i+1)
		} else {
			v := e.newVolume(fmt.Sprintf("vol-%03d-%d", e.r.IntN(400), e.seq))
			i, _ := slices.BinarySearchFunc(vs, v.Name, func(a dockerVolume, name string) int { return strings.Compare(a.Name, name) })
			e.Volumes.Volumes = slices.Insert(vs, i, v)
		}
	default: // a port published, a label changed
		if n > 0 {
			c := &e.Containers[e.r.IntN(n)]
			c.Ports = append(c.Ports, dockerPort{IP: "0.0.0.0", PrivatePort: 8000 + e.r.IntN(100), PublicPort: 30000 + e.r.IntN(1000), Type: "tcp"})
			c.Labels["com.docker.compose.config-hash"] = fmt.Sprintf("%x", e.r.Uint64())
		}
	}
}

func (e *dockerEnv) snapshot() *snapshot.Snapshot {
	data, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		panic(err)
	}
	return s
}

// k8sEnv is a cluster's pods, nodes and services as Kubernetes List objects,
// sorted by namespace and name as the API server returns them.
type k8sEnv struct {
	r       *rand.Rand
	seq     int
	rv      int
	withUID bool // false: items keyed by namespace+name, as after stripping uids
	pods    []map[string]any
	nodes   []map[string]any
	svcs    []map[string]any
}

func newK8sEnv(seed uint64, pods int, withUID bool) *k8sEnv {
	k := &k8sEnv{r: rand.New(rand.NewPCG(seed, 0x8a5)), rv: 1000, withUID: withUID}
	for i := range 3 {
		k.nodes = append(k.nodes, k.object("", fmt.Sprintf("node-%d", i), map[string]any{"podCIDR": fmt.Sprintf("10.244.%d.0/24", i)},
			map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "lastHeartbeatTime": "2021-08-17T10:00:00Z"}}}))
	}
	for range pods {
		k.addPod()
	}
	for _, ns := range []string{"default", "kube-system"} {
		k.svcs = k.insertSorted(k.svcs, k.object(ns, "kubernetes-"+ns, map[string]any{"clusterIP": "10.96.0.1", "ports": []any{map[string]any{"port": 443, "protocol": "TCP"}}}, map[string]any{}))
	}
	return k
}

func (k *k8sEnv) object(ns, name string, spec, status map[string]any) map[string]any {
	k.seq++
	k.rv++
	md := map[string]any{"name": name, "resourceVersion": fmt.Sprint(k.rv), "creationTimestamp": "2021-08-17T10:00:00Z",
		"labels": map[string]any{"app": name}}
	if ns != "" {
		md["namespace"] = ns
	}
	if k.withUID {
		md["uid"] = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", k.r.Uint32(), k.seq, k.r.IntN(4096), k.r.IntN(4096), k.r.Uint64()>>16)
	}
	return map[string]any{"metadata": md, "spec": spec, "status": status}
}

func (k *k8sEnv) addPod() {
	ns := []string{"default", "kube-system", "monitoring", "shop"}[k.r.IntN(4)]
	name := fmt.Sprintf("app-%05d-%x", k.r.IntN(100000), k.r.Uint32()&0xfff)
	spec := map[string]any{"nodeName": fmt.Sprintf("node-%d", k.r.IntN(3)), "containers": []any{
		map[string]any{"name": "app", "image": "registry.example/app:1.2.3", "ports": []any{map[string]any{"containerPort": 8080, "protocol": "TCP"}}},
	}}
	status := map[string]any{"phase": "Pending", "conditions": []any{map[string]any{"type": "PodScheduled", "status": "True"}}}
	k.pods = k.insertSorted(k.pods, k.object(ns, name, spec, status))
}

func (k *k8sEnv) insertSorted(list []map[string]any, o map[string]any) []map[string]any {
	key := func(o map[string]any) string {
		md := o["metadata"].(map[string]any)
		ns, _ := md["namespace"].(string)
		return ns + "/" + md["name"].(string)
	}
	i, _ := slices.BinarySearchFunc(list, key(o), func(a map[string]any, t string) int { return strings.Compare(key(a), t) })
	return slices.Insert(list, i, o)
}

func (k *k8sEnv) touch(o map[string]any) {
	k.rv++
	o["metadata"].(map[string]any)["resourceVersion"] = fmt.Sprint(k.rv)
}

func (k *k8sEnv) step() {
	for range 1 + k.r.IntN(3) {
		k.event()
	}
}

func (k *k8sEnv) event() {
	switch k.r.IntN(8) {
	case 0: // node heartbeats
		for _, n := range k.nodes {
			conds := n["status"].(map[string]any)["conditions"].([]any)
			conds[0].(map[string]any)["lastHeartbeatTime"] = fmt.Sprintf("2021-08-17T10:%02d:%02dZ", k.rv/60%60, k.rv%60)
			k.touch(n)
		}
	case 1: // a pod scheduled, sorted into the middle of the list
		k.addPod()
	case 2: // a pod deleted
		if len(k.pods) > 0 {
			i := k.r.IntN(len(k.pods))
			k.pods = slices.Delete(k.pods, i, i+1)
		}
	case 3, 4: // a pod becomes ready
		if len(k.pods) > 0 {
			p := k.pods[k.r.IntN(len(k.pods))]
			st := p["status"].(map[string]any)
			st["phase"] = "Running"
			st["podIP"] = fmt.Sprintf("10.244.%d.%d", k.r.IntN(3), k.r.IntN(250))
			conds, _ := st["conditions"].([]any)
			st["conditions"] = append(conds, map[string]any{"type": "Ready", "status": "True", "lastTransitionTime": fmt.Sprint(k.rv)})
			st["containerStatuses"] = []any{map[string]any{"name": "app", "ready": true, "restartCount": 0, "state": map[string]any{"running": map[string]any{"startedAt": fmt.Sprint(k.rv)}}}}
			k.touch(p)
		}
	case 5: // a container restarts
		if len(k.pods) > 0 {
			p := k.pods[k.r.IntN(len(k.pods))]
			st := p["status"].(map[string]any)
			if cs, ok := st["containerStatuses"].([]any); ok {
				c := cs[0].(map[string]any)
				c["restartCount"] = c["restartCount"].(int) + 1
				c["lastState"] = map[string]any{"terminated": map[string]any{"exitCode": 137, "reason": "OOMKilled"}}
				k.touch(p)
			}
		}
	case 6: // a pod replaced under the same name (a StatefulSet): new uid
		if len(k.pods) > 0 {
			i := k.r.IntN(len(k.pods))
			md := k.pods[i]["metadata"].(map[string]any)
			ns, name := md["namespace"].(string), md["name"].(string)
			k.pods = slices.Delete(k.pods, i, i+1)
			k.pods = k.insertSorted(k.pods, k.object(ns, name, map[string]any{"nodeName": "node-0"}, map[string]any{"phase": "Pending"}))
		}
	default: // a service gets an endpoint port
		s := k.svcs[k.r.IntN(len(k.svcs))]
		sp := s["spec"].(map[string]any)
		sp["ports"] = append(sp["ports"].([]any), map[string]any{"port": 8000 + k.r.IntN(1000), "protocol": "TCP"})
		k.touch(s)
	}
}

func (k *k8sEnv) snapshot() *snapshot.Snapshot {
	list := func(kind string, items []map[string]any) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"resourceVersion": fmt.Sprint(k.rv)}, "items": items}
	}
	doc := map[string]any{"pods": list("PodList", k.pods), "nodes": list("NodeList", k.nodes), "services": list("ServiceList", k.svcs)}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		panic(err)
	}
	return s
}
