package bench

import (
	"strconv"
	"strings"
	"time"
)

// render writes the agent's Kubernetes snapshot document: one List object per
// resource, as GET /api/v1/<resource> and /apis/apps/v1/<resource> return them.
func (e *k8sEnv) render(w *jw, now time.Time) {
	w.html = true
	rv := e.rv
	list := func(name, kind, apiVersion string, n int, item func(i int)) {
		w.ko(name)
		w.ks("kind", kind)
		w.ks("apiVersion", apiVersion)
		w.ko("metadata")
		// The lists are fetched one after another while leases keep writing.
		rv += 3 + int64(len(name)%5)
		w.ks("resourceVersion", strconv.FormatInt(rv, 10))
		w.endObj()
		w.ka("items")
		for i := 0; i < n; i++ {
			item(i)
		}
		w.endArr()
		w.endObj()
	}
	w.obj()
	w.ks("kind", "kubernetes")
	w.ks("time", now.UTC().Format(time.RFC3339))
	list("nodes", "NodeList", "v1", len(e.nodes), func(i int) { cached(w, &e.nodes[i].meta, func() { e.renderNode(w, e.nodes[i]) }) })
	list("namespaces", "NamespaceList", "v1", len(e.nss), func(i int) { cached(w, &e.nss[i].meta, func() { renderNS(w, e.nss[i]) }) })
	list("pods", "PodList", "v1", len(e.pods), func(i int) { cached(w, &e.pods[i].meta, func() { e.renderPod(w, e.pods[i]) }) })
	list("deployments", "DeploymentList", "apps/v1", len(e.deps), func(i int) { cached(w, &e.deps[i].meta, func() { e.renderDeploy(w, e.deps[i]) }) })
	list("replicasets", "ReplicaSetList", "apps/v1", len(e.rss), func(i int) { cached(w, &e.rss[i].meta, func() { e.renderRS(w, e.rss[i]) }) })
	list("services", "ServiceList", "v1", len(e.svcs), func(i int) { cached(w, &e.svcs[i].meta, func() { renderSvc(w, e.svcs[i]) }) })
	list("configmaps", "ConfigMapList", "v1", len(e.cms), func(i int) { cached(w, &e.cms[i].meta, func() { renderCM(w, e.cms[i]) }) })
	list("events", "EventList", "v1", len(e.events), func(i int) { cached(w, &e.events[i].meta, func() { renderEvent(w, e.events[i]) }) })
	w.endObj()
}

// cached writes an object from its cache when it has not been written since
// it was last rendered, and renders (and caches) it otherwise.
func cached(w *jw, m *kMeta, render func()) {
	if m.cache != nil && m.cacheRV == m.rv {
		w.raw(m.cache)
		return
	}
	w.sep()
	w.afterKey = true // the object's opening brace must not add a comma
	start := len(w.b)
	render()
	m.cache = append(m.cache[:0], w.b[start:]...)
	m.cacheRV = m.rv
}

func renderMeta(w *jw, m *kMeta) {
	w.ko("metadata")
	w.ks("name", m.name)
	if m.generateName != "" {
		w.ks("generateName", m.generateName)
	}
	if m.ns != "" {
		w.ks("namespace", m.ns)
	}
	w.ks("uid", m.uid)
	w.ks("resourceVersion", strconv.FormatInt(m.rv, 10))
	if m.generation > 0 {
		w.ki("generation", m.generation)
	}
	w.kt("creationTimestamp", m.created)
	if !m.deleted.IsZero() {
		w.kt("deletionTimestamp", m.deleted)
		w.ki("deletionGracePeriodSeconds", 30)
	}
	if len(m.labels) > 0 {
		w.kmap("labels", m.labels)
	}
	if len(m.annots) > 0 {
		w.kmap("annotations", m.annots)
	}
	if o := m.owner; o != nil {
		w.ka("ownerReferences")
		w.obj()
		w.ks("apiVersion", o.apiVersion)
		w.ks("kind", o.kind)
		w.ks("name", o.name)
		w.ks("uid", o.uid)
		w.kb("controller", true)
		w.kb("blockOwnerDeletion", true)
		w.endObj()
		w.endArr()
	}
	if len(m.mf) > 0 {
		w.ka("managedFields")
		for _, f := range m.mf {
			w.obj()
			w.ks("manager", f.manager)
			w.ks("operation", f.op)
			w.ks("apiVersion", f.apiVersion)
			w.kt("time", f.t)
			w.ks("fieldsType", "FieldsV1")
			w.key("fieldsV1")
			w.raw(f.fields)
			if f.sub != "" {
				w.ks("subresource", f.sub)
			}
			w.endObj()
		}
		w.endArr()
	}
	w.endObj()
}

func (e *k8sEnv) renderNode(w *jw, n *kNode) {
	w.obj()
	w.ks("kind", "Node")
	w.ks("apiVersion", "v1")
	renderMeta(w, &n.meta)
	w.ko("spec")
	w.ks("providerID", n.provider)
	w.endObj()
	w.ko("status")
	pods := "58"
	if e.large {
		pods = "234"
	}
	for _, r := range []struct{ k, cpu, storage, mem string }{{"capacity", n.cpu, "104845292Ki", n.mem}, {"allocatable", n.allocCPU, "95551679124", n.allocMem}} {
		w.ko(r.k)
		w.ks("cpu", r.cpu)
		w.ks("ephemeral-storage", r.storage)
		w.ks("hugepages-1Gi", "0")
		w.ks("hugepages-2Mi", "0")
		w.ks("memory", r.mem)
		w.ks("pods", pods)
		w.endObj()
	}
	w.ka("conditions")
	for _, c := range [][4]string{
		{"MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"},
		{"DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"},
		{"PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"},
		{"Ready", "True", "KubeletReady", "kubelet is posting ready status"},
	} {
		w.obj()
		w.ks("type", c[0])
		w.ks("status", c[1])
		hb := n.heartbeat
		if hb.IsZero() {
			hb = e.now.Add(-7 * time.Second)
		}
		w.kt("lastHeartbeatTime", hb)
		w.kt("lastTransitionTime", n.readySince)
		w.ks("reason", c[2])
		w.ks("message", c[3])
		w.endObj()
	}
	w.endArr()
	w.ka("addresses")
	for _, a := range [][2]string{{"InternalIP", n.ip}, {"InternalDNS", n.meta.name}, {"Hostname", n.meta.name}} {
		w.obj()
		w.ks("type", a[0])
		w.ks("address", a[1])
		w.endObj()
	}
	w.endArr()
	w.ko("daemonEndpoints")
	w.ko("kubeletEndpoint")
	w.ki("Port", 10250)
	w.endObj()
	w.endObj()
	w.ko("nodeInfo")
	w.ks("machineID", n.machineID)
	w.ks("systemUUID", n.systemUUID)
	w.ks("bootID", n.bootID)
	w.ks("kernelVersion", "5.10.205-195.807.amzn2.x86_64")
	w.ks("osImage", "Amazon Linux 2")
	w.ks("containerRuntimeVersion", "containerd://1.7.11")
	w.ks("kubeletVersion", "v1.29.0-eks-5e0fdde")
	w.ks("kubeProxyVersion", "v1.29.0-eks-5e0fdde")
	w.ks("operatingSystem", "linux")
	w.ks("architecture", "amd64")
	w.endObj()
	w.ka("images")
	for _, im := range n.images {
		w.obj()
		w.kstrs("names", im.names)
		w.ki("sizeBytes", im.size)
		w.endObj()
	}
	w.endArr()
	w.endObj()
	w.endObj()
}

func renderNS(w *jw, n *kNS) {
	w.obj()
	w.ks("kind", "Namespace")
	w.ks("apiVersion", "v1")
	renderMeta(w, &n.meta)
	w.ko("spec")
	w.kstrs("finalizers", []string{"kubernetes"})
	w.endObj()
	w.ko("status")
	w.ks("phase", "Active")
	w.endObj()
	w.endObj()
}

func renderProbe(w *jw, name string, c *kContainer, initial int) {
	w.ko(name)
	w.ko("httpGet")
	w.ks("path", c.probe)
	w.ki("port", int64(c.probePort))
	w.ks("scheme", "HTTP")
	w.endObj()
	w.ki("initialDelaySeconds", int64(initial))
	w.ki("timeoutSeconds", 1)
	w.ki("periodSeconds", 10)
	w.ki("successThreshold", 1)
	w.ki("failureThreshold", 3)
	w.endObj()
}

func renderContainer(w *jw, c *kContainer) {
	w.obj()
	w.ks("name", c.name)
	w.ks("image", c.image)
	if len(c.args) > 0 {
		w.kstrs("args", c.args)
	}
	if len(c.ports) > 0 {
		w.ka("ports")
		for _, p := range c.ports {
			w.obj()
			if p.name != "" {
				w.ks("name", p.name)
			}
			w.ki("containerPort", int64(p.port))
			w.ks("protocol", p.proto)
			w.endObj()
		}
		w.endArr()
	}
	if len(c.env) > 0 {
		w.ka("env")
		for _, v := range c.env {
			w.obj()
			w.ks("name", v.name)
			switch {
			case v.secret != "":
				w.ko("valueFrom")
				w.ko("secretKeyRef")
				w.ks("name", v.secret)
				w.ks("key", v.secretKey)
				w.endObj()
				w.endObj()
			case v.value == "":
				w.ko("valueFrom")
				w.ko("fieldRef")
				w.ks("apiVersion", "v1")
				w.ks("fieldPath", "spec.nodeName")
				w.endObj()
				w.endObj()
			default:
				w.ks("value", v.value)
			}
			w.endObj()
		}
		w.endArr()
	}
	w.ko("resources")
	if c.memLim != "" {
		w.ko("limits")
		w.ks("memory", c.memLim)
		w.endObj()
	}
	if c.cpuReq != "" || c.memReq != "" {
		w.ko("requests")
		if c.cpuReq != "" {
			w.ks("cpu", c.cpuReq)
		}
		if c.memReq != "" {
			w.ks("memory", c.memReq)
		}
		w.endObj()
	}
	w.endObj() // resources
	// The caller adds the fields that differ between pods and templates and
	// closes the container object.
}

// renderPodSpec writes a pod spec; pod is nil for a template's spec.
func renderPodSpec(w *jw, t *kTemplate, pod *kPod) {
	w.ko("spec")
	hasVolumes := t.cfgVolume != "" || pod != nil
	var ds *kDS
	if pod != nil {
		ds = pod.ds
	}
	if ds != nil {
		w.ka("volumes")
		seen := map[string]bool{}
		for _, c := range t.containers {
			for _, m := range c.mounts {
				if seen[m.name] {
					continue
				}
				seen[m.name] = true
				w.obj()
				w.ks("name", m.name)
				if m.name == "kubeconfig" || m.name == "config" {
					w.ko("configMap")
					w.ks("name", "kube-proxy"+map[bool]string{true: "-config", false: ""}[m.name == "config"])
					w.ki("defaultMode", 420)
					w.endObj()
				} else {
					w.ko("hostPath")
					w.ks("path", strings.TrimPrefix(m.path, "/host"))
					if strings.HasSuffix(m.path, ".lock") {
						w.ks("type", "FileOrCreate")
					} else {
						w.ks("type", "DirectoryOrCreate")
					}
					w.endObj()
				}
				w.endObj()
			}
		}
	} else if hasVolumes {
		w.ka("volumes")
		if t.cfgVolume != "" {
			w.obj()
			w.ks("name", t.cfgName)
			w.ko("configMap")
			w.ks("name", t.cfgVolume)
			w.ki("defaultMode", 420)
			w.endObj()
			w.endObj()
		}
	}
	if pod != nil {
		w.obj()
		w.ks("name", pod.saVol)
		w.ko("projected")
		w.ka("sources")
		w.obj()
		w.ko("serviceAccountToken")
		w.ki("expirationSeconds", 3607)
		w.ks("path", "token")
		w.endObj()
		w.endObj()
		w.obj()
		w.ko("configMap")
		w.ks("name", "kube-root-ca.crt")
		w.ka("items")
		w.obj()
		w.ks("key", "ca.crt")
		w.ks("path", "ca.crt")
		w.endObj()
		w.endArr()
		w.endObj()
		w.endObj()
		w.obj()
		w.ko("downwardAPI")
		w.ka("items")
		w.obj()
		w.ks("path", "namespace")
		w.ko("fieldRef")
		w.ks("apiVersion", "v1")
		w.ks("fieldPath", "metadata.namespace")
		w.endObj()
		w.endObj()
		w.endArr()
		w.endObj()
		w.endObj()
		w.endArr()
		w.ki("defaultMode", 420)
		w.endObj()
		w.endObj()
	}
	if hasVolumes || ds != nil {
		w.endArr()
	}
	w.ka("containers")
	for i := range t.containers {
		c := &t.containers[i]
		// renderContainer leaves the object open for the fields below.
		renderContainer(w, c)
		if len(c.mounts) > 0 || pod != nil {
			w.ka("volumeMounts")
			for _, m := range c.mounts {
				w.obj()
				w.ks("name", m.name)
				if m.ro {
					w.kb("readOnly", true)
				}
				w.ks("mountPath", m.path)
				w.endObj()
			}
			if pod != nil {
				w.obj()
				w.ks("name", pod.saVol)
				w.kb("readOnly", true)
				w.ks("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount")
				w.endObj()
			}
			w.endArr()
		}
		if c.probe != "" {
			renderProbe(w, "livenessProbe", c, 15)
			renderProbe(w, "readinessProbe", c, 5)
		}
		w.ks("terminationMessagePath", "/dev/termination-log")
		w.ks("terminationMessagePolicy", "File")
		w.ks("imagePullPolicy", "IfNotPresent")
		w.endObj()
	}
	w.endArr()
	w.ks("restartPolicy", "Always")
	w.ki("terminationGracePeriodSeconds", 30)
	if t.sa == "coredns" {
		w.ks("dnsPolicy", "Default")
	} else {
		w.ks("dnsPolicy", "ClusterFirst")
	}
	w.ks("serviceAccountName", t.sa)
	w.ks("serviceAccount", t.sa)
	if pod != nil {
		w.ks("nodeName", pod.node.meta.name)
	}
	if ds != nil {
		w.kb("hostNetwork", true)
	}
	w.kempty("securityContext")
	if ds != nil {
		w.ko("affinity")
		w.ko("nodeAffinity")
		w.ko("requiredDuringSchedulingIgnoredDuringExecution")
		w.ka("nodeSelectorTerms")
		w.obj()
		w.ka("matchFields")
		w.obj()
		w.ks("key", "metadata.name")
		w.ks("operator", "In")
		w.kstrs("values", []string{pod.node.meta.name})
		w.endObj()
		w.endArr()
		w.endObj()
		w.endArr()
		w.endObj()
		w.endObj()
		w.endObj()
	}
	w.ks("schedulerName", "default-scheduler")
	if pod != nil {
		w.ka("tolerations")
		if ds != nil {
			w.obj()
			w.ks("operator", "Exists")
			w.endObj()
			for _, k := range []string{"node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable", "node.kubernetes.io/network-unavailable"} {
				w.obj()
				w.ks("key", k)
				w.ks("operator", "Exists")
				w.ks("effect", "NoSchedule")
				w.endObj()
			}
		}
		for _, k := range []string{"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"} {
			w.obj()
			w.ks("key", k)
			w.ks("operator", "Exists")
			w.ks("effect", "NoExecute")
			if ds == nil {
				w.ki("tolerationSeconds", 300)
			}
			w.endObj()
		}
		w.endArr()
		prio := int64(0)
		switch {
		case ds != nil:
			w.ks("priorityClassName", ds.priorityClass)
			prio = 2000001000
		case pod.meta.ns == "kube-system":
			w.ks("priorityClassName", "system-cluster-critical")
			prio = 2000000000
		}
		w.ki("priority", prio)
		w.kb("enableServiceLinks", true)
		w.ks("preemptionPolicy", "PreemptLowerPriority")
	}
	w.endObj()
}

func renderTemplate(w *jw, t *kTemplate, labels []kv) {
	w.ko("template")
	w.ko("metadata")
	w.knull("creationTimestamp")
	w.kmap("labels", labels)
	w.endObj()
	renderPodSpec(w, t, nil)
	w.endObj()
}

func cond(w *jw, typ string, c kCond, notReady string) {
	w.obj()
	w.ks("type", typ)
	if c.ok {
		w.ks("status", "True")
	} else {
		w.ks("status", "False")
	}
	w.knull("lastProbeTime")
	w.kt("lastTransitionTime", c.at)
	if !c.ok && notReady != "" {
		w.ks("reason", notReady)
	}
	w.endObj()
}

func (e *k8sEnv) renderPod(w *jw, p *kPod) {
	w.obj()
	w.ks("kind", "Pod")
	w.ks("apiVersion", "v1")
	renderMeta(w, &p.meta)
	renderPodSpec(w, p.tpl, p)
	w.ko("status")
	w.ks("phase", p.phase)
	w.ka("conditions")
	cond(w, "PodReadyToStartContainers", p.cReady, "")
	cond(w, "Initialized", p.cInit, "")
	names := "["
	for i, c := range p.tpl.containers {
		if i > 0 {
			names += " "
		}
		names += c.name
	}
	names += "]"
	for _, t := range []string{"Ready", "ContainersReady"} {
		w.obj()
		w.ks("type", t)
		if p.cReadyP.ok {
			w.ks("status", "True")
		} else {
			w.ks("status", "False")
		}
		w.knull("lastProbeTime")
		w.kt("lastTransitionTime", p.cReadyP.at)
		if !p.cReadyP.ok {
			w.ks("reason", "ContainersNotReady")
			w.ks("message", "containers with unready status: "+names)
		}
		w.endObj()
	}
	cond(w, "PodScheduled", p.cSched, "")
	w.endArr()
	w.ks("hostIP", p.node.ip)
	w.ka("hostIPs")
	w.obj()
	w.ks("ip", p.node.ip)
	w.endObj()
	w.endArr()
	if p.phase == "Running" {
		w.ks("podIP", p.ip)
		w.ka("podIPs")
		w.obj()
		w.ks("ip", p.ip)
		w.endObj()
		w.endArr()
	}
	w.kt("startTime", p.startTime)
	w.ka("containerStatuses")
	for i := range p.cs {
		cs := &p.cs[i]
		c := &p.tpl.containers[i]
		w.obj()
		w.ks("name", c.name)
		w.ko("state")
		if cs.waiting != "" {
			w.ko("waiting")
			w.ks("reason", cs.waiting)
			if cs.waitMsg != "" {
				w.ks("message", cs.waitMsg)
			}
			w.endObj()
		} else {
			w.ko("running")
			w.kt("startedAt", cs.started)
			w.endObj()
		}
		w.endObj()
		w.ko("lastState")
		if t := cs.last; t != nil {
			w.ko("terminated")
			w.ki("exitCode", int64(t.exitCode))
			w.ks("reason", t.reason)
			w.kt("startedAt", t.started)
			w.kt("finishedAt", t.finished)
			w.ks("containerID", t.containerID)
			w.endObj()
		}
		w.endObj()
		w.kb("ready", cs.ready)
		w.ki("restartCount", int64(cs.restarts))
		w.ks("image", c.image)
		if cs.containerID != "" {
			w.ks("imageID", c.imageID)
			w.ks("containerID", cs.containerID)
		} else {
			w.ks("imageID", "")
		}
		w.kb("started", cs.waiting == "" && cs.containerID != "")
		w.endObj()
	}
	w.endArr()
	w.ks("qosClass", "Burstable")
	w.endObj()
	w.endObj()
}

func (e *k8sEnv) renderDeploy(w *jw, d *kDeploy) {
	w.obj()
	w.ks("kind", "Deployment")
	w.ks("apiVersion", "apps/v1")
	renderMeta(w, &d.meta)
	w.ko("spec")
	w.ki("replicas", int64(d.replicas))
	w.ko("selector")
	w.kmap("matchLabels", d.tpl.labels)
	w.endObj()
	renderTemplate(w, d.tpl, d.tpl.labels)
	w.ko("strategy")
	w.ks("type", "RollingUpdate")
	w.ko("rollingUpdate")
	w.ks("maxUnavailable", "25%")
	w.ks("maxSurge", "25%")
	w.endObj()
	w.endObj()
	w.ki("revisionHistoryLimit", int64(d.history))
	w.ki("progressDeadlineSeconds", 600)
	w.endObj()
	w.ko("status")
	w.ki("observedGeneration", d.meta.generation)
	if d.tot > 0 {
		w.ki("replicas", int64(d.tot))
	}
	if d.updated > 0 {
		w.ki("updatedReplicas", int64(d.updated))
	}
	if d.ready > 0 {
		w.ki("readyReplicas", int64(d.ready))
	}
	if d.avail > 0 {
		w.ki("availableReplicas", int64(d.avail))
	}
	if u := d.tot - d.avail; u > 0 {
		w.ki("unavailableReplicas", int64(u))
	}
	w.ka("conditions")
	w.obj()
	w.ks("type", "Available")
	if d.available {
		w.ks("status", "True")
		w.kt("lastUpdateTime", d.availUpdate)
		w.kt("lastTransitionTime", d.availTrans)
		w.ks("reason", "MinimumReplicasAvailable")
		w.ks("message", "Deployment has minimum availability.")
	} else {
		w.ks("status", "False")
		w.kt("lastUpdateTime", d.availUpdate)
		w.kt("lastTransitionTime", d.availTrans)
		w.ks("reason", "MinimumReplicasUnavailable")
		w.ks("message", "Deployment does not have minimum availability.")
	}
	w.endObj()
	w.obj()
	w.ks("type", "Progressing")
	w.ks("status", "True")
	w.kt("lastUpdateTime", d.progUpdate)
	w.kt("lastTransitionTime", d.progTrans)
	w.ks("reason", d.progReason)
	cur := d.rss[len(d.rss)-1].meta.name
	if d.progReason == "NewReplicaSetAvailable" {
		w.ks("message", "ReplicaSet \""+cur+"\" has successfully progressed.")
	} else {
		w.ks("message", "ReplicaSet \""+cur+"\" is progressing.")
	}
	w.endObj()
	w.endArr()
	w.endObj()
	w.endObj()
}

func (e *k8sEnv) renderRS(w *jw, rs *kRS) {
	w.obj()
	w.ks("kind", "ReplicaSet")
	w.ks("apiVersion", "apps/v1")
	renderMeta(w, &rs.meta)
	w.ko("spec")
	w.ki("replicas", int64(rs.replicas))
	w.ko("selector")
	w.kmap("matchLabels", rs.meta.labels)
	w.endObj()
	renderTemplate(w, rs.tpl, rs.meta.labels)
	w.endObj()
	w.ko("status")
	w.ki("replicas", int64(rs.tot))
	if rs.tot > 0 {
		w.ki("fullyLabeledReplicas", int64(rs.tot))
	}
	if rs.ready > 0 {
		w.ki("readyReplicas", int64(rs.ready))
	}
	if rs.avail > 0 {
		w.ki("availableReplicas", int64(rs.avail))
	}
	w.ki("observedGeneration", rs.meta.generation)
	w.endObj()
	w.endObj()
}

func renderSvc(w *jw, s *kSvc) {
	w.obj()
	w.ks("kind", "Service")
	w.ks("apiVersion", "v1")
	renderMeta(w, &s.meta)
	w.ko("spec")
	w.ka("ports")
	for _, p := range s.ports {
		w.obj()
		w.ks("name", p.name)
		w.ks("protocol", "TCP")
		w.ki("port", int64(p.port))
		w.ki("targetPort", int64(p.target))
		w.endObj()
	}
	w.endArr()
	w.kmap("selector", s.selector)
	w.ks("clusterIP", s.clusterIP)
	w.kstrs("clusterIPs", []string{s.clusterIP})
	w.ks("type", "ClusterIP")
	w.ks("sessionAffinity", "None")
	w.kstrs("ipFamilies", []string{"IPv4"})
	w.ks("ipFamilyPolicy", "SingleStack")
	w.ks("internalTrafficPolicy", "Cluster")
	w.endObj()
	w.ko("status")
	w.kempty("loadBalancer")
	w.endObj()
	w.endObj()
}

func renderCM(w *jw, c *kCM) {
	w.obj()
	w.ks("kind", "ConfigMap")
	w.ks("apiVersion", "v1")
	renderMeta(w, &c.meta)
	w.kmap("data", c.data)
	w.endObj()
}

func renderEvent(w *jw, ev *kEvent) {
	w.obj()
	w.ks("kind", "Event")
	w.ks("apiVersion", "v1")
	renderMeta(w, &ev.meta)
	w.ko("involvedObject")
	w.ks("kind", ev.obj.kind)
	w.ks("namespace", ev.obj.ns)
	w.ks("name", ev.obj.name)
	w.ks("uid", ev.obj.uid)
	w.ks("apiVersion", ev.obj.apiVersion)
	w.ks("resourceVersion", strconv.FormatInt(ev.obj.rv, 10))
	if ev.obj.fieldPath != "" {
		w.ks("fieldPath", ev.obj.fieldPath)
	}
	w.endObj()
	w.ks("reason", ev.reason)
	w.ks("message", ev.message)
	if ev.scheduler {
		w.kempty("source")
		w.knull("firstTimestamp")
		w.knull("lastTimestamp")
		w.ks("type", ev.typ)
		w.ks("eventTime", ev.evTime.UTC().Format("2006-01-02T15:04:05.000000Z07:00"))
		w.ks("action", "Binding")
		w.ks("reportingComponent", "default-scheduler")
		w.ks("reportingInstance", ev.reportInst)
	} else {
		w.ko("source")
		w.ks("component", ev.component)
		if ev.host != "" {
			w.ks("host", ev.host)
		}
		w.endObj()
		w.kt("firstTimestamp", ev.first)
		w.kt("lastTimestamp", ev.last)
		w.ki("count", int64(ev.count))
		w.ks("type", ev.typ)
		w.knull("eventTime")
		w.ks("reportingComponent", ev.component)
		w.ks("reportingInstance", ev.reportInst)
	}
	w.endObj()
}
