// Package bench measures snapdelta against what users would otherwise pick.
//
// It holds:
//
//   - a workload simulator (Simulator) that produces the snapshot an edge agent
//     would build every minute for a Docker host or a Kubernetes cluster, evolving
//     poll by poll the way real environments do, deterministic by seed;
//
//   - a loader (CorpusPairs) that turns the successive real captures under
//     ../shared/corpus/real into (base, next) snapshot pairs;
//
//   - baseline encoders (Baselines) implementing the Strategy interface:
//     whole-snapshot gzip and zstd, RFC 6902 patches with wI2L/jsondiff, and zstd
//     with the previous snapshot as a raw dictionary (zstd --patch-from);
//
//   - a harness (Run) that drives a Strategy over a sequence of polls, checks
//     that every decode rebuilds the poll exactly (as a JSON value) and reports
//     wire bytes and encode/decode times per cycle, plus go test benchmarks
//     (BenchmarkBaselines) built on the same pieces.
//
//   - snapdelta's own strategy (Snapdelta), which keeps each side's parsed
//     snapshot between polls as a real agent and server do, and Compare,
//     which runs all strategies in turns poll by poll for the tables and
//     the chart (WriteSVG) of `snapdelta bench` and docs/benchmarks.md.
//
// The simulator, corpus loader and baselines do not depend on the snapdelta
// engine; Run, BenchStrategy and the benchmarks take any Strategy.
//
// # Snapshot documents
//
// A poll is the compact JSON document an agent builds from the engine's own
// responses:
//
//	{"kind":"docker","time":RFC3339,"info":{GET /info},"version":{GET /version},
//	 "containers":[GET /containers/json?all=1],"images":[GET /images/json],
//	 "volumes":{"Volumes":[...],"Warnings":null},"networks":[GET /networks]}
//
//	{"kind":"kubernetes","time":RFC3339,"nodes":{NodeList},"namespaces":{...},
//	 "pods":{...},"deployments":{...},"replicasets":{...},"services":{...},
//	 "configmaps":{...},"events":{EventList}}
//
// Payloads follow Docker Engine 24 (API 1.43, compose v2 labels) and an EKS
// cluster on Kubernetes 1.29 (containerd, managedFields, ownerReferences,
// pod-template-hash, events.k8s.io-style scheduler events): the engines'
// field names, nesting and member order, 64-hex ids and sha256 digests, and
// list order (containers and images newest first, Kubernetes objects by
// namespace and name).
//
// # Dynamics
//
// Between two polls a simulated minute passes. Docker: statuses age exactly
// as the daemon prints them ("Up 3 minutes", "Up About an hour",
// "Exited (137) 2 minutes ago", health suffixes); /info's SystemTime,
// NGoroutines and NFd move every poll; containers crash and restart (with new
// endpoint ids), one-off jobs come and go, services are redeployed with newly
// pulled images (the old image turns dangling, "<none>:<none>"), images and
// volumes are pruned, stacks are added and taken down. Kubernetes: every node
// heartbeats every poll, resourceVersions climb, pods restart (restartCount,
// lastState.terminated, new containerID) or crash-loop, readiness probes fail
// for a few polls, deployments scale and roll out (a new ReplicaSet and
// pod-template-hash, pods replaced over a few polls), and events are created,
// counted up (count, lastTimestamp) and expire an hour after their last
// update. Most polls change only a few objects.
package bench
