package bench

import (
	"encoding/json"
	"strconv"
)

// fset is a managedFields field set (the fieldsV1 format): a tree keyed by
// "f:<field>", "k:<list key as JSON>", "v:<value>" and "." for the node itself.
type fset map[string]fset

func (f fset) add(path ...string) fset {
	cur := f
	for _, p := range path {
		next, ok := cur[p]
		if !ok {
			next = fset{}
			cur[p] = next
		}
		cur = next
	}
	return cur
}

// mapOf adds "f:<name>" with a "." marker and one "f:<key>" per key.
func (f fset) mapOf(name string, keys []kv) {
	m := f.add("f:" + name)
	m.add(".")
	for _, k := range keys {
		m.add("f:" + k.k)
	}
}

func (f fset) marshal() []byte {
	// A map of maps keyed by strings cannot fail to marshal.
	b, _ := json.Marshal(f)
	return b
}

func rawJSON(s string) []byte { return []byte(s) }

func listKey(kvs ...string) string {
	// k:{"containerPort":8080,"protocol":"TCP"} — values given pre-encoded.
	s := "k:{"
	for i := 0; i+1 < len(kvs); i += 2 {
		if i > 0 {
			s += ","
		}
		s += strconv.Quote(kvs[i]) + ":" + kvs[i+1]
	}
	return s + "}"
}

func probeFields(c fset, name string) {
	p := c.add("f:" + name)
	p.add(".")
	p.add("f:failureThreshold")
	h := p.add("f:httpGet")
	h.add(".")
	h.add("f:path")
	h.add("f:port")
	h.add("f:scheme")
	p.add("f:initialDelaySeconds")
	p.add("f:periodSeconds")
	p.add("f:successThreshold")
	p.add("f:timeoutSeconds")
}

// templateSpec fills the field set of a pod template's spec.
func templateSpec(spec fset, t *kTemplate) {
	cs := spec.add("f:containers")
	for _, c := range t.containers {
		cf := cs.add(listKey("name", strconv.Quote(c.name)))
		cf.add(".")
		if len(c.args) > 0 {
			cf.add("f:args")
		}
		if len(c.env) > 0 {
			env := cf.add("f:env")
			env.add(".")
			for _, v := range c.env {
				ef := env.add(listKey("name", strconv.Quote(v.name)))
				ef.add(".")
				ef.add("f:name")
				switch {
				case v.secret != "":
					vf := ef.add("f:valueFrom")
					vf.add(".")
					sk := vf.add("f:secretKeyRef")
					sk.add(".")
					sk.add("f:key")
					sk.add("f:name")
				case v.value == "":
					vf := ef.add("f:valueFrom")
					vf.add(".")
					fr := vf.add("f:fieldRef")
					fr.add(".")
					fr.add("f:apiVersion")
					fr.add("f:fieldPath")
				default:
					ef.add("f:value")
				}
			}
		}
		cf.add("f:image")
		cf.add("f:imagePullPolicy")
		if c.probe != "" {
			probeFields(cf, "livenessProbe")
			probeFields(cf, "readinessProbe")
		}
		cf.add("f:name")
		if len(c.ports) > 0 {
			ps := cf.add("f:ports")
			ps.add(".")
			for _, p := range c.ports {
				pf := ps.add(listKey("containerPort", strconv.Itoa(p.port), "protocol", strconv.Quote(p.proto)))
				pf.add(".")
				pf.add("f:containerPort")
				if p.name != "" {
					pf.add("f:name")
				}
				pf.add("f:protocol")
			}
		}
		r := cf.add("f:resources")
		if c.cpuReq != "" || c.memReq != "" || c.memLim != "" {
			r.add(".")
		}
		if c.memLim != "" {
			l := r.add("f:limits")
			l.add(".")
			l.add("f:memory")
		}
		if c.cpuReq != "" || c.memReq != "" {
			q := r.add("f:requests")
			q.add(".")
			if c.cpuReq != "" {
				q.add("f:cpu")
			}
			if c.memReq != "" {
				q.add("f:memory")
			}
		}
		cf.add("f:terminationMessagePath")
		cf.add("f:terminationMessagePolicy")
		if len(c.mounts) > 0 {
			vm := cf.add("f:volumeMounts")
			vm.add(".")
			for _, m := range c.mounts {
				mf := vm.add(listKey("mountPath", strconv.Quote(m.path)))
				mf.add(".")
				mf.add("f:mountPath")
				mf.add("f:name")
				if m.ro {
					mf.add("f:readOnly")
				}
			}
		}
	}
	spec.add("f:dnsPolicy")
	spec.add("f:restartPolicy")
	spec.add("f:schedulerName")
	spec.add("f:securityContext")
	spec.add("f:serviceAccount")
	spec.add("f:serviceAccountName")
	spec.add("f:terminationGracePeriodSeconds")
	if t.cfgVolume != "" {
		v := spec.add("f:volumes")
		v.add(".")
		vf := v.add(listKey("name", strconv.Quote(t.cfgName)))
		vf.add(".")
		cm := vf.add("f:configMap")
		cm.add(".")
		cm.add("f:defaultMode")
		cm.add("f:name")
		vf.add("f:name")
	}
}

func specFieldsFor(t *kTemplate) []byte {
	f := fset{}
	templateSpec(f, t)
	return f.marshal()
}

func ownerFields(m fset, uid string) {
	o := m.add("f:ownerReferences")
	o.add(".")
	o.add(listKey("uid", strconv.Quote(uid)))
}

func podSpecFields(p *kPod) []byte {
	f := fset{}
	md := f.add("f:metadata")
	md.add("f:generateName")
	md.mapOf("labels", p.meta.labels)
	if p.meta.owner != nil {
		ownerFields(md, p.meta.owner.uid)
	}
	spec := fset{}
	templateSpec(spec, p.tpl)
	spec.add("f:enableServiceLinks")
	if p.ds != nil {
		spec.add("f:affinity").add(".")
		spec.add("f:hostNetwork")
		spec.add("f:priorityClassName")
		spec.add("f:tolerations")
	}
	f["f:spec"] = spec
	return f.marshal()
}

func podStatusFields(p *kPod) []byte {
	f := fset{}
	st := f.add("f:status")
	conds := st.add("f:conditions")
	for _, t := range []string{"ContainersReady", "Initialized", "PodReadyToStartContainers", "Ready"} {
		c := conds.add(listKey("type", strconv.Quote(t)))
		c.add(".")
		c.add("f:lastProbeTime")
		c.add("f:lastTransitionTime")
		c.add("f:status")
		c.add("f:type")
	}
	st.add("f:containerStatuses")
	st.add("f:hostIP")
	st.add("f:hostIPs")
	st.add("f:phase")
	if p.phase == "Running" {
		st.add("f:podIP")
		ips := st.add("f:podIPs")
		ips.add(".")
		ipf := ips.add(listKey("ip", strconv.Quote(p.ip)))
		ipf.add(".")
		ipf.add("f:ip")
	}
	st.add("f:startTime")
	return f.marshal()
}

func nodeKubeletFields(n *kNode) []byte {
	f := fset{}
	md := f.add("f:metadata")
	a := md.add("f:annotations")
	a.add(".")
	a.add("f:alpha.kubernetes.io/provided-node-ip")
	a.add("f:volumes.kubernetes.io/controller-managed-attach-detach")
	l := md.add("f:labels")
	l.add(".")
	for _, k := range n.meta.labels {
		if k.k == "k8s.io/cloud-provider-aws" || k.k == "topology.ebs.csi.aws.com/zone" {
			continue
		}
		l.add("f:" + k.k)
	}
	f.add("f:spec").add("f:providerID")
	return f.marshal()
}

var nodeStatusFields = func() []byte {
	f := fset{}
	st := f.add("f:status")
	for _, r := range []string{"f:allocatable", "f:capacity"} {
		x := st.add(r)
		x.add("f:cpu")
		x.add("f:ephemeral-storage")
		x.add("f:memory")
		x.add("f:pods")
	}
	c := st.add("f:conditions")
	for _, t := range []string{"DiskPressure", "MemoryPressure", "PIDPressure", "Ready"} {
		x := c.add(listKey("type", strconv.Quote(t)))
		x.add("f:lastHeartbeatTime")
	}
	st.add("f:images")
	return f.marshal()
}()

func deploymentApplierFields(d *kDeploy) []byte {
	f := fset{}
	f.add("f:metadata").mapOf("labels", d.meta.labels)
	spec := f.add("f:spec")
	spec.add("f:progressDeadlineSeconds")
	spec.add("f:replicas")
	spec.add("f:revisionHistoryLimit")
	spec.add("f:selector")
	st := spec.add("f:strategy")
	ru := st.add("f:rollingUpdate")
	ru.add(".")
	ru.add("f:maxSurge")
	ru.add("f:maxUnavailable")
	st.add("f:type")
	tm := spec.add("f:template")
	tm.add("f:metadata").mapOf("labels", d.tpl.labels)
	templateSpec(tm.add("f:spec"), d.tpl)
	return f.marshal()
}

var deploymentKCMFields = rawJSON(`{"f:metadata":{"f:annotations":{".":{},"f:deployment.kubernetes.io/revision":{}}}}`)

var deploymentStatusFields = func() []byte {
	f := fset{}
	st := f.add("f:status")
	st.add("f:availableReplicas")
	c := st.add("f:conditions")
	c.add(".")
	for _, t := range []string{"Available", "Progressing"} {
		x := c.add(listKey("type", strconv.Quote(t)))
		for _, k := range []string{".", "f:lastTransitionTime", "f:lastUpdateTime", "f:message", "f:reason", "f:status", "f:type"} {
			x.add(k)
		}
	}
	st.add("f:observedGeneration")
	st.add("f:readyReplicas")
	st.add("f:replicas")
	st.add("f:updatedReplicas")
	return f.marshal()
}()

func rsFields(rs *kRS) []byte {
	f := fset{}
	md := f.add("f:metadata")
	a := md.add("f:annotations")
	a.add(".")
	a.add("f:deployment.kubernetes.io/desired-replicas")
	a.add("f:deployment.kubernetes.io/max-replicas")
	a.add("f:deployment.kubernetes.io/revision")
	md.mapOf("labels", rs.meta.labels)
	ownerFields(md, rs.dep.meta.uid)
	spec := f.add("f:spec")
	spec.add("f:replicas")
	spec.add("f:selector")
	tm := spec.add("f:template")
	tm.add("f:metadata").mapOf("labels", rs.meta.labels)
	templateSpec(tm.add("f:spec"), rs.tpl)
	return f.marshal()
}

var rsStatusFields = rawJSON(`{"f:status":{"f:availableReplicas":{},"f:fullyLabeledReplicas":{},"f:observedGeneration":{},"f:readyReplicas":{},"f:replicas":{}}}`)

func serviceFields(s *kSvc) []byte {
	f := fset{}
	f.add("f:metadata").mapOf("labels", s.meta.labels)
	spec := f.add("f:spec")
	spec.add("f:internalTrafficPolicy")
	ps := spec.add("f:ports")
	ps.add(".")
	for _, p := range s.ports {
		pf := ps.add(listKey("port", strconv.Itoa(p.port), "protocol", strconv.Quote("TCP")))
		for _, k := range []string{".", "f:name", "f:port", "f:protocol", "f:targetPort"} {
			pf.add(k)
		}
	}
	spec.add("f:selector")
	spec.add("f:sessionAffinity")
	spec.add("f:type")
	return f.marshal()
}

var eventKubeletFields = rawJSON(`{"f:count":{},"f:firstTimestamp":{},"f:involvedObject":{},"f:lastTimestamp":{},"f:message":{},"f:reason":{},"f:reportingComponent":{},"f:reportingInstance":{},"f:source":{"f:component":{},"f:host":{}},"f:type":{}}`)
var eventControllerFields = rawJSON(`{"f:count":{},"f:firstTimestamp":{},"f:involvedObject":{},"f:lastTimestamp":{},"f:message":{},"f:reason":{},"f:reportingComponent":{},"f:source":{"f:component":{}},"f:type":{}}`)
var eventSchedulerFields = rawJSON(`{"f:action":{},"f:eventTime":{},"f:note":{},"f:reason":{},"f:regarding":{},"f:reportingController":{},"f:reportingInstance":{},"f:type":{}}`)
