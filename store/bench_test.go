package store

import (
	"fmt"
	"testing"
)

// BenchmarkCommit measures one delta commit (16 KiB snapshot, 512-byte
// reverse delta) with history trimming, spread over 64 environments.
func BenchmarkCommit(b *testing.B) {
	snapshot, reverse := make([]byte, 16<<10), make([]byte, 512)
	for _, im := range []struct {
		name string
		open func(b *testing.B) Store
	}{
		{"memory", func(*testing.B) Store { return NewMemory() }},
		{"bolt", func(b *testing.B) Store {
			s, err := OpenBolt(b.TempDir() + "/bench.db")
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	} {
		b.Run(im.name, func(b *testing.B) {
			s := im.open(b)
			defer s.Close()
			const envs = 64
			seqs := make([]uint64, envs)
			b.SetBytes(int64(len(snapshot) + len(reverse)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				e := i % envs
				env := fmt.Sprintf("env-%d", e)
				seqs[e]++
				seq := seqs[e]
				var st *Step
				if seq > 1 {
					st = &Step{Seq: seq, Root: seq, PrevRoot: seq - 1, Reverse: reverse}
				}
				if err := s.Commit(env, Record{Seq: seq, Root: seq, Snapshot: snapshot}, st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
