package bench

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// k8sEnv is one simulated Kubernetes cluster (EKS-like, v1.29, containerd).
type k8sEnv struct {
	g     *gen
	large bool
	rv    int64 // the cluster-wide resourceVersion (etcd revision)
	now   time.Time

	nodes  []*kNode
	nss    []*kNS
	deps   []*kDeploy
	rss    []*kRS
	pods   []*kPod
	svcs   []*kSvc
	cms    []*kCM
	events []*kEvent
	dss    []*kDS

	ca         string
	ips        map[string]bool
	eventNames map[string]bool
	created    time.Time // cluster creation

	stats simStats
}

type kOwner struct{ apiVersion, kind, name, uid string }

// kMF is one metadata.managedFields entry.
type kMF struct {
	manager, op, apiVersion string
	t                       time.Time
	fields                  []byte // fieldsV1, raw JSON
	sub                     string
}

type kMeta struct {
	name, generateName, ns, uid string
	rv                          int64
	generation                  int64
	created, deleted            time.Time
	labels, annots              []kv
	owner                       *kOwner
	mf                          []kMF

	// The object's JSON as last rendered, valid while rv is unchanged: every
	// change to an object goes through k8sEnv.write, which bumps rv.
	cache   []byte
	cacheRV int64
}

type kNodeImage struct {
	names []string
	size  int64
}

type kNode struct {
	meta                          kMeta
	ip, zone, itype, provider     string
	cpu, mem, allocCPU, allocMem  string
	bootID, machineID, systemUUID string
	heartbeat, readySince         time.Time
	images                        []kNodeImage
	subnet                        int
}

type kNS struct{ meta kMeta }

type kPort struct {
	name  string
	port  int
	proto string
}

type kMount struct {
	name, path string
	ro         bool
}

type kEnv struct {
	name, value       string
	secret, secretKey string
}

type kContainer struct {
	name, image, imageID string
	args                 []string
	ports                []kPort
	env                  []kEnv
	cpuReq, memReq       string
	memLim               string
	probe                string // readiness/liveness HTTP path, "" for none
	probePort            int
	mounts               []kMount
	size                 int64
}

// kTemplate is one revision of a pod template.
type kTemplate struct {
	labels     []kv // without pod-template-hash
	containers []kContainer
	cfgVolume  string // config map mounted at /etc/<app>, "" for none
	cfgName    string // the volume's name
	sa         string
	hash       string
	specFields []byte // managedFields subtree for the template's spec
}

type kDeploy struct {
	meta          kMeta
	tpl           *kTemplate
	replicas      int
	hpa           bool
	minR, maxR    int
	revision      int
	history       int // revisionHistoryLimit
	rss           []*kRS
	rolling       bool
	progTrans     time.Time
	progUpdate    time.Time
	progReason    string
	availTrans    time.Time
	availUpdate   time.Time
	available     bool
	ready, avail  int
	updated, tot  int
	flaky         float64
	applier       string
	applierFields []byte
}

type kRS struct {
	meta     kMeta
	dep      *kDeploy
	tpl      *kTemplate
	replicas int
	revision int
	ready    int
	avail    int
	tot      int
}

type kDS struct {
	name, ns, uid, revHash string
	tpl                    *kTemplate
	hostNetwork            bool
	priorityClass          string
}

type kCond struct {
	ok bool
	at time.Time
}

type kTerm struct {
	exitCode          int
	reason            string
	started, finished time.Time
	containerID       string
}

type kCStatus struct {
	containerID string
	started     time.Time
	ready       bool
	restarts    int
	last        *kTerm
	waiting     string // reason while not running: ContainerCreating, CrashLoopBackOff
	waitMsg     string
}

type kPod struct {
	meta      kMeta
	rs        *kRS
	ds        *kDS
	tpl       *kTemplate
	node      *kNode
	ip        string
	phase     string
	startTime time.Time
	runAt     time.Time // when the containers come up (pending pods)
	cReady    kCond     // PodReadyToStartContainers
	cInit     kCond
	cReadyP   kCond // Ready and ContainersReady
	cSched    kCond
	cs        []kCStatus
	saVol     string
	flaky     float64
	crashloop bool
	nextCrash time.Time
	gone      time.Time // deletion completes
	failing   int       // polls of failing readiness probes still to come
	failMsg   string
}

type kSvcPort struct {
	name   string
	port   int
	target int
}

type kSvc struct {
	meta      kMeta
	ports     []kSvcPort
	selector  []kv
	clusterIP string
	fields    []byte
}

type kCM struct {
	meta kMeta
	data []kv
}

type kRef struct {
	kind, ns, name, uid, apiVersion string
	rv                              int64
	fieldPath                       string
}

type kEvent struct {
	meta       kMeta
	obj        kRef
	reason     string
	message    string
	typ        string
	component  string
	host       string
	first      time.Time
	last       time.Time
	count      int
	scheduler  bool // events.k8s.io-style (eventTime, action, no count)
	evTime     time.Time
	reportInst string
}

const eventTTL = time.Hour

var nsTeams = []string{"shop", "payments", "platform", "search", "identity", "notifications", "analytics", "catalog", "checkout", "media",
	"recommendations", "ads", "messaging", "billing", "inventory", "shipping", "support", "reporting", "ml-serving", "data-ingest",
	"gateway", "cms", "crm", "pricing", "fraud", "loyalty", "partners"}

var appComponents = []string{"api", "web", "worker", "frontend", "consumer", "scheduler", "grpc-gateway", "admin", "graphql", "webhooks",
	"indexer", "mailer", "sync", "exporter", "cache-warmer", "reporter", "auth-proxy", "streamer"}

var zones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}

func newK8sEnv(g *gen, large bool, now time.Time) *k8sEnv {
	e := &k8sEnv{g: g, large: large, ips: map[string]bool{}, eventNames: map[string]bool{}}
	e.rv = int64(g.between(2_000_000, 3_000_000))
	if large {
		e.rv = int64(g.between(180_000_000, 220_000_000))
	}
	// The cluster is settled at t0; an hour of history (events, restarts,
	// rollouts) is then simulated so that poll 0 looks like any other poll.
	t0 := now.Add(-time.Hour)
	e.now = t0
	e.created = t0.Add(-time.Duration(g.between(120, 400)) * 24 * time.Hour)
	e.ca = e.makeCA()
	nNodes, nTeams, nDeps := 3, 3, 25
	if large {
		nNodes, nTeams, nDeps = 20, 27, 300
	}
	for i := 0; i < nNodes; i++ {
		e.addNode(i, t0.Add(-time.Duration(g.between(2, 40))*24*time.Hour))
	}
	slices.SortFunc(e.nodes, func(a, b *kNode) int { return strings.Compare(a.meta.name, b.meta.name) })
	sysNS := []string{"default", "kube-node-lease", "kube-public", "kube-system"}
	for _, n := range sysNS {
		e.addNS(n, e.created)
	}
	teams := nsTeams[:nTeams]
	for _, n := range teams {
		e.addNS(n, e.created.Add(time.Duration(g.between(1, 90))*24*time.Hour))
	}
	if large {
		for _, n := range []string{"argocd", "cert-manager", "ingress-nginx", "monitoring"} {
			e.addNS(n, e.created.Add(time.Duration(g.between(1, 10))*24*time.Hour))
		}
	}
	e.sortAll()
	// kube-system: the daemonsets on every node and the add-on deployments.
	e.addDaemonSets(t0)
	e.addSystemDeployments(t0)
	for i := 0; len(e.deps) < nDeps; i++ {
		ns := teams[i%len(teams)]
		comp := appComponents[(i/len(teams))%len(appComponents)]
		name := ns + "-" + comp
		if k := i / (len(teams) * len(appComponents)); k > 0 {
			name += "-" + strconv.Itoa(k+1)
		}
		e.addAppDeployment(ns, name, comp, t0)
	}
	// Every cluster has a few apps whose pods restart now and then.
	for i := 0; i < 2+e.scaleN(6); i++ {
		d := e.deps[3+g.intn(len(e.deps)-3)]
		d.flaky = 0.01 + 0.04*g.float()
		for _, p := range e.pods {
			if p.rs != nil && p.rs.dep == d {
				p.flaky = d.flaky
			}
		}
	}
	e.sortAll()
	e.refreshStatus(t0)
	// An hour of history, one minute at a time.
	for t := t0.Add(PollInterval); t.Before(now); t = t.Add(PollInterval) {
		e.step(t)
	}
	e.stats = simStats{}
	return e
}

func (e *k8sEnv) scaleN(n int) int {
	if e.large {
		return n
	}
	return 0
}

func (e *k8sEnv) makeCA() string {
	var raw [780]byte
	for i := range raw {
		raw[i] = byte(e.g.r.Uint32())
	}
	b64 := base64.StdEncoding.EncodeToString(raw[:])
	var sb strings.Builder
	sb.WriteString("-----BEGIN CERTIFICATE-----\n")
	for len(b64) > 64 {
		sb.WriteString(b64[:64])
		sb.WriteByte('\n')
		b64 = b64[64:]
	}
	sb.WriteString(b64)
	sb.WriteString("\n-----END CERTIFICATE-----\n")
	return sb.String()
}

// write gives an object a new resourceVersion, as every write to etcd does.
func (e *k8sEnv) write(m *kMeta) {
	e.rv += int64(1 + e.g.intn(3))
	m.rv = e.rv
}

func (e *k8sEnv) newMeta(name, ns string, at time.Time) kMeta {
	m := kMeta{name: name, ns: ns, uid: e.g.uuid(), created: at}
	e.write(&m)
	return m
}

// at returns a random instant in the minute before now.
func (e *k8sEnv) at() time.Time {
	return e.now.Add(-time.Duration(1000+e.g.intn(58_000)) * time.Millisecond)
}

func (e *k8sEnv) addNode(i int, created time.Time) {
	g := e.g
	zone := zones[i%len(zones)]
	subnet := 32*(i%len(zones)) + g.intn(32)
	ip := "10.0." + strconv.Itoa(subnet) + "." + strconv.Itoa(g.between(4, 250))
	name := "ip-" + strings.ReplaceAll(ip, ".", "-") + ".eu-west-1.compute.internal"
	itype, cpu, mem, allocCPU, allocMem := "m6i.xlarge", "4", "15896988Ki", "3920m", "14880156Ki"
	if e.large {
		itype, cpu, mem, allocCPU, allocMem = "m6i.4xlarge", "16", "64384696Ki", "15890m", "63367864Ki"
	}
	instance := "i-0" + g.hexN(16)
	n := &kNode{ip: ip, zone: zone, itype: itype, provider: "aws:///" + zone + "/" + instance, cpu: cpu, mem: mem,
		allocCPU: allocCPU, allocMem: allocMem, bootID: g.uuid(), machineID: g.hexN(32), systemUUID: "ec2" + g.hexN(5) + "-" + g.hexN(4) + "-" + g.hexN(4) + "-" + g.hexN(4) + "-" + g.hexN(12),
		readySince: created.Add(40 * time.Second), subnet: subnet}
	n.meta = e.newMeta(name, "", created)
	n.meta.labels = []kv{
		{"beta.kubernetes.io/arch", "amd64"}, {"beta.kubernetes.io/instance-type", itype}, {"beta.kubernetes.io/os", "linux"},
		{"eks.amazonaws.com/capacityType", "ON_DEMAND"}, {"eks.amazonaws.com/nodegroup", "general"},
		{"eks.amazonaws.com/nodegroup-image", "ami-0c2b3f5a9e71d4c86"}, {"eks.amazonaws.com/sourceLaunchTemplateId", "lt-0" + g.hexN(16)},
		{"eks.amazonaws.com/sourceLaunchTemplateVersion", "1"}, {"failure-domain.beta.kubernetes.io/region", "eu-west-1"},
		{"failure-domain.beta.kubernetes.io/zone", zone}, {"k8s.io/cloud-provider-aws", "b69ac5e1d8e3f0c7a2b4d6e8f0a1c3e5"},
		{"kubernetes.io/arch", "amd64"}, {"kubernetes.io/hostname", name}, {"kubernetes.io/os", "linux"},
		{"node.kubernetes.io/instance-type", itype}, {"topology.ebs.csi.aws.com/zone", zone},
		{"topology.kubernetes.io/region", "eu-west-1"}, {"topology.kubernetes.io/zone", zone},
	}
	n.meta.annots = []kv{
		{"alpha.kubernetes.io/provided-node-ip", ip}, {"csi.volume.kubernetes.io/nodeid", `{"ebs.csi.aws.com":"` + instance + `"}`},
		{"node.alpha.kubernetes.io/ttl", "0"}, {"volumes.kubernetes.io/controller-managed-attach-detach", "true"},
	}
	n.meta.mf = []kMF{
		{manager: "kubelet", op: "Update", apiVersion: "v1", t: created, fields: nodeKubeletFields(n)},
		{manager: "aws-cloud-controller-manager", op: "Update", apiVersion: "v1", t: created.Add(2 * time.Second), fields: rawJSON(`{"f:metadata":{"f:labels":{"f:k8s.io/cloud-provider-aws":{}}}}`)},
		{manager: "ebs-csi-node", op: "Update", apiVersion: "v1", t: created.Add(30 * time.Second), fields: rawJSON(`{"f:metadata":{"f:annotations":{"f:csi.volume.kubernetes.io/nodeid":{}},"f:labels":{"f:topology.ebs.csi.aws.com/zone":{}}}}`)},
		{manager: "kube-controller-manager", op: "Update", apiVersion: "v1", t: created.Add(35 * time.Second), fields: rawJSON(`{"f:metadata":{"f:annotations":{"f:node.alpha.kubernetes.io/ttl":{}}}}`)},
		{manager: "kubelet", op: "Update", apiVersion: "v1", t: created, fields: nodeStatusFields, sub: "status"},
	}
	n.images = []kNodeImage{
		{[]string{"602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni-init@sha256:" + g.hex64(), "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni-init:v1.16.0-eksbuild.1"}, 57_680_441},
		{[]string{"602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni@sha256:" + g.hex64(), "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.16.0-eksbuild.1"}, 47_203_127},
		{[]string{"602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy@sha256:" + g.hex64(), "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.29.0-minimal-eksbuild.1"}, 32_117_652},
		{[]string{"602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent@sha256:" + g.hex64(), "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent:v1.0.7-eksbuild.1"}, 30_489_312},
		{[]string{"602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/pause@sha256:" + g.hex64(), "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/pause:3.5"}, 298_689},
	}
	e.nodes = append(e.nodes, n)
}

func (e *k8sEnv) addNS(name string, at time.Time) {
	n := &kNS{meta: e.newMeta(name, "", at)}
	n.meta.labels = []kv{{"kubernetes.io/metadata.name", name}}
	mgr := "kubectl-create"
	if name == "default" || strings.HasPrefix(name, "kube-") {
		mgr = "kube-apiserver"
	}
	n.meta.mf = []kMF{{manager: mgr, op: "Update", apiVersion: "v1", t: at, fields: rawJSON(`{"f:metadata":{"f:labels":{".":{},"f:kubernetes.io/metadata.name":{}}}}`)}}
	e.nss = append(e.nss, n)
	// Every namespace gets the cluster CA bundle.
	cm := &kCM{meta: e.newMeta("kube-root-ca.crt", name, at.Add(time.Second))}
	cm.meta.annots = []kv{{"kubernetes.io/description", "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}}
	cm.meta.mf = []kMF{{manager: "kube-controller-manager", op: "Update", apiVersion: "v1", t: at.Add(time.Second), fields: rawJSON(`{"f:data":{".":{},"f:ca.crt":{}},"f:metadata":{"f:annotations":{".":{},"f:kubernetes.io/description":{}}}}`)}}
	cm.data = []kv{{"ca.crt", e.ca}}
	e.cms = append(e.cms, cm)
}

func (e *k8sEnv) ecr(repo, tag string) string {
	return "123456789012.dkr.ecr.eu-west-1.amazonaws.com/" + repo + ":" + tag
}

func (e *k8sEnv) addDaemonSets(t0 time.Time) {
	g := e.g
	proxy := &kDS{name: "kube-proxy", ns: "kube-system", uid: g.uuid(), revHash: g.k8sSuffix(10), hostNetwork: true, priorityClass: "system-node-critical"}
	proxy.tpl = &kTemplate{labels: []kv{{"k8s-app", "kube-proxy"}}, sa: "kube-proxy", containers: []kContainer{{
		name: "kube-proxy", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.29.0-minimal-eksbuild.1",
		imageID: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy@sha256:" + g.hex64(),
		args:    []string{"kube-proxy", "--v=2", "--config=/var/lib/kube-proxy-config/config", "--hostname-override=$(NODE_NAME)"},
		env:     []kEnv{{name: "NODE_NAME", value: ""}}, cpuReq: "100m",
		mounts: []kMount{{"varlog", "/var/log", false}, {"xtables-lock", "/run/xtables.lock", false}, {"lib-modules", "/lib/modules", true}, {"kubeconfig", "/var/lib/kube-proxy/", false}, {"config", "/var/lib/kube-proxy-config/", false}},
	}}}
	cni := &kDS{name: "aws-node", ns: "kube-system", uid: g.uuid(), revHash: g.k8sSuffix(10), hostNetwork: true, priorityClass: "system-node-critical"}
	cni.tpl = &kTemplate{labels: []kv{{"app.kubernetes.io/instance", "aws-vpc-cni"}, {"app.kubernetes.io/name", "aws-node"}, {"k8s-app", "aws-node"}}, sa: "aws-node", containers: []kContainer{
		{name: "aws-node", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.16.0-eksbuild.1",
			imageID: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni@sha256:" + g.hex64(),
			ports:   []kPort{{"metrics", 61678, "TCP"}},
			env: []kEnv{{name: "ADDITIONAL_ENI_TAGS", value: "{}"}, {name: "AWS_VPC_CNI_NODE_PORT_SUPPORT", value: "true"}, {name: "AWS_VPC_ENI_MTU", value: "9001"},
				{name: "AWS_VPC_K8S_CNI_EXTERNALSNAT", value: "false"}, {name: "AWS_VPC_K8S_CNI_LOGLEVEL", value: "DEBUG"}, {name: "ENABLE_POD_ENI", value: "false"},
				{name: "ENABLE_PREFIX_DELEGATION", value: "false"}, {name: "WARM_ENI_TARGET", value: "1"}, {name: "MY_NODE_NAME", value: ""}},
			cpuReq: "25m", probe: "", mounts: []kMount{{"cni-bin-dir", "/host/opt/cni/bin", false}, {"cni-net-dir", "/host/etc/cni/net.d", false}, {"log-dir", "/host/var/log/aws-routed-eni", false}, {"run-dir", "/var/run/aws-node", false}, {"xtables-lock", "/run/xtables.lock", false}}},
		{name: "aws-eks-nodeagent", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent:v1.0.7-eksbuild.1",
			imageID: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent@sha256:" + g.hex64(),
			args:    []string{"--enable-ipv6=false", "--enable-network-policy=false", "--enable-cloudwatch-logs=false", "--metrics-bind-addr=:8162", "--health-probe-bind-addr=:8163"},
			env:     []kEnv{{name: "MY_NODE_NAME", value: ""}}, cpuReq: "25m", mounts: []kMount{{"bpf-pin-path", "/sys/fs/bpf", false}, {"log-dir", "/var/log/aws-routed-eni", false}, {"run-dir", "/var/run/aws-node", false}}},
	}}
	for _, ds := range []*kDS{proxy, cni} {
		ds.tpl.specFields = specFieldsFor(ds.tpl)
		e.dss = append(e.dss, ds)
		for _, n := range e.nodes {
			p := e.newPod(ds.name+"-"+g.k8sSuffix(5), ds.name+"-", ds.ns, ds.tpl, n, n.meta.created.Add(20*time.Second))
			p.ds = ds
			p.ip = n.ip
			p.meta.owner = &kOwner{"apps/v1", "DaemonSet", ds.name, ds.uid}
			p.meta.labels = append(slices.Clone(ds.tpl.labels), kv{"controller-revision-hash", ds.revHash}, kv{"pod-template-generation", "1"})
			sortKV(p.meta.labels)
			e.finishPod(p, n.meta.created.Add(25*time.Second))
			e.pods = append(e.pods, p)
		}
	}
}

func (e *k8sEnv) addSystemDeployments(t0 time.Time) {
	g := e.g
	coredns := &kTemplate{labels: []kv{{"eks.amazonaws.com/component", "coredns"}, {"k8s-app", "kube-dns"}}, sa: "coredns", cfgVolume: "coredns", cfgName: "config-volume", containers: []kContainer{{
		name: "coredns", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.1-eksbuild.4", imageID: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns@sha256:" + g.hex64(),
		args: []string{"-conf", "/etc/coredns/Corefile"}, ports: []kPort{{"dns", 53, "UDP"}, {"dns-tcp", 53, "TCP"}, {"metrics", 9153, "TCP"}},
		cpuReq: "100m", memReq: "70Mi", memLim: "170Mi", probe: "/health", probePort: 8080, size: 18_116_210,
		mounts: []kMount{{"config-volume", "/etc/coredns", true}},
	}}}
	d := e.addDeployment("kube-system", "coredns", coredns, 2, "eks", t0.Add(-time.Duration(g.between(30, 100))*24*time.Hour))
	e.addConfigMap("kube-system", "coredns", []kv{{"Corefile", ".:53 {\n    errors\n    health {\n        lameduck 5s\n      }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n"}}, d.meta.created)
	e.addService("kube-system", "kube-dns", coredns.labels[1:], []kSvcPort{{"dns", 53, 53}, {"dns-tcp", 53, 53}, {"metrics", 9153, 9153}}, d.meta.created)
	ms := &kTemplate{labels: []kv{{"app.kubernetes.io/instance", "metrics-server"}, {"app.kubernetes.io/name", "metrics-server"}}, sa: "metrics-server", containers: []kContainer{{
		name: "metrics-server", image: "registry.k8s.io/metrics-server/metrics-server:v0.6.4", imageID: "registry.k8s.io/metrics-server/metrics-server@sha256:" + g.hex64(),
		args:  []string{"--secure-port=10250", "--cert-dir=/tmp", "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname", "--kubelet-use-node-status-port", "--metric-resolution=15s"},
		ports: []kPort{{"https", 10250, "TCP"}}, cpuReq: "100m", memReq: "200Mi", probe: "/readyz", probePort: 10250, size: 28_152_114,
		mounts: []kMount{{"tmp", "/tmp", false}},
	}}}
	e.addDeployment("kube-system", "metrics-server", ms, 1, "helm", t0.Add(-time.Duration(g.between(30, 100))*24*time.Hour))
	if e.large {
		lbc := &kTemplate{labels: []kv{{"app.kubernetes.io/instance", "aws-load-balancer-controller"}, {"app.kubernetes.io/name", "aws-load-balancer-controller"}}, sa: "aws-load-balancer-controller", containers: []kContainer{{
			name: "aws-load-balancer-controller", image: "public.ecr.aws/eks/aws-load-balancer-controller:v2.6.2", imageID: "public.ecr.aws/eks/aws-load-balancer-controller@sha256:" + g.hex64(),
			args: []string{"--cluster-name=prod-eu-west-1", "--ingress-class=alb"}, ports: []kPort{{"webhook-server", 9443, "TCP"}, {"metrics-server", 8080, "TCP"}},
			cpuReq: "100m", memReq: "128Mi", memLim: "512Mi", probe: "/healthz", probePort: 61779, size: 55_223_876,
		}}}
		e.addDeployment("kube-system", "aws-load-balancer-controller", lbc, 2, "helm", t0.Add(-time.Duration(g.between(30, 100))*24*time.Hour))
		ca := &kTemplate{labels: []kv{{"app.kubernetes.io/instance", "cluster-autoscaler"}, {"app.kubernetes.io/name", "aws-cluster-autoscaler"}}, sa: "cluster-autoscaler", containers: []kContainer{{
			name: "aws-cluster-autoscaler", image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.0", imageID: "registry.k8s.io/autoscaling/cluster-autoscaler@sha256:" + g.hex64(),
			args:  []string{"./cluster-autoscaler", "--cloud-provider=aws", "--namespace=kube-system", "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod-eu-west-1", "--logtostderr=true", "--stderrthreshold=info", "--v=4"},
			ports: []kPort{{"", 8085, "TCP"}}, cpuReq: "100m", memReq: "300Mi", memLim: "600Mi", probe: "/health-check", probePort: 8085, size: 45_982_337,
		}}}
		e.addDeployment("kube-system", "cluster-autoscaler", ca, 1, "helm", t0.Add(-time.Duration(g.between(30, 100))*24*time.Hour))
	}
}

// addAppDeployment adds a team's microservice: deployment, replica sets,
// pods, usually a service and sometimes a config map.
func (e *k8sEnv) addAppDeployment(ns, name, comp string, t0 time.Time) {
	g := e.g
	ver := strconv.Itoa(g.between(1, 4)) + "." + strconv.Itoa(g.between(0, 30)) + "." + strconv.Itoa(g.between(0, 12))
	labels := []kv{{"app.kubernetes.io/instance", name}, {"app.kubernetes.io/name", comp}, {"app.kubernetes.io/part-of", ns}}
	port := pick(g, []int{8080, 8080, 8000, 3000, 9000})
	c := kContainer{name: comp, image: e.ecr(ns+"/"+comp, ver), ports: []kPort{{"http", port, "TCP"}},
		env:    []kEnv{{name: "LOG_LEVEL", value: pick(g, []string{"info", "info", "warn", "debug"})}, {name: "PORT", value: strconv.Itoa(port)}},
		cpuReq: pick(g, []string{"50m", "100m", "250m", "500m"}), memReq: pick(g, []string{"128Mi", "256Mi", "512Mi"}), memLim: pick(g, []string{"512Mi", "1Gi", "2Gi"}),
		size: int64(g.between(40, 700)) * 1_000_000}
	c.imageID = strings.SplitN(c.image, ":", 2)[0] + "@sha256:" + g.hex64()
	if g.chance(0.3) {
		c.env = append(c.env, kEnv{name: "DATABASE_PASSWORD", secret: name + "-db", secretKey: "password"})
	}
	if g.chance(0.2) {
		c.env = append(c.env, kEnv{name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector.monitoring.svc.cluster.local:4317"})
	}
	if comp != "worker" && comp != "consumer" && g.chance(0.6) {
		c.probe = pick(g, []string{"/healthz", "/health", "/ready", "/actuator/health"})
		c.probePort = port
	}
	if g.chance(0.15) {
		c.ports = append(c.ports, kPort{"metrics", 9090, "TCP"})
	}
	tpl := &kTemplate{labels: labels, sa: "default", containers: []kContainer{c}}
	if g.chance(0.35) {
		tpl.cfgVolume = name + "-config"
		tpl.cfgName = "config"
		tpl.containers[0].mounts = []kMount{{"config", "/etc/" + comp, true}}
	}
	replicas := 1
	switch r := g.float(); {
	case r < 0.25:
		replicas = 2
	case r < 0.32:
		replicas = 3
	case r < 0.35:
		replicas = g.between(4, 5)
	}
	applier := pick(g, []string{"argocd-controller", "argocd-controller", "helm", "kubectl-client-side-apply"})
	created := t0.Add(-time.Duration(g.between(3, 200)) * 24 * time.Hour)
	d := e.addDeployment(ns, name, tpl, replicas, applier, created)
	if g.chance(0.3) {
		d.hpa = true
		d.minR, d.maxR = replicas, replicas+g.between(2, 6)
	}
	if tpl.cfgVolume != "" {
		e.addConfigMap(ns, tpl.cfgVolume, []kv{{"config.yaml", "server:\n  port: " + strconv.Itoa(port) + "\n  shutdownTimeout: 25s\nlogging:\n  level: info\n  format: json\nfeatures:\n  newCheckout: " + pick(g, []string{"true", "false"}) + "\n  cacheTTL: 300s\n"}}, created)
	}
	if comp != "worker" && comp != "consumer" {
		ports := []kSvcPort{{"http", 80, port}}
		e.addService(ns, name, labels, ports, created)
	}
}

func (e *k8sEnv) addConfigMap(ns, name string, data []kv, at time.Time) *kCM {
	cm := &kCM{meta: e.newMeta(name, ns, at), data: data}
	var w jw
	w.obj()
	w.ko("f:data")
	w.kempty(".")
	for _, d := range data {
		w.kempty("f:" + d.k)
	}
	w.endObj()
	w.endObj()
	cm.meta.mf = []kMF{{manager: "argocd-controller", op: "Apply", apiVersion: "v1", t: at, fields: w.b}}
	e.cms = append(e.cms, cm)
	return cm
}

func (e *k8sEnv) addService(ns, name string, selector []kv, ports []kSvcPort, at time.Time) {
	g := e.g
	s := &kSvc{meta: e.newMeta(name, ns, at), ports: ports, selector: selector,
		clusterIP: "172.20." + strconv.Itoa(g.between(0, 255)) + "." + strconv.Itoa(g.between(1, 254))}
	if ns == "kube-system" && name == "kube-dns" {
		s.clusterIP = "172.20.0.10"
		s.meta.labels = []kv{{"eks.amazonaws.com/component", "kube-dns"}, {"k8s-app", "kube-dns"}, {"kubernetes.io/cluster-service", "true"}, {"kubernetes.io/name", "CoreDNS"}}
		s.meta.annots = []kv{{"prometheus.io/port", "9153"}, {"prometheus.io/scrape", "true"}}
	} else {
		s.meta.labels = slices.Clone(selector)
	}
	s.fields = serviceFields(s)
	s.meta.mf = []kMF{{manager: "argocd-controller", op: "Apply", apiVersion: "v1", t: at, fields: s.fields}}
	e.svcs = append(e.svcs, s)
}

func (e *k8sEnv) addDeployment(ns, name string, tpl *kTemplate, replicas int, applier string, created time.Time) *kDeploy {
	g := e.g
	d := &kDeploy{meta: e.newMeta(name, ns, created), tpl: tpl, replicas: replicas, history: 10, applier: applier}
	d.meta.labels = slices.Clone(tpl.labels)
	d.meta.generation = int64(g.between(1, 12))
	if g.chance(0.5) {
		d.history = 3
	}
	tpl.hash = podTemplateHash(name + "/" + tpl.containers[0].image + "/" + strconv.FormatInt(d.meta.generation, 10))
	tpl.specFields = specFieldsFor(tpl)
	d.applierFields = deploymentApplierFields(d)
	// Earlier revisions still around as replica sets scaled to zero.
	d.revision = 1 + g.intn(int(d.meta.generation))
	old := 0
	if d.revision > 1 {
		old = min(d.revision-1, d.history, g.intn(2))
	}
	deployedAt := e.now.Add(-time.Duration(g.between(2, 30*24)) * time.Hour)
	if deployedAt.Before(created) {
		deployedAt = created.Add(time.Minute)
	}
	for i := old; i >= 1; i-- {
		otpl := cloneTemplate(tpl)
		otpl.containers[0].image = tpl.containers[0].image + "-r" + strconv.Itoa(i)
		otpl.containers[0].imageID = strings.SplitN(otpl.containers[0].image, ":", 2)[0] + "@sha256:" + g.hex64()
		otpl.hash = podTemplateHash(name + "/" + otpl.containers[0].image)
		otpl.specFields = specFieldsFor(otpl)
		rs := e.newRS(d, otpl, d.revision-i, deployedAt.Add(-time.Duration(i*g.between(24, 400))*time.Hour))
		rs.replicas = 0
	}
	rs := e.newRS(d, tpl, d.revision, deployedAt)
	rs.replicas = replicas
	d.progTrans = created.Add(time.Second)
	d.progUpdate = deployedAt.Add(time.Duration(g.between(5, 60)) * time.Second)
	d.progReason = "NewReplicaSetAvailable"
	d.availTrans = deployedAt.Add(-time.Duration(g.between(0, 48)) * time.Hour)
	if d.availTrans.Before(created) {
		d.availTrans = d.progUpdate
	}
	d.availUpdate = d.availTrans
	d.available = true
	mfT := deployedAt
	d.meta.annots = []kv{{"deployment.kubernetes.io/revision", strconv.Itoa(d.revision)}}
	d.meta.mf = []kMF{
		{manager: applier, op: applierOp(applier), apiVersion: "apps/v1", t: mfT, fields: d.applierFields},
		{manager: "kube-controller-manager", op: "Update", apiVersion: "apps/v1", t: mfT, fields: deploymentKCMFields},
		{manager: "kube-controller-manager", op: "Update", apiVersion: "apps/v1", t: d.progUpdate, fields: deploymentStatusFields, sub: "status"},
	}
	for i := 0; i < replicas; i++ {
		e.newRSPod(rs, deployedAt.Add(time.Duration(g.between(1, 30))*time.Second), true)
	}
	e.deps = append(e.deps, d)
	return d
}

func applierOp(m string) string {
	if m == "argocd-controller" {
		return "Apply"
	}
	return "Update"
}

func cloneTemplate(t *kTemplate) *kTemplate {
	c := *t
	c.containers = slices.Clone(t.containers)
	return &c
}

func (e *k8sEnv) newRS(d *kDeploy, tpl *kTemplate, revision int, at time.Time) *kRS {
	rs := &kRS{meta: e.newMeta(d.meta.name+"-"+tpl.hash, d.meta.ns, at), dep: d, tpl: tpl, revision: revision}
	rs.meta.generation = 1
	rs.meta.labels = append(slices.Clone(tpl.labels), kv{"pod-template-hash", tpl.hash})
	sortKV(rs.meta.labels)
	rs.meta.owner = &kOwner{"apps/v1", "Deployment", d.meta.name, d.meta.uid}
	rs.meta.mf = []kMF{
		{manager: "kube-controller-manager", op: "Update", apiVersion: "apps/v1", t: at, fields: rsFields(rs)},
		{manager: "kube-controller-manager", op: "Update", apiVersion: "apps/v1", t: at, fields: rsStatusFields, sub: "status"},
	}
	e.setRSAnnots(rs)
	d.rss = append(d.rss, rs)
	e.rss = append(e.rss, rs)
	return rs
}

func (e *k8sEnv) setRSAnnots(rs *kRS) {
	d := rs.dep
	surge := (d.replicas + 3) / 4
	rs.meta.annots = []kv{{"deployment.kubernetes.io/desired-replicas", strconv.Itoa(d.replicas)}, {"deployment.kubernetes.io/max-replicas", strconv.Itoa(d.replicas + surge)}, {"deployment.kubernetes.io/revision", strconv.Itoa(rs.revision)}}
}

func (e *k8sEnv) podIP(n *kNode) string {
	for i := 0; ; i++ {
		ip := "10.0." + strconv.Itoa(n.subnet) + "." + strconv.Itoa(e.g.between(5, 254))
		if !e.ips[ip] || i > 1000 {
			e.ips[ip] = true
			return ip
		}
	}
}

func (e *k8sEnv) newPod(name, genName, ns string, tpl *kTemplate, n *kNode, at time.Time) *kPod {
	p := &kPod{meta: e.newMeta(name, ns, at), tpl: tpl, node: n, saVol: "kube-api-access-" + e.g.k8sSuffix(5)}
	p.meta.generateName = genName
	return p
}

// newRSPod creates a pod of rs scheduled at `at`; running pods are up a few
// seconds later, others stay Pending until the next step.
func (e *k8sEnv) newRSPod(rs *kRS, at time.Time, running bool) *kPod {
	g := e.g
	n := e.nodes[g.intn(len(e.nodes))]
	p := e.newPod(rs.meta.name+"-"+g.k8sSuffix(5), rs.meta.name+"-", rs.meta.ns, rs.tpl, n, at)
	p.rs = rs
	p.flaky = rs.dep.flaky
	p.meta.labels = slices.Clone(rs.meta.labels)
	p.meta.owner = &kOwner{"apps/v1", "ReplicaSet", rs.meta.name, rs.meta.uid}
	p.ip = e.podIP(n)
	e.pods = append(e.pods, p)
	if running {
		e.finishPod(p, at.Add(time.Duration(2+g.intn(8))*time.Second))
	} else {
		p.phase = "Pending"
		p.cSched = kCond{true, at}
		p.cInit = kCond{true, at.Add(time.Second)}
		p.cReady = kCond{false, at}
		p.cReadyP = kCond{false, at}
		p.startTime = at
		p.runAt = at.Add(time.Duration(3+g.intn(40)) * time.Second)
		p.cs = make([]kCStatus, len(p.tpl.containers))
		for i := range p.cs {
			p.cs[i].waiting = "ContainerCreating"
		}
		p.meta.mf = e.podMF(p, at)
	}
	return p
}

// finishPod brings a pod up: containers running and ready at `at`.
func (e *k8sEnv) finishPod(p *kPod, at time.Time) {
	g := e.g
	if p.startTime.IsZero() {
		p.startTime = p.meta.created
	}
	p.phase = "Running"
	p.cSched = kCond{true, p.meta.created}
	p.cInit = kCond{true, p.meta.created.Add(time.Second)}
	p.cReady = kCond{true, at}
	p.cReadyP = kCond{true, at.Add(time.Duration(g.intn(12)) * time.Second)}
	if p.cs == nil {
		p.cs = make([]kCStatus, len(p.tpl.containers))
	}
	for i := range p.cs {
		p.cs[i] = kCStatus{containerID: "containerd://" + g.hex64(), started: at, ready: true, restarts: p.cs[i].restarts, last: p.cs[i].last}
	}
	p.meta.mf = e.podMF(p, p.cReadyP.at)
	if !p.node.hasImage(p.tpl) {
		p.node.addImages(p.tpl)
	}
}

func (n *kNode) hasImage(t *kTemplate) bool {
	for _, im := range n.images {
		for _, nm := range im.names {
			if nm == t.containers[0].image {
				return true
			}
		}
	}
	return false
}

func (n *kNode) addImages(t *kTemplate) {
	for _, c := range t.containers {
		n.images = append(n.images, kNodeImage{names: []string{c.imageID, c.image}, size: c.size + 1})
	}
	slices.SortStableFunc(n.images, func(a, b kNodeImage) int {
		switch {
		case a.size > b.size:
			return -1
		case a.size < b.size:
			return 1
		}
		return 0
	})
	// The kubelet reports at most 50 images (nodeStatusMaxImages).
	if len(n.images) > 50 {
		n.images = n.images[:50]
	}
}

func (e *k8sEnv) podMF(p *kPod, statusAt time.Time) []kMF {
	// The replica set and daemon set controllers both run in kube-controller-manager.
	return []kMF{
		{manager: "kube-controller-manager", op: "Update", apiVersion: "v1", t: p.meta.created, fields: podSpecFields(p)},
		{manager: "kubelet", op: "Update", apiVersion: "v1", t: statusAt, fields: podStatusFields(p), sub: "status"},
	}
}

func sortKV(v []kv) {
	slices.SortStableFunc(v, func(a, b kv) int { return strings.Compare(a.k, b.k) })
}

// sortAll puts every list in the order the API server returns it: by
// namespace, then name (the etcd key order).
func (e *k8sEnv) sortAll() {
	byMeta := func(a, b *kMeta) int {
		if c := strings.Compare(a.ns, b.ns); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	}
	slices.SortFunc(e.nss, func(a, b *kNS) int { return byMeta(&a.meta, &b.meta) })
	slices.SortFunc(e.deps, func(a, b *kDeploy) int { return byMeta(&a.meta, &b.meta) })
	slices.SortFunc(e.rss, func(a, b *kRS) int { return byMeta(&a.meta, &b.meta) })
	slices.SortFunc(e.pods, func(a, b *kPod) int { return byMeta(&a.meta, &b.meta) })
	slices.SortFunc(e.svcs, func(a, b *kSvc) int { return byMeta(&a.meta, &b.meta) })
	slices.SortFunc(e.cms, func(a, b *kCM) int { return byMeta(&a.meta, &b.meta) })
	slices.SortFunc(e.events, func(a, b *kEvent) int { return byMeta(&a.meta, &b.meta) })
}

func (e *k8sEnv) counters() *simStats { return &e.stats }
