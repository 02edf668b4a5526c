package bench

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// dockerEnv is one simulated Docker host: its engine objects and the rates at
// which they change.
type dockerEnv struct {
	g     *gen
	large bool

	host    dockerHost
	images  []*dImage   // kept newest first, as GET /images/json sorts them
	nets    []*dNetwork // creation order
	vols    []*dVolume  // creation order
	ctrs    []*dContainer
	projs   []*dProject
	ports   int // next free published host port for extra projects
	subnet  int // next compose subnet
	names   map[string]int
	goroutN int
	fdN     int
	events  int
	lag     time.Duration // how long after the poll instant the daemon answered

	stats simStats
}

type dockerHost struct {
	id, name, os, osVersion, kernel string
	ncpu                            int
	mem                             int64
	composeVer                      string
}

type dImage struct {
	id       string // sha256:<64 hex>
	repo     string // full repository (with registry for custom images)
	tag      string
	digest   string // repository digest, sha256:<64 hex>
	created  int64
	size     int64
	labels   []kv
	dangling bool
}

type dNetwork struct {
	name, id, created  string
	driver, subnet, gw string
	prefix             int
	labels, options    []kv
	proj               *dProject
	next               int // next host number to hand out
	base               [4]byte
	system             bool
}

type dVolume struct {
	name, created string
	labels        []kv
	options       []kv
	proj          *dProject
}

type dProject struct {
	name    string
	tpl     *stackTpl
	net     *dNetwork
	workdir string
	svcs    []*dService
}

type dService struct {
	tpl      *svcTpl
	proj     *dProject
	image    *dImage
	tagIdx   int
	replicas int
	hash     string // com.docker.compose.config-hash
	hostPort []int  // published host ports, per tpl port
}

type dEndpoint struct {
	net        *dNetwork
	endpointID string
	ip         [4]byte
	aliases    []string
}

type dContainer struct {
	id, name   string
	svc        *dService // nil for standalone containers and jobs
	tpl        *svcTpl
	image      *dImage
	imageRef   string
	created    int64
	labels     []kv
	number     int
	state      string // running, exited, restarting, created
	startedAt  time.Time
	finishedAt time.Time
	exitCode   int
	health     string // "", "starting", "healthy", "unhealthy"
	healthAt   time.Time
	flaky      float64
	netMode    string
	eps        []*dEndpoint
	oneoff     bool
	autoRemove bool
	removeAt   time.Time
	mounts     []dMount
}

type dMount struct {
	volume     *dVolume
	src, dst   string
	rw         bool
	mode, prop string
}

func newDockerEnv(g *gen, large bool, now time.Time) *dockerEnv {
	e := &dockerEnv{g: g, large: large, names: map[string]int{}}
	if large {
		e.host = dockerHost{id: e.engineID(), name: "prod-docker-07", os: "Ubuntu 22.04.3 LTS", osVersion: "22.04", kernel: "5.15.0-91-generic", ncpu: 32, mem: 134_905_344_000, composeVer: "2.23.3"}
	} else {
		e.host = dockerHost{id: e.engineID(), name: "edge-gw-014", os: "Debian GNU/Linux 12 (bookworm)", osVersion: "12", kernel: "6.1.0-17-amd64", ncpu: 4, mem: 8_231_178_240, composeVer: "2.21.0"}
	}
	// The host booted some days ago; the default networks date from then.
	boot := now.Add(-time.Duration(g.between(9*24, 40*24)) * time.Hour).Add(-time.Duration(g.intn(3600)) * time.Second)
	e.sysNet("bridge", "bridge", boot, [4]byte{172, 17, 0, 0}, 16, []kv{
		{"com.docker.network.bridge.default_bridge", "true"}, {"com.docker.network.bridge.enable_icc", "true"},
		{"com.docker.network.bridge.enable_ip_masquerade", "true"}, {"com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"},
		{"com.docker.network.bridge.name", "docker0"}, {"com.docker.network.driver.mtu", "1500"}})
	e.sysNet("host", "host", boot, [4]byte{}, 0, []kv{})
	e.sysNet("none", "null", boot, [4]byte{}, 0, []kv{})

	target := 19
	if large {
		target = 352
	}
	// Standalone containers were started when the host was set up.
	for i := range standaloneCatalog {
		tpl := &standaloneCatalog[i]
		img := e.imageFor(tpl, len(tpl.tags)-1, boot)
		c := e.newContainer(tpl, nil, img, tpl.svc, 0, e.nets[0], boot.Add(time.Duration(g.intn(600))*time.Second))
		c.startedAt = now.Add(-e.uptime())
		if c.startedAt.Unix() < c.created {
			c.startedAt = time.Unix(c.created, 0)
		}
	}
	n := 0
	for used := 0; n < target; used++ {
		tpl := &stackCatalog[used%len(stackCatalog)]
		name := tpl.name
		if k := used / len(stackCatalog); k > 0 {
			name = tpl.name + "-" + projectSuffixes[(k-1)%len(projectSuffixes)]
			if k > len(projectSuffixes) {
				name += strconv.Itoa(k)
			}
		}
		p := e.deployProject(tpl, name, now.Add(-e.uptime()), target-n)
		for _, s := range p.svcs {
			n += s.replicas
		}
	}
	// A few leftovers from earlier work: an exited one-off and a stopped test container.
	for i := 0; i < 1+e.scaleCount(6); i++ {
		tpl := &jobCatalog[g.intn(len(jobCatalog))]
		at := now.Add(-time.Duration(g.between(3, 20*24))*time.Hour - time.Duration(g.intn(3600))*time.Second)
		img := e.imageFor(tpl, len(tpl.tags)-1, at.Add(-time.Hour))
		c := e.newContainer(tpl, nil, img, e.randomName(), 0, e.nets[0], at)
		c.startedAt = at.Add(time.Second)
		c.state = "exited"
		c.finishedAt = at.Add(time.Duration(g.between(5, 400)) * time.Second)
		c.exitCode = pick(g, []int{0, 0, 0, 1, 137})
		c.blankEndpoints()
	}
	// Older versions of images linger until someone prunes.
	for _, p := range e.projs {
		for _, s := range p.svcs {
			if s.tagIdx > 0 && g.chance(pickRate(large, 0.35, 0.5)) {
				before := time.Unix(s.image.created, 0).Add(-time.Duration(g.between(2, 20)) * 24 * time.Hour)
				var old *dImage
				if s.tpl.custom {
					old = e.customImage(p, s.tpl, s.tagIdx-1, before)
				} else {
					old = e.imageFor(s.tpl, s.tagIdx-1, before)
				}
				if s.tpl.floating || g.chance(0.5) {
					old.dangling = true
				}
			}
		}
	}
	e.sortContainers()
	e.goroutN = 40 + 3*len(e.ctrs)
	e.fdN = 30 + 4*len(e.ctrs)
	e.lag = time.Duration(3_000_000 + g.intn(40_000_000))
	return e
}

func (e *dockerEnv) scaleCount(n int) int {
	if e.large {
		return n
	}
	return n / 6
}

// uptime draws how long ago a stack was (re)started: mostly days, some hours,
// a few minutes.
func (e *dockerEnv) uptime() time.Duration {
	g := e.g
	switch r := g.float(); {
	case r < 0.06:
		return time.Duration(g.between(90, 3300)) * time.Second
	case r < 0.3:
		return time.Duration(g.between(1, 47))*time.Hour + time.Duration(g.intn(3600))*time.Second
	case r < 0.9:
		return time.Duration(g.between(2, 13))*24*time.Hour + time.Duration(g.intn(86400))*time.Second
	default:
		return time.Duration(g.between(14, 60))*24*time.Hour + time.Duration(g.intn(86400))*time.Second
	}
}

func (e *dockerEnv) engineID() string {
	// The engine ID is a UUID on Docker 23+.
	return e.g.uuid()
}

func (e *dockerEnv) sysNet(name, driver string, at time.Time, base [4]byte, prefix int, opts []kv) {
	n := &dNetwork{name: name, id: e.g.hex64(), created: at.Add(time.Duration(e.g.intn(1e9))).Format(time.RFC3339Nano),
		driver: driver, options: opts, labels: []kv{}, system: true, base: base, prefix: prefix, next: 2}
	if prefix > 0 {
		n.subnet = ipString(base) + "/" + strconv.Itoa(prefix)
		n.gw = ipString([4]byte{base[0], base[1], base[2], 1})
	}
	e.nets = append(e.nets, n)
}

// projectNet creates the project's default network.
func (e *dockerEnv) projectNet(p *dProject, at time.Time) *dNetwork {
	var base [4]byte
	prefix := 16
	if e.large {
		// Large hosts configure default-address-pools, or they would run out
		// of the 31 default subnets.
		base = [4]byte{10, 201, byte(e.subnet), 0}
		prefix = 24
	} else {
		base = [4]byte{172, byte(18 + e.subnet), 0, 0}
	}
	e.subnet++
	n := &dNetwork{name: p.name + "_default", id: e.g.hex64(), created: at.Add(time.Duration(e.g.intn(1e9))).Format(time.RFC3339Nano),
		driver: "bridge", base: base, prefix: prefix, next: 2, proj: p, options: []kv{},
		labels: []kv{{"com.docker.compose.network", "default"}, {"com.docker.compose.project", p.name}, {"com.docker.compose.version", e.host.composeVer}}}
	n.subnet = ipString(base) + "/" + strconv.Itoa(prefix)
	if prefix == 16 {
		n.gw = ipString([4]byte{base[0], base[1], 0, 1})
	} else {
		n.gw = ipString([4]byte{base[0], base[1], base[2], 1})
	}
	e.nets = append(e.nets, n)
	return n
}

func (n *dNetwork) alloc() [4]byte {
	h := n.next
	n.next++
	if n.prefix == 16 {
		return [4]byte{n.base[0], n.base[1], byte(h >> 8), byte(h)}
	}
	return [4]byte{n.base[0], n.base[1], n.base[2], byte(h)}
}

func (e *dockerEnv) deployProject(tpl *stackTpl, name string, at time.Time, budget int) *dProject {
	g := e.g
	p := &dProject{name: name, tpl: tpl, workdir: "/opt/stacks/" + name}
	p.net = e.projectNet(p, at)
	e.projs = append(e.projs, p)
	num := len(e.projs) - 1
	for i := range tpl.svcs {
		st := &tpl.svcs[i]
		s := &dService{tpl: st, proj: p, tagIdx: len(st.tags) - 1, replicas: 1}
		if e.large && st.scale > 1 {
			s.replicas = g.between(1, st.scale)
		}
		if s.replicas > budget && budget > 0 {
			s.replicas = budget
		}
		budget -= s.replicas
		s.hash = g.hex64()
		for _, pt := range st.ports {
			hp := 0
			if pt.pub > 0 {
				hp = pt.pub
				if num >= len(stackCatalog) {
					hp = 20000 + e.ports
					e.ports++
				}
			}
			s.hostPort = append(s.hostPort, hp)
		}
		if st.custom {
			s.image = e.customImage(p, st, s.tagIdx, at.Add(-time.Duration(g.between(1, 72))*time.Hour))
		} else {
			s.image = e.imageFor(st, s.tagIdx, at.Add(-time.Duration(g.between(1, 30*24))*time.Hour))
		}
		p.svcs = append(p.svcs, s)
		for r := 1; r <= s.replicas; r++ {
			c := e.newServiceContainer(s, r, at.Add(time.Duration(g.intn(4000))*time.Millisecond))
			c.startedAt = time.Unix(c.created, 0).Add(time.Duration(300+g.intn(1500)) * time.Millisecond)
		}
		if budget <= 0 {
			break
		}
	}
	return p
}

// imageFor returns the image for a template's tag, pulling it (creating the
// image object) when the host does not have it yet.
func (e *dockerEnv) imageFor(tpl *svcTpl, tagIdx int, pulledBefore time.Time) *dImage {
	tag := tpl.tags[tagIdx]
	for _, im := range e.images {
		if im.repo == tpl.repo && im.tag == tag && !im.dangling {
			return im
		}
	}
	im := &dImage{id: e.g.sha(), repo: tpl.repo, tag: tag, digest: e.g.sha(),
		created: pulledBefore.Add(-time.Duration(e.g.between(1, 20*24)) * time.Hour).Unix(),
		size:    tpl.size + int64(e.g.intn(2_000_000)) - 1_000_000, labels: tpl.labels}
	e.addImage(im)
	return im
}

func (e *dockerEnv) customImage(p *dProject, tpl *svcTpl, tagIdx int, built time.Time) *dImage {
	repo := "registry.gitlab.acme-corp.io/" + p.name + "/" + tpl.repo
	tag := tpl.tags[tagIdx]
	for _, im := range e.images {
		if im.repo == repo && im.tag == tag && !im.dangling {
			return im
		}
	}
	rev := e.g.hexN(40)
	im := &dImage{id: e.g.sha(), repo: repo, tag: tag, digest: e.g.sha(), created: built.Unix(),
		size: tpl.size + int64(e.g.intn(4_000_000)),
		labels: []kv{
			{"org.opencontainers.image.created", built.UTC().Format(time.RFC3339)},
			{"org.opencontainers.image.ref.name", tag},
			{"org.opencontainers.image.revision", rev},
			{"org.opencontainers.image.source", "https://gitlab.acme-corp.io/" + p.name + "/" + tpl.repo},
			{"org.opencontainers.image.title", tpl.repo},
			{"org.opencontainers.image.version", tag},
		}}
	e.addImage(im)
	return im
}

func (e *dockerEnv) addImage(im *dImage) {
	i, _ := slices.BinarySearchFunc(e.images, im, func(a, b *dImage) int {
		// newest first; ties keep insertion order
		if a.created > b.created {
			return -1
		}
		return 1
	})
	e.images = slices.Insert(e.images, i, im)
}

func (e *dockerEnv) volumeFor(p *dProject, name string, at time.Time) *dVolume {
	full := p.name + "_" + name
	for _, v := range e.vols {
		if v.name == full {
			return v
		}
	}
	v := &dVolume{name: full, created: at.UTC().Format(time.RFC3339), proj: p,
		labels: []kv{{"com.docker.compose.project", p.name}, {"com.docker.compose.version", e.host.composeVer}, {"com.docker.compose.volume", name}}}
	e.vols = append(e.vols, v)
	return v
}

func (e *dockerEnv) randomName() string {
	for i := 0; ; i++ {
		n := pick(e.g, dockerAdjectives) + "_" + pick(e.g, dockerNames)
		if i > 20 {
			n += strconv.Itoa(i) // as the daemon does when it retries a name
		}
		if e.names[n] == 0 {
			return n
		}
	}
}

func (e *dockerEnv) newServiceContainer(s *dService, number int, at time.Time) *dContainer {
	name := s.proj.name + "-" + s.tpl.svc + "-" + strconv.Itoa(number)
	return e.newContainer(s.tpl, s, s.image, name, number, s.proj.net, at)
}

func (e *dockerEnv) newContainer(tpl *svcTpl, s *dService, img *dImage, name string, number int, net *dNetwork, at time.Time) *dContainer {
	g := e.g
	c := &dContainer{id: g.hex64(), name: name, svc: s, tpl: tpl, image: img, created: at.Unix(), number: number,
		state: "running", flaky: tpl.flaky}
	e.names[name]++
	c.imageRef = img.repo + ":" + img.tag
	if tpl.health {
		c.health = "healthy"
	}
	var proj *dProject
	if s != nil {
		proj = s.proj
	}
	c.netMode = "bridge"
	if proj != nil {
		c.netMode = net.name
	} else if net.name == "bridge" && tpl.svc == "portainer_agent" {
		c.netMode = "default"
	}
	ep := &dEndpoint{net: net, endpointID: g.hex64(), ip: net.alloc()}
	if proj != nil {
		ep.aliases = []string{name, tpl.svc}
	}
	c.eps = []*dEndpoint{ep}
	for _, m := range tpl.mounts {
		if m.volume != "" && proj != nil {
			v := e.volumeFor(proj, m.volume, at)
			c.mounts = append(c.mounts, dMount{volume: v, dst: m.dst, rw: m.rw, mode: "z"})
			continue
		}
		mode := ""
		if !m.rw {
			mode = "ro"
		}
		prop := m.prop
		if prop == "" {
			prop = "rprivate"
		}
		src := m.src
		if proj != nil {
			src = strings.ReplaceAll(src, "{proj}", proj.name)
		}
		c.mounts = append(c.mounts, dMount{src: src, dst: m.dst, rw: m.rw, mode: mode, prop: prop})
	}
	c.labels = e.containerLabels(c)
	e.ctrs = append(e.ctrs, c)
	return c
}

func (e *dockerEnv) containerLabels(c *dContainer) []kv {
	labels := slices.Clone(c.image.labels)
	if c.svc != nil {
		s := c.svc
		var deps []string
		if s.tpl.svc != "db" && s.tpl.svc != "cache" {
			for _, o := range s.proj.svcs {
				if o != s && (o.tpl.svc == "db" || o.tpl.svc == "cache" || o.tpl.svc == "redis") {
					deps = append(deps, o.tpl.svc+":service_started:false")
				}
			}
		}
		labels = append(labels,
			kv{"com.docker.compose.config-hash", s.hash},
			kv{"com.docker.compose.container-number", strconv.Itoa(c.number)},
			kv{"com.docker.compose.depends_on", strings.Join(deps, ",")},
			kv{"com.docker.compose.image", c.image.id},
			kv{"com.docker.compose.oneoff", "False"},
			kv{"com.docker.compose.project", s.proj.name},
			kv{"com.docker.compose.project.config_files", s.proj.workdir + "/compose.yaml"},
			kv{"com.docker.compose.project.working_dir", s.proj.workdir},
			kv{"com.docker.compose.service", s.tpl.svc},
			kv{"com.docker.compose.version", e.host.composeVer},
		)
	}
	slices.SortStableFunc(labels, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	// Later labels override earlier ones with the same key, as in a map.
	out := make([]kv, 0, len(labels)) // never nil: Docker shows "Labels":{} for none
	for i, l := range labels {
		if i+1 < len(labels) && labels[i+1].k == l.k {
			continue
		}
		out = append(out, l)
	}
	return out
}

func (c *dContainer) blankEndpoints() {
	for _, ep := range c.eps {
		ep.endpointID = ""
	}
}

func (e *dockerEnv) sortContainers() {
	// GET /containers/json lists the newest container first.
	slices.SortStableFunc(e.ctrs, func(a, b *dContainer) int {
		switch {
		case a.created > b.created:
			return -1
		case a.created < b.created:
			return 1
		}
		return strings.Compare(b.id, a.id)
	})
}

func (e *dockerEnv) removeContainer(c *dContainer) {
	e.ctrs = slices.DeleteFunc(e.ctrs, func(x *dContainer) bool { return x == c })
	e.names[c.name]--
}

// at returns a random instant within the minute that ends at now.
func (e *dockerEnv) at(now time.Time) time.Time {
	return now.Add(-time.Duration(1+e.g.intn(59_000)) * time.Millisecond)
}

// step advances the host from the previous poll to now.
func (e *dockerEnv) step(now time.Time) {
	g := e.g
	base := 0.00035 // crash chance per running container per minute
	for _, c := range slices.Clone(e.ctrs) {
		switch c.state {
		case "running":
			if c.oneoff {
				if !now.Before(c.removeAt) {
					c.state = "exited"
					c.finishedAt = c.removeAt
					c.exitCode = 0
					c.blankEndpoints()
					if c.autoRemove {
						e.removeContainer(c)
					}
				}
				continue
			}
			if g.chance(base + c.flaky) {
				e.crash(c, now)
				continue
			}
			e.healthStep(c, now)
		case "restarting":
			e.start(c, e.at(now))
			e.stats.restarts++
		case "exited":
			if c.oneoff {
				if g.chance(0.05) {
					e.removeContainer(c)
				}
				continue
			}
			if g.chance(0.01) {
				e.start(c, e.at(now))
				e.stats.restarts++
			} else if g.chance(0.002) {
				e.removeContainer(c)
				e.stats.removed++
			}
		}
	}
	// One-off jobs: compose run or cron `docker run --rm`.
	if g.chance(pickRate(e.large, 0.04, 0.25)) {
		e.spawnJob(now)
	}
	// A CI pipeline or watchtower redeploys a service with a newly pulled image.
	if g.chance(pickRate(e.large, 0.02, 0.2)) {
		e.redeploy(e.projs[g.intn(len(e.projs))], now)
	}
	// Someone prunes dangling images.
	if g.chance(pickRate(e.large, 0.006, 0.02)) {
		e.pruneImages()
	}
	// A stack is added or taken down; volumes are pruned.
	if g.chance(pickRate(e.large, 0.002, 0.006)) {
		e.addProject(now)
	}
	if len(e.projs) > 2 && g.chance(pickRate(e.large, 0.001, 0.004)) {
		e.downProject(e.projs[1+g.intn(len(e.projs)-1)])
	}
	if g.chance(pickRate(e.large, 0.002, 0.004)) {
		e.pruneVolumes()
	}
	// The daemon's own gauges move every poll.
	e.goroutN += g.between(-4, 4)
	if lo := 30 + 2*e.running(); e.goroutN < lo {
		e.goroutN = lo + g.intn(5)
	}
	e.fdN += g.between(-3, 3)
	if lo := 25 + 3*e.running(); e.fdN < lo {
		e.fdN = lo + g.intn(5)
	}
	if g.chance(0.03) {
		e.events = 1 - e.events
	}
	e.lag = time.Duration(3_000_000 + g.intn(40_000_000))
	e.sortContainers()
}

func pickRate(large bool, small, big float64) float64 {
	if large {
		return big
	}
	return small
}

func (e *dockerEnv) running() int {
	n := 0
	for _, c := range e.ctrs {
		if c.state == "running" {
			n++
		}
	}
	return n
}

func (e *dockerEnv) healthStep(c *dContainer, now time.Time) {
	g := e.g
	switch c.health {
	case "starting":
		if now.Sub(c.healthAt) > 20*time.Second {
			c.health = "healthy"
			c.healthAt = now
		}
	case "healthy":
		if g.chance(0.0015) {
			c.health = "unhealthy"
			e.stats.healthFlips++
		}
	case "unhealthy":
		if g.chance(0.3) {
			c.health = "healthy"
			e.stats.healthFlips++
		}
	}
}

func (e *dockerEnv) crash(c *dContainer, now time.Time) {
	g := e.g
	t := e.at(now)
	c.exitCode = pick(g, []int{1, 1, 2, 137, 137, 139, 143})
	c.finishedAt = t
	e.stats.crashes++
	switch c.tpl.restart {
	case "always", "unless-stopped", "on-failure":
		if c.flaky > 0 && g.chance(0.25) && now.Sub(t) < 20*time.Second {
			// Caught in the restart back-off.
			c.state = "restarting"
			c.blankEndpoints()
			return
		}
		e.start(c, t.Add(time.Duration(100+g.intn(2000))*time.Millisecond))
		e.stats.restarts++
	default:
		c.state = "exited"
		c.blankEndpoints()
	}
}

func (e *dockerEnv) start(c *dContainer, at time.Time) {
	c.state = "running"
	c.startedAt = at
	if c.tpl.health {
		c.health = "starting"
		c.healthAt = at
	}
	for _, ep := range c.eps {
		ep.endpointID = e.g.hex64()
	}
}

func (e *dockerEnv) spawnJob(now time.Time) {
	g := e.g
	tpl := &jobCatalog[g.intn(len(jobCatalog))]
	img := e.imageFor(tpl, len(tpl.tags)-1, now)
	at := e.at(now)
	c := e.newContainer(tpl, nil, img, e.randomName(), 0, e.nets[0], at)
	c.startedAt = at.Add(300 * time.Millisecond)
	c.oneoff = true
	c.autoRemove = g.chance(0.7)
	c.removeAt = c.startedAt.Add(time.Duration(g.between(20, 240)) * time.Second)
	e.stats.created++
}

// redeploy pulls a new image for one service of p and recreates its containers.
func (e *dockerEnv) redeploy(p *dProject, now time.Time) {
	g := e.g
	s := p.svcs[g.intn(len(p.svcs))]
	old := s.image
	at := e.at(now)
	if s.tpl.custom {
		// CI pushed a new build: same tag for floating tags, else a new patch version.
		tag := old.tag
		if !s.tpl.floating {
			tag = bumpPatch(tag)
		}
		built := at.Add(-time.Duration(g.between(3, 40)) * time.Minute)
		if s.tpl.floating {
			old.dangling = true
		}
		tpl := *s.tpl
		tpl.tags = []string{tag}
		s.image = e.customImage(p, &tpl, 0, built)
	} else {
		// The tag was re-pulled and pointed at a rebuilt image (base image update).
		old.dangling = true
		im := &dImage{id: g.sha(), repo: old.repo, tag: old.tag, digest: g.sha(), created: at.Add(-time.Duration(g.between(2, 72)) * time.Hour).Unix(),
			size: old.size + int64(g.intn(400_000)) - 200_000, labels: old.labels}
		e.addImage(im)
		s.image = im
	}
	// Other services running the old image keep it but now show its ID.
	for _, c := range e.ctrs {
		if c.image == old && old.dangling {
			c.imageRef = old.id
		}
	}
	var keep []*dContainer
	for _, c := range e.ctrs {
		if c.svc == s {
			keep = append(keep, c)
		}
	}
	for _, c := range keep {
		e.removeContainer(c)
	}
	for r := 1; r <= s.replicas; r++ {
		c := e.newServiceContainer(s, r, at.Add(time.Duration(r*400)*time.Millisecond))
		c.startedAt = time.Unix(c.created, 0).Add(time.Duration(200+g.intn(900)) * time.Millisecond)
		if c.tpl.health {
			c.health = "starting"
			c.healthAt = c.startedAt
		}
	}
	// watchtower --cleanup removes the superseded image right away, sometimes.
	if old.dangling && g.chance(0.3) && !e.imageUsed(old) {
		e.images = slices.DeleteFunc(e.images, func(x *dImage) bool { return x == old })
	}
	e.stats.redeploys++
}

func bumpPatch(tag string) string {
	i := strings.LastIndexByte(tag, '.')
	if i < 0 {
		return tag + ".1"
	}
	n, err := strconv.Atoi(tag[i+1:])
	if err != nil {
		return tag + ".1"
	}
	return tag[:i+1] + strconv.Itoa(n+1)
}

func (e *dockerEnv) imageUsed(im *dImage) bool {
	for _, c := range e.ctrs {
		if c.image == im {
			return true
		}
	}
	return false
}

func (e *dockerEnv) pruneImages() {
	e.images = slices.DeleteFunc(e.images, func(im *dImage) bool {
		if im.dangling && !e.imageUsed(im) {
			e.stats.imagesPruned++
			return true
		}
		return false
	})
}

func (e *dockerEnv) addProject(now time.Time) {
	tpl := &stackCatalog[e.g.intn(len(stackCatalog))]
	name := tpl.name + "-" + e.g.k8sSuffix(4)
	e.deployProject(tpl, name, e.at(now), 1<<30)
	e.stats.projectsAdded++
}

func (e *dockerEnv) downProject(p *dProject) {
	e.ctrs = slices.DeleteFunc(e.ctrs, func(c *dContainer) bool {
		if c.svc != nil && c.svc.proj == p {
			e.names[c.name]--
			return true
		}
		return false
	})
	e.nets = slices.DeleteFunc(e.nets, func(n *dNetwork) bool { return n == p.net })
	e.projs = slices.DeleteFunc(e.projs, func(x *dProject) bool { return x == p })
	e.stats.projectsRemoved++
}

func (e *dockerEnv) pruneVolumes() {
	used := map[*dVolume]bool{}
	for _, c := range e.ctrs {
		for _, m := range c.mounts {
			if m.volume != nil {
				used[m.volume] = true
			}
		}
	}
	e.vols = slices.DeleteFunc(e.vols, func(v *dVolume) bool { return !used[v] })
}

func (e *dockerEnv) counters() *simStats { return &e.stats }
