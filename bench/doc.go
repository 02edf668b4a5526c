// Package bench measures snapdelta against what users would otherwise pick.
//
// It holds four things, none of which depends on the snapdelta engine:
//
//   - a workload simulator (Simulator) that produces the snapshot an edge agent
//     would build every minute for a Docker host or a Kubernetes cluster, evolving
//     poll by poll the way real environments do, deterministic by seed;
//   - a loader (CorpusPairs) that turns the successive real captures under
//     ../shared/corpus/real into (base, next) snapshot pairs;
//   - baseline encoders (Baselines) implementing the Strategy interface:
//     whole-snapshot gzip and zstd, RFC 6902 patches with wI2L/jsondiff, and zstd
//     with the previous snapshot as a raw dictionary (zstd --patch-from);
//   - a harness (Run) that drives a Strategy over a sequence of polls, checks
//     that every decode rebuilds the poll exactly (as a JSON value) and reports
//     wire bytes and encode/decode times per cycle, plus go test benchmarks
//     (BenchmarkBaselines) built on the same pieces.
//
// snapdelta's own strategy is added next to the baselines by implementing
// Strategy; Run and the benchmarks take any Strategy.
package bench
