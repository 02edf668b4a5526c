package bench

import (
	"testing"
	"time"
)

// BenchPolls is how many polls the go test benchmarks precompute per profile.
const BenchPolls = 60

// BenchStrategy benchmarks s over polls, one steady-state cycle per
// iteration: iteration i encodes poll k = 1 + i mod (len(polls)-1) against
// poll k-1 and decodes it against what the previous iteration rebuilt (poll
// 0 when k is 1). It reports the wire size as B/cycle and the time spent in
// Encode and Decode as enc-ns/cycle and dec-ns/cycle; ns/op covers both.
// polls must be computed before the call, outside the timer. With
// -benchtime 1x it runs one cycle, which keeps CI quick.
//
// A strategy's benchmark is one line:
//
//	func BenchmarkMine(b *testing.B) { bench.BenchStrategy(b, mine, polls) }
func BenchStrategy(b *testing.B, s Strategy, polls [][]byte) {
	b.Helper()
	if len(polls) < 2 {
		b.Skip("need at least two polls")
	}
	raw := 0
	for _, p := range polls[1:] {
		raw += len(p)
	}
	b.SetBytes(int64(raw / (len(polls) - 1)))
	b.ReportAllocs()
	if r, ok := s.(Resetter); ok {
		r.Reset()
	}
	var wire int64
	var enc, dec time.Duration
	server := polls[0]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := 1 + i%(len(polls)-1)
		if k == 1 {
			server = polls[0]
		}
		t0 := time.Now()
		w, err := s.Encode(polls[k-1], polls[k])
		t1 := time.Now()
		if err != nil {
			b.Fatalf("%s: poll %d: %v", s.Name(), k, err)
		}
		got, err := s.Decode(server, w)
		t2 := time.Now()
		if err != nil {
			b.Fatalf("%s: poll %d: %v", s.Name(), k, err)
		}
		server = got
		wire += int64(len(w))
		enc += t1.Sub(t0)
		dec += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(wire)/n, "B/cycle")
	b.ReportMetric(float64(enc.Nanoseconds())/n, "enc-ns/cycle")
	b.ReportMetric(float64(dec.Nanoseconds())/n, "dec-ns/cycle")
}
