package bench

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// step advances the cluster to now.
func (e *k8sEnv) step(now time.Time) {
	g := e.g
	e.now = now
	// Leases (every node renews every 10 s, leader elections every 2 s) move
	// the resourceVersion even when nothing visible changes.
	e.rv += int64(150 + 6*len(e.nodes) + g.intn(60))
	for _, n := range e.nodes {
		// Node status is posted every poll here (a kubelet whose
		// nodeStatusReportFrequency is at most the poll interval): the worst
		// case for the wire.
		n.heartbeat = now.Add(-time.Duration(g.intn(10_000)) * time.Millisecond).Truncate(time.Second)
		n.meta.mf[len(n.meta.mf)-1].t = n.heartbeat
		e.write(&n.meta)
	}
	// Pods: pending ones come up, deleted ones go, some restart or crash-loop.
	for _, p := range slices.Clone(e.pods) {
		switch {
		case !p.gone.IsZero():
			if !now.Before(p.gone) {
				e.deletePod(p)
			}
		case p.phase == "Pending":
			if !now.Before(p.runAt) {
				e.startPending(p)
			}
		case p.crashloop:
			e.crashLoopStep(p)
		case p.failing > 0:
			// The readiness probe keeps failing for a few polls; the kubelet
			// counts the same event up.
			p.failing--
			e.event(e.podRef(p), "Warning", "Unhealthy", p.failMsg, "kubelet", p.node.meta.name, e.at())
			if p.failing == 0 {
				at := e.at()
				p.cReadyP = kCond{true, at}
				p.cs[0].ready = true
				p.meta.mf[1].t = at
			}
			e.write(&p.meta)
		default:
			if !p.cReadyP.ok && now.Sub(p.cs[0].started) > 15*time.Second && p.cs[0].waiting == "" {
				at := p.cs[0].started.Add(time.Duration(5+g.intn(10)) * time.Second)
				p.cReadyP = kCond{true, at}
				for i := range p.cs {
					p.cs[i].ready = true
				}
				p.meta.mf[1].t = at
				e.write(&p.meta)
				continue
			}
			if g.chance(0.00025 + p.flaky) {
				e.restartPod(p)
			} else if p.rs != nil && p.probe() && g.chance(0.0015) {
				e.unhealthy(p)
			}
		}
	}
	// Autoscaling, rollouts.
	for _, d := range e.deps {
		if d.rolling {
			e.rolloutStep(d)
			continue
		}
		if d.hpa && g.chance(0.01) {
			e.scale(d)
		}
	}
	if g.chance(pickRate(e.large, 0.05, 0.3)) {
		d := e.deps[g.intn(len(e.deps))]
		if !d.rolling {
			e.startRollout(d)
		}
	}
	// Now and then a crash loop starts (a bad config, a dependency down).
	if g.chance(pickRate(e.large, 0.004, 0.03)) {
		p := e.pods[g.intn(len(e.pods))]
		if p.rs != nil && p.phase == "Running" && p.gone.IsZero() && !p.crashloop {
			p.crashloop = true
			e.restartPod(p)
		}
	}
	// Or one ends.
	for _, p := range e.pods {
		if p.crashloop && g.chance(0.02) {
			p.crashloop = false
			p.cs[0].waiting, p.cs[0].waitMsg = "", ""
			e.startContainer(p, e.at())
		}
	}
	// Config changes.
	if g.chance(pickRate(e.large, 0.01, 0.05)) {
		cm := e.cms[g.intn(len(e.cms))]
		if cm.meta.name != "kube-root-ca.crt" && len(cm.data) > 0 {
			cm.data[0].v += "# updated " + now.Format(time.RFC3339) + "\n"
			cm.meta.mf[0].t = e.at()
			e.write(&cm.meta)
		}
	}
	e.refreshStatus(now)
	e.expireEvents(now)
	e.sortAll()
}

func (p *kPod) probe() bool { return p.tpl.containers[0].probe != "" && p.phase == "Running" }

func (e *k8sEnv) fieldPath(p *kPod) string {
	return "spec.containers{" + p.tpl.containers[0].name + "}"
}

// restartPod: the main container exits and the kubelet starts it again.
func (e *k8sEnv) restartPod(p *kPod) {
	g := e.g
	t := e.at()
	cs := &p.cs[0]
	code, reason := 137, "OOMKilled"
	if g.chance(0.6) {
		code, reason = pick(g, []int{1, 1, 2, 143}), "Error"
	}
	cs.last = &kTerm{exitCode: code, reason: reason, started: cs.started, finished: t, containerID: cs.containerID}
	cs.restarts++
	e.stats.podRestarts++
	if p.crashloop {
		cs.waiting = "CrashLoopBackOff"
		cs.waitMsg = "back-off " + backoff(cs.restarts) + " restarting failed container=" + p.tpl.containers[0].name + " pod=" + p.meta.name + "_" + p.meta.ns + "(" + p.meta.uid + ")"
		cs.ready = false
		cs.containerID = cs.last.containerID
		p.cReadyP = kCond{false, t}
		p.meta.mf[1].t = t
		e.write(&p.meta)
		e.event(kRef{kind: "Pod", ns: p.meta.ns, name: p.meta.name, uid: p.meta.uid, apiVersion: "v1", rv: p.meta.rv, fieldPath: e.fieldPath(p)},
			"Warning", "BackOff", "Back-off restarting failed container "+p.tpl.containers[0].name+" in pod "+p.meta.name+"_"+p.meta.ns+"("+p.meta.uid+")", "kubelet", p.node.meta.name, t)
		p.nextCrash = t.Add(backoffDur(cs.restarts))
		return
	}
	e.startContainer(p, t.Add(time.Duration(1+g.intn(3))*time.Second))
}

// startContainer runs a fresh instance of the pod's main container at t.
func (e *k8sEnv) startContainer(p *kPod, t time.Time) {
	cs := &p.cs[0]
	cs.containerID = "containerd://" + e.g.hex64()
	cs.started = t
	cs.waiting, cs.waitMsg = "", ""
	ready := !p.probe() || e.now.Sub(t) > 15*time.Second
	cs.ready = ready
	if ready {
		p.cReadyP = kCond{true, t.Add(time.Duration(2+e.g.intn(8)) * time.Second)}
	} else {
		p.cReadyP = kCond{false, t}
	}
	p.meta.mf[1].t = p.cReadyP.at
	e.write(&p.meta)
	ref := kRef{kind: "Pod", ns: p.meta.ns, name: p.meta.name, uid: p.meta.uid, apiVersion: "v1", rv: p.meta.rv, fieldPath: e.fieldPath(p)}
	c := p.tpl.containers[0]
	e.event(ref, "Normal", "Pulled", "Container image \""+c.image+"\" already present on machine", "kubelet", p.node.meta.name, t)
	e.event(ref, "Normal", "Created", "Created container "+c.name, "kubelet", p.node.meta.name, t)
	e.event(ref, "Normal", "Started", "Started container "+c.name, "kubelet", p.node.meta.name, t)
}

func backoffDur(restarts int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < restarts && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

func backoff(restarts int) string {
	d := backoffDur(restarts)
	if d >= time.Minute {
		m := int(d / time.Minute)
		s := int((d % time.Minute) / time.Second)
		return strconv.Itoa(m) + "m" + strconv.Itoa(s) + "s"
	}
	return strconv.Itoa(int(d/time.Second)) + "s"
}

// crashLoopStep: the kubelet retries after the back-off; it fails again.
func (e *k8sEnv) crashLoopStep(p *kPod) {
	t := e.at()
	ref := kRef{kind: "Pod", ns: p.meta.ns, name: p.meta.name, uid: p.meta.uid, apiVersion: "v1", rv: p.meta.rv, fieldPath: e.fieldPath(p)}
	// The back-off event repeats every sync while waiting.
	e.event(ref, "Warning", "BackOff", "Back-off restarting failed container "+p.tpl.containers[0].name+" in pod "+p.meta.name+"_"+p.meta.ns+"("+p.meta.uid+")", "kubelet", p.node.meta.name, t)
	if e.now.Before(p.nextCrash) {
		return
	}
	cs := &p.cs[0]
	c := p.tpl.containers[0]
	start := p.nextCrash
	if start.Before(e.now.Add(-PollInterval)) {
		start = e.now.Add(-PollInterval + time.Second)
	}
	e.event(ref, "Normal", "Pulled", "Container image \""+c.image+"\" already present on machine", "kubelet", p.node.meta.name, start)
	e.event(ref, "Normal", "Created", "Created container "+c.name, "kubelet", p.node.meta.name, start)
	e.event(ref, "Normal", "Started", "Started container "+c.name, "kubelet", p.node.meta.name, start)
	cs.last = &kTerm{exitCode: 1, reason: "Error", started: start, finished: start.Add(2 * time.Second), containerID: "containerd://" + e.g.hex64()}
	cs.containerID = cs.last.containerID
	cs.restarts++
	e.stats.podRestarts++
	cs.waitMsg = "back-off " + backoff(cs.restarts) + " restarting failed container=" + c.name + " pod=" + p.meta.name + "_" + p.meta.ns + "(" + p.meta.uid + ")"
	p.nextCrash = start.Add(2*time.Second + backoffDur(cs.restarts))
	p.meta.mf[1].t = start.Add(2 * time.Second)
	e.write(&p.meta)
}

func (e *k8sEnv) podRef(p *kPod) kRef {
	return kRef{kind: "Pod", ns: p.meta.ns, name: p.meta.name, uid: p.meta.uid, apiVersion: "v1", rv: p.meta.rv, fieldPath: e.fieldPath(p)}
}

// unhealthy starts a spell of failing readiness probes: the pod is not ready
// for one to four polls.
func (e *k8sEnv) unhealthy(p *kPod) {
	t := e.at()
	c := p.tpl.containers[0]
	p.failMsg = "Readiness probe failed: Get \"http://" + p.ip + ":" + strconv.Itoa(c.probePort) + c.probe + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
	if e.g.chance(0.5) {
		p.failMsg = "Readiness probe failed: HTTP probe failed with statuscode: 503"
	}
	p.failing = 1 + e.g.intn(4)
	e.event(e.podRef(p), "Warning", "Unhealthy", p.failMsg, "kubelet", p.node.meta.name, t)
	p.cReadyP = kCond{false, t}
	p.cs[0].ready = false
	p.meta.mf[1].t = t
	e.write(&p.meta)
}

func (e *k8sEnv) startPending(p *kPod) {
	t := p.runAt
	c := p.tpl.containers[0]
	ref := kRef{kind: "Pod", ns: p.meta.ns, name: p.meta.name, uid: p.meta.uid, apiVersion: "v1", rv: p.meta.rv, fieldPath: e.fieldPath(p)}
	if !p.node.hasImage(p.tpl) {
		e.event(ref, "Normal", "Pulling", "Pulling image \""+c.image+"\"", "kubelet", p.node.meta.name, p.meta.created.Add(time.Second))
		e.event(ref, "Normal", "Pulled", fmt.Sprintf("Successfully pulled image %q in %.3fs (%.3fs including waiting)", c.image, 1+e.g.float()*9, 1+e.g.float()*12), "kubelet", p.node.meta.name, t)
	} else {
		e.event(ref, "Normal", "Pulled", "Container image \""+c.image+"\" already present on machine", "kubelet", p.node.meta.name, t)
	}
	e.event(ref, "Normal", "Created", "Created container "+c.name, "kubelet", p.node.meta.name, t)
	e.event(ref, "Normal", "Started", "Started container "+c.name, "kubelet", p.node.meta.name, t)
	e.finishPod(p, t)
	e.write(&p.meta)
	e.stats.podsCreated++
}

func (e *k8sEnv) deletePod(p *kPod) {
	e.pods = slices.DeleteFunc(e.pods, func(x *kPod) bool { return x == p })
	delete(e.ips, p.ip)
	e.stats.podsDeleted++
}

// terminate starts a graceful deletion: the pod shows a deletionTimestamp
// for a while, then disappears.
func (e *k8sEnv) terminate(p *kPod, t time.Time) {
	if !p.gone.IsZero() {
		return
	}
	p.meta.deleted = t.Add(30 * time.Second)
	p.gone = t.Add(time.Duration(5+e.g.intn(50)) * time.Second)
	if p.gone.Before(e.now) {
		p.gone = e.now.Add(time.Second)
	}
	e.write(&p.meta)
	c := p.tpl.containers[0]
	e.event(kRef{kind: "Pod", ns: p.meta.ns, name: p.meta.name, uid: p.meta.uid, apiVersion: "v1", rv: p.meta.rv, fieldPath: e.fieldPath(p)},
		"Normal", "Killing", "Stopping container "+c.name, "kubelet", p.node.meta.name, t)
}

func (e *k8sEnv) rsPods(rs *kRS) []*kPod {
	var out []*kPod
	for _, p := range e.pods {
		if p.rs == rs && p.gone.IsZero() {
			out = append(out, p)
		}
	}
	return out
}

// setReplicas scales rs to n at t, creating or terminating pods.
func (e *k8sEnv) setReplicas(rs *kRS, n int, t time.Time) {
	d := rs.dep
	if n == rs.replicas {
		return
	}
	verb := "up"
	if n < rs.replicas {
		verb = "down"
	}
	e.event(kRef{kind: "Deployment", ns: d.meta.ns, name: d.meta.name, uid: d.meta.uid, apiVersion: "apps/v1", rv: d.meta.rv},
		"Normal", "ScalingReplicaSet", "Scaled "+verb+" replica set "+rs.meta.name+" to "+strconv.Itoa(n)+" from "+strconv.Itoa(rs.replicas), "deployment-controller", "", t)
	rs.replicas = n
	rs.meta.generation++
	e.setRSAnnots(rs)
	rs.meta.mf[0].t = t
	e.write(&rs.meta)
	pods := e.rsPods(rs)
	ref := kRef{kind: "ReplicaSet", ns: rs.meta.ns, name: rs.meta.name, uid: rs.meta.uid, apiVersion: "apps/v1", rv: rs.meta.rv}
	for len(pods) < n {
		p := e.newRSPod(rs, t.Add(50*time.Millisecond), false)
		pods = append(pods, p)
		e.event(ref, "Normal", "SuccessfulCreate", "Created pod: "+p.meta.name, "replicaset-controller", "", t)
		e.schedEvent(p, t.Add(20*time.Millisecond))
	}
	for len(pods) > n {
		p := pods[len(pods)-1]
		pods = pods[:len(pods)-1]
		e.terminate(p, t)
		e.event(ref, "Normal", "SuccessfulDelete", "Deleted pod: "+p.meta.name, "replicaset-controller", "", t)
	}
}

func (e *k8sEnv) scale(d *kDeploy) {
	n := d.replicas + 1
	if d.replicas >= d.maxR || (d.replicas > d.minR && e.g.chance(0.5)) {
		n = d.replicas - 1
	}
	if n < 1 {
		return
	}
	t := e.at()
	d.replicas = n
	d.meta.generation++
	d.meta.mf[0].t = t
	e.write(&d.meta)
	e.setReplicas(d.rss[len(d.rss)-1], n, t)
	e.stats.scalings++
}

// startRollout applies a new image: a new replica set takes over over a few polls.
func (e *k8sEnv) startRollout(d *kDeploy) {
	g := e.g
	t := e.at()
	old := d.tpl
	nt := cloneTemplate(old)
	c := &nt.containers[0]
	repo, tag := splitImage(c.image)
	c.image = repo + ":" + bumpPatch(tag)
	c.imageID = repo + "@sha256:" + g.hex64()
	d.meta.generation++
	nt.hash = podTemplateHash(d.meta.name + "/" + c.image + "/" + strconv.FormatInt(d.meta.generation, 10))
	nt.specFields = specFieldsFor(nt)
	d.tpl = nt
	d.applierFields = deploymentApplierFields(d)
	d.revision = 0
	for _, rs := range d.rss {
		d.revision = max(d.revision, rs.revision)
	}
	d.revision++
	d.meta.annots = []kv{{"deployment.kubernetes.io/revision", strconv.Itoa(d.revision)}}
	d.meta.mf[0].t = t
	d.meta.mf[0].fields = d.applierFields
	d.meta.mf[1].t = t
	e.write(&d.meta)
	rs := e.newRS(d, nt, d.revision, t)
	rs.replicas = 0
	d.rolling = true
	d.progReason = "ReplicaSetUpdated"
	d.progUpdate = t
	e.stats.rollouts++
	// Trim history beyond revisionHistoryLimit.
	for len(d.rss) > d.history+1 {
		gone := d.rss[0]
		d.rss = d.rss[1:]
		e.rss = slices.DeleteFunc(e.rss, func(x *kRS) bool { return x == gone })
	}
	e.rolloutStep(d)
}

func splitImage(ref string) (repo, tag string) {
	for i := len(ref) - 1; i >= 0; i-- {
		switch ref[i] {
		case ':':
			return ref[:i], ref[i+1:]
		case '/':
			return ref, "latest"
		}
	}
	return ref, "latest"
}

// rolloutStep moves a rolling update on by one poll: surge new pods, and
// scale old replica sets down by as many new pods as are ready.
func (e *k8sEnv) rolloutStep(d *kDeploy) {
	t := e.at()
	cur := d.rss[len(d.rss)-1]
	surge := max(1, (d.replicas+3)/4)
	readyNew := 0
	for _, p := range e.rsPods(cur) {
		if p.phase == "Running" {
			readyNew++
		}
	}
	oldTotal := 0
	for _, rs := range d.rss[:len(d.rss)-1] {
		oldTotal += rs.replicas
	}
	// Scale old replica sets down by the new pods that are up.
	excess := oldTotal + readyNew - d.replicas
	for _, rs := range d.rss[:len(d.rss)-1] {
		if excess <= 0 {
			break
		}
		if rs.replicas > 0 {
			k := min(rs.replicas, excess)
			e.setReplicas(rs, rs.replicas-k, t)
			excess -= k
			oldTotal -= k
		}
	}
	if cur.replicas < d.replicas {
		e.setReplicas(cur, min(d.replicas, cur.replicas+surge), t)
		return
	}
	if oldTotal == 0 && readyNew >= d.replicas {
		d.rolling = false
		d.progReason = "NewReplicaSetAvailable"
		d.progUpdate = t
		d.meta.mf[2].t = t
		e.write(&d.meta)
	}
}

// refreshStatus recomputes replica set and deployment status from the pods,
// writing only the objects whose status changed.
func (e *k8sEnv) refreshStatus(now time.Time) {
	type counts struct{ tot, ready int }
	per := map[*kRS]*counts{}
	for _, p := range e.pods {
		// Terminating pods no longer count, as in the controllers' FilterActivePods.
		if p.rs == nil || !p.gone.IsZero() {
			continue
		}
		c := per[p.rs]
		if c == nil {
			c = &counts{}
			per[p.rs] = c
		}
		c.tot++
		if p.phase == "Running" && p.cReadyP.ok {
			c.ready++
		}
	}
	for _, rs := range e.rss {
		c := per[rs]
		if c == nil {
			c = &counts{}
		}
		if rs.tot != c.tot || rs.ready != c.ready || rs.avail != c.ready {
			rs.tot, rs.ready, rs.avail = c.tot, c.ready, c.ready
			rs.meta.mf[1].t = e.at()
			e.write(&rs.meta)
		}
	}
	for _, d := range e.deps {
		tot, ready, updated := 0, 0, 0
		for _, rs := range d.rss {
			tot += rs.tot
			ready += rs.ready
		}
		updated = d.rss[len(d.rss)-1].tot
		maxUnavail := d.replicas / 4
		avail := ready >= d.replicas-maxUnavail
		if d.tot != tot || d.ready != ready || d.updated != updated || d.avail != ready || d.available != avail {
			t := e.at()
			// The controller rewrites a condition only when its status or
			// reason changes, so Available's times move only on a flip.
			if d.available != avail {
				d.available = avail
				d.availTrans, d.availUpdate = t, t
			}
			d.tot, d.ready, d.updated, d.avail = tot, ready, updated, ready
			d.meta.mf[2].t = t
			e.write(&d.meta)
		}
	}
}

// event records an event the way client-go's recorder does: an identical
// event (same object, reason, message, source) within its TTL is counted up
// instead of created again.
func (e *k8sEnv) event(obj kRef, typ, reason, msg, component, host string, t time.Time) {
	for _, ev := range e.events {
		if !ev.scheduler && ev.obj.uid == obj.uid && ev.reason == reason && ev.message == msg && ev.component == component {
			ev.count++
			ev.last = t
			ev.meta.mf[0].t = t
			e.write(&ev.meta)
			e.stats.eventsCounted++
			return
		}
	}
	ev := &kEvent{obj: obj, typ: typ, reason: reason, message: msg, component: component, host: host, first: t, last: t, count: 1}
	ev.meta = e.newMeta(e.eventName(obj.name, t), obj.ns, t)
	fields, mgr := eventControllerFields, "kube-controller-manager"
	if component == "kubelet" {
		fields, mgr = eventKubeletFields, "kubelet"
		ev.reportInst = host
	}
	ev.meta.mf = []kMF{{manager: mgr, op: "Update", apiVersion: "v1", t: t, fields: fields}}
	e.events = append(e.events, ev)
	e.stats.eventsCreated++
}

// schedEvent is the scheduler's events.k8s.io-style "Scheduled" event.
func (e *k8sEnv) schedEvent(p *kPod, t time.Time) {
	ev := &kEvent{obj: kRef{kind: "Pod", ns: p.meta.ns, name: p.meta.name, uid: p.meta.uid, apiVersion: "v1", rv: p.meta.rv},
		typ: "Normal", reason: "Scheduled", message: "Successfully assigned " + p.meta.ns + "/" + p.meta.name + " to " + p.node.meta.name,
		scheduler: true, evTime: t.Add(time.Duration(e.g.intn(1_000_000)) * time.Microsecond), reportInst: "default-scheduler-ip-172-16-" + strconv.Itoa(40+len(e.nodes)%7) + "-12.eu-west-1.compute.internal"}
	ev.meta = e.newMeta(e.eventName(p.meta.name, ev.evTime), p.meta.ns, t)
	ev.meta.mf = []kMF{{manager: "kube-scheduler", op: "Update", apiVersion: "events.k8s.io/v1", t: t, fields: eventSchedulerFields}}
	ev.last = t
	e.events = append(e.events, ev)
	e.stats.eventsCreated++
}

// eventName is client-go's "<object>.<creation time in hex nanoseconds>";
// the recorder's clock moves on between two events, so names never repeat.
func (e *k8sEnv) eventName(obj string, t time.Time) string {
	ns := t.UnixNano() + int64(e.g.intn(900_000))
	for {
		name := obj + "." + strconv.FormatInt(ns, 16)
		if !e.eventNames[name] {
			e.eventNames[name] = true
			return name
		}
		ns += int64(1 + e.g.intn(50_000))
	}
}

func (e *k8sEnv) expireEvents(now time.Time) {
	e.events = slices.DeleteFunc(e.events, func(ev *kEvent) bool {
		if now.Sub(ev.last) > eventTTL {
			delete(e.eventNames, ev.meta.name)
			e.stats.eventsExpired++
			return true
		}
		return false
	})
}
