package bench

import (
	"sync"
	"testing"
)

// strategiesUnderTest lists what BenchmarkBaselines measures; snapdelta's
// own strategy is added here next to the baselines.
func strategiesUnderTest() []Strategy { return Baselines() }

var (
	benchPollsMu sync.Mutex
	benchPolls   = map[Profile][][]byte{}
)

// benchPollsFor returns BenchPolls polls of p (seed 1), computed once per run.
func benchPollsFor(b *testing.B, p Profile) [][]byte {
	b.Helper()
	benchPollsMu.Lock()
	defer benchPollsMu.Unlock()
	if ps, ok := benchPolls[p]; ok {
		return ps
	}
	ps, err := Polls(p, 1, BenchPolls)
	if err != nil {
		b.Fatal(err)
	}
	benchPolls[p] = ps
	return ps
}

// BenchmarkBaselines/<profile>/<strategy> reports each strategy's wire
// bytes per steady-state cycle (B/cycle) and its encode and decode time.
func BenchmarkBaselines(b *testing.B) {
	for _, p := range Profiles() {
		b.Run(string(p), func(b *testing.B) {
			ps := benchPollsFor(b, p)
			for _, s := range strategiesUnderTest() {
				b.Run(s.Name(), func(b *testing.B) { BenchStrategy(b, s, ps) })
			}
		})
	}
}

// BenchmarkSimulatorNext measures producing one poll.
func BenchmarkSimulatorNext(b *testing.B) {
	for _, p := range Profiles() {
		b.Run(string(p), func(b *testing.B) {
			s, err := NewSimulator(p, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Next(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
