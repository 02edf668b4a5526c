package link

import (
	"fmt"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// BenchmarkReceiverSmallDeltas measures the server's work per poll: decode
// a small delta frame, apply and verify it, (with history) compute and
// encode the reverse delta, extend the stored payload (renewing its
// checkpoint when due) and commit to the in-memory store. The snapshots are
// a ~40 KB Docker host; the frames cycle through 64 polls, spread over 16
// environments.
func BenchmarkReceiverSmallDeltas(b *testing.B) {
	const envs, cycle = 16, 64
	h := newSimHost(7, 60)
	snaps := make([]*snapshot.Snapshot, cycle)
	for i := range snaps {
		snaps[i] = h.next(b)
	}
	frames := make([][]byte, cycle)
	size := 0
	for i := range frames {
		frames[i] = encodeDelta(b, snaps[i], snaps[(i+1)%cycle])
		size += len(frames[i])
	}
	full := encodeFull(b, snaps[0])
	b.Logf("snapshot %d bytes of JSON, full frame %d bytes, deltas %d bytes on average",
		len(snaps[0].MarshalCanonical()), len(full), size/cycle)

	for _, history := range []bool{true, false} {
		b.Run(fmt.Sprint("history=", history), func(b *testing.B) {
			r := newReceiverT(b, store.NewMemory(), WithHistory(history))
			for e := range envs {
				if _, err := r.Receive(fmt.Sprint("env-", e), 1, full); err != nil {
					b.Fatal(err)
				}
			}
			names := make([]string, envs)
			for e := range names {
				names[e] = fmt.Sprint("env-", e)
			}
			b.ReportAllocs()
			cpu := processCPU()
			for i := 0; b.Loop(); i++ {
				e, k := i%envs, i/envs
				if _, err := r.Receive(names[e], uint64(k+2), frames[k%cycle]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
			// Frames per second of CPU the process used (GC included): on a
			// machine shared with other work, wall time overstates the cost.
			if cpu := processCPU() - cpu; cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "frames/cpu-s")
			}
			st := r.Stats()
			b.ReportMetric(float64(st.Checkpoints)/float64(max(st.Applied, 1)), "checkpoints/frame")
		})
	}
}
