package bench

import (
	"runtime"
	"testing"
	"time"

	sdcodec "github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkAgentMemory reports what an agent holds between polls, over the
// size of one poll's JSON (issue 6's target is 1.5), as link.Agent and
// link.Sender keep it: each poll parsed with ParseNext against the kept
// snapshot, then compacted sharing its unchanged items with it
// (snapshot.Snapshot.CompactSharing). "acked/json" is the steady state after
// five polls, the acknowledged base alone (acks come back before the next
// poll);
// "retained/json" adds a poll in flight. "parsed/json" is two successive
// polls kept as parsed trees, for comparison. Measured as the live heap
// after a collection.
func BenchmarkAgentMemory(b *testing.B) {
	cfg := snapshot.DefaultConfig()
	for _, p := range Profiles() {
		b.Run(string(p), func(b *testing.B) {
			ps := polls(b, p, 8)
			var acked, retained, parsed float64
			size := float64(len(ps[7]))
			for b.Loop() {
				before := liveHeap()
				// Five polls acknowledged one after the other: the base
				// holds what changed lately as trees, the rest compact.
				var base *snapshot.Snapshot
				for _, poll := range ps[1:6] {
					s, err := cfg.ParseNext(poll, base)
					if err != nil {
						b.Fatal(err)
					}
					base = s.CompactSharing(base)
				}
				acked = float64(liveHeap()-before) / size
				third, err := cfg.ParseNext(ps[6], base)
				if err != nil {
					b.Fatal(err)
				}
				inFlight := third.CompactSharing(base)
				third = nil
				retained = float64(liveHeap()-before) / size
				runtime.KeepAlive(base)
				runtime.KeepAlive(inFlight)

				base, inFlight = nil, nil
				before = liveHeap()
				tree, err := snapshot.Parse(ps[5])
				if err != nil {
					b.Fatal(err)
				}
				treeNext, err := cfg.ParseNext(ps[6], tree)
				if err != nil {
					b.Fatal(err)
				}
				parsed = float64(liveHeap()-before) / size
				runtime.KeepAlive(tree)
				runtime.KeepAlive(treeNext)
			}
			b.ReportMetric(acked, "acked/json")
			b.ReportMetric(retained, "retained/json")
			b.ReportMetric(parsed, "parsed/json")
		})
	}
}

// BenchmarkEncoderMemory reports what an agent's codec.Encoder holds
// between polls, over the size of one poll's JSON: the zstd encoders'
// tables and windows, which BenchmarkAgentMemory leaves out. "kept/json"
// is the default Encoder after polls with new items; "low/json" one made
// WithLowMemory, which builds them for each frame. Measured as the live
// heap after a collection, the snapshots excluded.
func BenchmarkEncoderMemory(b *testing.B) {
	for _, p := range Profiles() {
		b.Run(string(p), func(b *testing.B) {
			// Enough polls for new items to come (docker-small's first
			// are at poll 19), fewer of the largest.
			n := 21
			if p == K8sLarge {
				n = 8
			}
			ps := polls(b, p, n)
			var snaps []*snapshot.Snapshot
			for _, poll := range ps {
				s, err := snapshot.Parse(poll)
				if err != nil {
					b.Fatal(err)
				}
				snaps = append(snaps, s)
			}
			var deltas []*delta.Delta
			for i := 1; i < len(snaps); i++ {
				d, err := delta.Diff(snaps[i-1], snaps[i], delta.WithoutModelPatches())
				if err != nil {
					b.Fatal(err)
				}
				d.SetOrigin(snaps[i-1])
				deltas = append(deltas, d)
			}
			size := float64(len(ps[n-1]))
			held := func(opts ...sdcodec.EncoderOption) (float64, time.Duration) {
				before := liveHeap()
				enc, err := sdcodec.NewEncoder(opts...)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				for _, d := range deltas {
					if _, err := enc.AppendDelta(nil, d); err != nil {
						b.Fatal(err)
					}
				}
				took := time.Since(start) / time.Duration(len(deltas))
				after := liveHeap()
				runtime.KeepAlive(enc)
				return float64(after-before) / size, took
			}
			var kept, low float64
			var keptTime, lowTime time.Duration
			for b.Loop() {
				kept, keptTime = held()
				low, lowTime = held(sdcodec.WithLowMemory())
			}
			b.ReportMetric(kept, "kept/json")
			b.ReportMetric(low, "low/json")
			b.ReportMetric(float64(keptTime.Nanoseconds()), "kept-ns/frame")
			b.ReportMetric(float64(lowTime.Nanoseconds()), "low-ns/frame")
		})
	}
}
