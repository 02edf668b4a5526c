package bench

import (
	units "github.com/docker/go-units"
	"strconv"
	"time"
)

// render writes the agent's Docker snapshot document for the poll at now.
func (e *dockerEnv) render(w *jw, now time.Time) {
	w.obj()
	w.ks("kind", "docker")
	w.key("time")
	w.str(now.UTC().Format(time.RFC3339))
	w.key("info")
	e.renderInfo(w, now)
	w.key("version")
	e.renderVersion(w)
	w.ka("containers")
	for _, c := range e.ctrs {
		e.renderContainer(w, c, now)
	}
	w.endArr()
	w.ka("images")
	for _, im := range e.images {
		renderImage(w, im)
	}
	w.endArr()
	w.ko("volumes")
	w.ka("Volumes")
	for _, v := range e.vols {
		renderVolume(w, v)
	}
	w.endArr()
	w.knull("Warnings")
	w.endObj()
	w.ka("networks")
	for _, n := range e.nets {
		renderNetwork(w, n)
	}
	w.endArr()
	w.endObj()
}

func (e *dockerEnv) renderInfo(w *jw, now time.Time) {
	var running, paused, stopped int
	for _, c := range e.ctrs {
		switch c.state {
		case "running", "restarting":
			running++
		case "paused":
			paused++
		default:
			stopped++
		}
	}
	h := &e.host
	w.obj()
	w.ks("ID", h.id)
	w.ki("Containers", int64(len(e.ctrs)))
	w.ki("ContainersRunning", int64(running))
	w.ki("ContainersPaused", int64(paused))
	w.ki("ContainersStopped", int64(stopped))
	w.ki("Images", int64(len(e.images)))
	w.ks("Driver", "overlay2")
	w.ka("DriverStatus")
	for _, p := range [][2]string{{"Backing Filesystem", "extfs"}, {"Supports d_type", "true"}, {"Using metacopy", "false"}, {"Native Overlay Diff", "true"}, {"userxattr", "false"}} {
		w.arr()
		w.str(p[0])
		w.str(p[1])
		w.endArr()
	}
	w.endArr()
	w.ko("Plugins")
	w.kstrs("Volume", []string{"local"})
	w.kstrs("Network", []string{"bridge", "host", "ipvlan", "macvlan", "null", "overlay"})
	w.knull("Authorization")
	w.kstrs("Log", []string{"awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "logentries", "splunk", "syslog"})
	w.endObj()
	w.kb("MemoryLimit", true)
	w.kb("SwapLimit", true)
	w.kb("CpuCfsPeriod", true)
	w.kb("CpuCfsQuota", true)
	w.kb("CPUShares", true)
	w.kb("CPUSet", true)
	w.kb("PidsLimit", true)
	w.kb("IPv4Forwarding", true)
	w.kb("BridgeNfIptables", true)
	w.kb("BridgeNfIp6tables", true)
	w.kb("Debug", false)
	w.ki("NFd", int64(e.fdN))
	w.kb("OomKillDisable", false)
	w.ki("NGoroutines", int64(e.goroutN))
	// The daemon answers a few milliseconds after the agent's poll instant.
	w.ks("SystemTime", now.Add(e.lag).UTC().Format(time.RFC3339Nano))
	w.ks("LoggingDriver", "json-file")
	w.ks("CgroupDriver", "systemd")
	w.ks("CgroupVersion", "2")
	w.ki("NEventsListener", int64(e.events))
	w.ks("KernelVersion", h.kernel)
	w.ks("OperatingSystem", h.os)
	w.ks("OSVersion", h.osVersion)
	w.ks("OSType", "linux")
	w.ks("Architecture", "x86_64")
	w.ks("IndexServerAddress", "https://index.docker.io/v1/")
	w.ko("RegistryConfig")
	w.kstrs("AllowNondistributableArtifactsCIDRs", nil)
	w.kstrs("AllowNondistributableArtifactsHostnames", nil)
	w.kstrs("InsecureRegistryCIDRs", []string{"127.0.0.0/8"})
	w.ko("IndexConfigs")
	w.ko("docker.io")
	w.ks("Name", "docker.io")
	w.kstrs("Mirrors", []string{})
	w.kb("Secure", true)
	w.kb("Official", true)
	w.endObj()
	w.endObj()
	w.knull("Mirrors")
	w.endObj()
	w.ki("NCPU", int64(h.ncpu))
	w.ki("MemTotal", h.mem)
	w.knull("GenericResources")
	w.ks("DockerRootDir", "/var/lib/docker")
	w.ks("HttpProxy", "")
	w.ks("HttpsProxy", "")
	w.ks("NoProxy", "")
	w.ks("Name", h.name)
	w.kstrs("Labels", []string{})
	w.kb("ExperimentalBuild", false)
	w.ks("ServerVersion", "24.0.7")
	w.ko("Runtimes")
	for _, r := range []string{"io.containerd.runc.v2", "runc"} {
		w.ko(r)
		w.ks("path", "runc")
		w.endObj()
	}
	w.endObj()
	w.ks("DefaultRuntime", "runc")
	w.ko("Swarm")
	w.ks("NodeID", "")
	w.ks("NodeAddr", "")
	w.ks("LocalNodeState", "inactive")
	w.kb("ControlAvailable", false)
	w.ks("Error", "")
	w.knull("RemoteManagers")
	w.endObj()
	w.kb("LiveRestoreEnabled", false)
	w.ks("Isolation", "")
	w.ks("InitBinary", "docker-init")
	w.ko("ContainerdCommit")
	w.ks("ID", "d8f198a4ed8892c764191ef7b3b06d8a2eeb5c7f")
	w.ks("Expected", "d8f198a4ed8892c764191ef7b3b06d8a2eeb5c7f")
	w.endObj()
	w.ko("RuncCommit")
	w.ks("ID", "v1.1.10-0-g18a0cb0")
	w.ks("Expected", "v1.1.10-0-g18a0cb0")
	w.endObj()
	w.ko("InitCommit")
	w.ks("ID", "de40ad0")
	w.ks("Expected", "de40ad0")
	w.endObj()
	w.kstrs("SecurityOptions", []string{"name=apparmor", "name=seccomp,profile=builtin", "name=cgroupns"})
	w.knull("Warnings")
	w.endObj()
}

func (e *dockerEnv) renderVersion(w *jw) {
	const build = "2023-10-26T09:08:02.000000000+00:00"
	w.obj()
	w.ko("Platform")
	w.ks("Name", "Docker Engine - Community")
	w.endObj()
	w.ka("Components")
	w.obj()
	w.ks("Name", "Engine")
	w.ks("Version", "24.0.7")
	w.ko("Details")
	w.ks("ApiVersion", "1.43")
	w.ks("Arch", "amd64")
	w.ks("BuildTime", build)
	w.ks("Experimental", "false")
	w.ks("GitCommit", "311b9ff")
	w.ks("GoVersion", "go1.20.10")
	w.ks("KernelVersion", e.host.kernel)
	w.ks("MinAPIVersion", "1.12")
	w.ks("Os", "linux")
	w.endObj()
	w.endObj()
	for _, c := range [][3]string{{"containerd", "1.6.26", "3dd1e886e55dd695541fdcd67420c2888645a495"}, {"runc", "1.1.10", "v1.1.10-0-g18a0cb0"}, {"docker-init", "0.19.0", "de40ad0"}} {
		w.obj()
		w.ks("Name", c[0])
		w.ks("Version", c[1])
		w.ko("Details")
		w.ks("GitCommit", c[2])
		w.endObj()
		w.endObj()
	}
	w.endArr()
	w.ks("Version", "24.0.7")
	w.ks("ApiVersion", "1.43")
	w.ks("MinAPIVersion", "1.12")
	w.ks("GitCommit", "311b9ff")
	w.ks("GoVersion", "go1.20.10")
	w.ks("Os", "linux")
	w.ks("Arch", "amd64")
	w.ks("KernelVersion", e.host.kernel)
	w.ks("BuildTime", build)
	w.endObj()
}

// status reproduces container.State.String() of the Docker daemon.
func (c *dContainer) status(now time.Time) string {
	switch c.state {
	case "running":
		s := "Up " + units.HumanDuration(now.Sub(c.startedAt))
		switch c.health {
		case "starting":
			s += " (health: starting)"
		case "healthy", "unhealthy":
			s += " (" + c.health + ")"
		}
		return s
	case "restarting":
		return "Restarting (" + strconv.Itoa(c.exitCode) + ") " + units.HumanDuration(now.Sub(c.finishedAt)) + " ago"
	case "created":
		return "Created"
	}
	if c.finishedAt.IsZero() {
		return ""
	}
	return "Exited (" + strconv.Itoa(c.exitCode) + ") " + units.HumanDuration(now.Sub(c.finishedAt)) + " ago"
}

func (e *dockerEnv) renderContainer(w *jw, c *dContainer, now time.Time) {
	w.obj()
	w.ks("Id", c.id)
	w.kstrs("Names", []string{"/" + c.name})
	w.ks("Image", c.imageRef)
	w.ks("ImageID", c.image.id)
	w.ks("Command", c.tpl.cmd)
	w.ki("Created", c.created)
	w.ka("Ports")
	if c.state == "running" {
		for i, p := range c.tpl.ports {
			hp := 0
			if c.svc != nil {
				hp = c.svc.hostPort[i]
			} else {
				hp = p.pub
			}
			if hp == 0 || c.number > 1 {
				w.obj()
				w.ki("PrivatePort", int64(p.priv))
				w.ks("Type", p.proto)
				w.endObj()
				continue
			}
			for _, ip := range []string{"0.0.0.0", "::"} {
				w.obj()
				w.ks("IP", ip)
				w.ki("PrivatePort", int64(p.priv))
				w.ki("PublicPort", int64(hp))
				w.ks("Type", p.proto)
				w.endObj()
			}
		}
	}
	w.endArr()
	w.kmap("Labels", c.labels)
	w.ks("State", c.state)
	w.ks("Status", c.status(now))
	w.ko("HostConfig")
	w.ks("NetworkMode", c.netMode)
	w.endObj()
	w.ko("NetworkSettings")
	w.ko("Networks")
	for _, ep := range c.eps {
		w.ko(ep.net.name)
		w.knull("IPAMConfig")
		w.knull("Links")
		live := ep.endpointID != ""
		if ep.aliases != nil {
			w.ka("Aliases")
			for _, a := range ep.aliases {
				w.str(a)
			}
			w.str(c.id[:12])
			w.endArr()
		} else {
			w.knull("Aliases")
		}
		w.ks("NetworkID", ep.net.id)
		w.ks("EndpointID", ep.endpointID)
		if live {
			w.ks("Gateway", ep.net.gw)
			w.ks("IPAddress", ipString(ep.ip))
			w.ki("IPPrefixLen", int64(ep.net.prefix))
		} else {
			w.ks("Gateway", "")
			w.ks("IPAddress", "")
			w.ki("IPPrefixLen", 0)
		}
		w.ks("IPv6Gateway", "")
		w.ks("GlobalIPv6Address", "")
		w.ki("GlobalIPv6PrefixLen", 0)
		if live {
			w.ks("MacAddress", dockerMAC(ep.ip))
		} else {
			w.ks("MacAddress", "")
		}
		w.knull("DriverOpts")
		w.endObj()
	}
	w.endObj()
	w.endObj()
	w.ka("Mounts")
	for _, m := range c.mounts {
		w.obj()
		if m.volume != nil {
			w.ks("Type", "volume")
			w.ks("Name", m.volume.name)
			w.ks("Source", "/var/lib/docker/volumes/"+m.volume.name+"/_data")
			w.ks("Destination", m.dst)
			w.ks("Driver", "local")
		} else {
			w.ks("Type", "bind")
			w.ks("Source", m.src)
			w.ks("Destination", m.dst)
		}
		w.ks("Mode", m.mode)
		w.kb("RW", m.rw)
		w.ks("Propagation", m.prop)
		w.endObj()
	}
	w.endArr()
	w.endObj()
}

func renderImage(w *jw, im *dImage) {
	w.obj()
	w.ki("Containers", -1)
	w.ki("Created", im.created)
	w.ks("Id", im.id)
	if len(im.labels) == 0 {
		w.knull("Labels")
	} else {
		w.kmap("Labels", im.labels)
	}
	w.ks("ParentId", "")
	w.kstrs("RepoDigests", []string{im.repo + "@" + im.digest})
	if im.dangling {
		w.kstrs("RepoTags", []string{"<none>:<none>"})
	} else {
		w.kstrs("RepoTags", []string{im.repo + ":" + im.tag})
	}
	w.ki("SharedSize", -1)
	w.ki("Size", im.size)
	w.ki("VirtualSize", im.size)
	w.endObj()
}

func renderVolume(w *jw, v *dVolume) {
	w.obj()
	w.ks("CreatedAt", v.created)
	w.ks("Driver", "local")
	w.kmap("Labels", v.labels)
	w.ks("Mountpoint", "/var/lib/docker/volumes/"+v.name+"/_data")
	w.ks("Name", v.name)
	w.kmap("Options", v.options)
	w.ks("Scope", "local")
	w.endObj()
}

func renderNetwork(w *jw, n *dNetwork) {
	w.obj()
	w.ks("Name", n.name)
	w.ks("Id", n.id)
	w.ks("Created", n.created)
	w.ks("Scope", "local")
	w.ks("Driver", n.driver)
	w.kb("EnableIPv6", false)
	w.ko("IPAM")
	w.ks("Driver", "default")
	w.knull("Options")
	w.ka("Config")
	if n.subnet != "" {
		w.obj()
		w.ks("Subnet", n.subnet)
		w.ks("Gateway", n.gw)
		w.endObj()
	}
	w.endArr()
	w.endObj()
	w.kb("Internal", false)
	w.kb("Attachable", false)
	w.kb("Ingress", false)
	w.ko("ConfigFrom")
	w.ks("Network", "")
	w.endObj()
	w.kb("ConfigOnly", false)
	w.kempty("Containers")
	w.kmap("Options", n.options)
	w.kmap("Labels", n.labels)
	w.endObj()
}
