package bench

import (
	"runtime"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

// BenchmarkAgentMemory reports what an agent holds between polls, over
// the size of one poll's JSON (issue 6's target is 1.5): the acknowledged
// base and the poll in flight, parsed with ParseNext so they share every
// unchanged item. Measured as the live heap after a collection.
func BenchmarkAgentMemory(b *testing.B) {
	for _, p := range Profiles() {
		b.Run(string(p), func(b *testing.B) {
			ps := polls(b, p, 3)
			var ratio float64
			for b.Loop() {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				before := ms.HeapAlloc
				base, err := snapshot.Parse(ps[1])
				if err != nil {
					b.Fatal(err)
				}
				next, err := snapshot.DefaultConfig().ParseNext(ps[2], base)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > before {
					ratio = float64(ms.HeapAlloc-before) / float64(len(ps[2]))
				}
				runtime.KeepAlive(base)
				runtime.KeepAlive(next)
			}
			b.ReportMetric(ratio, "retained/json")
		})
	}
}
