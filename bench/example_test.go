package bench_test

import (
	"encoding/json"
	"fmt"

	"github.com/snapdelta/snapdelta/bench"
)

func ExampleNewSimulator() {
	s, err := bench.NewSimulator(bench.DockerSmall, 1)
	if err != nil {
		panic(err)
	}
	for range 3 {
		snap, err := s.Next()
		if err != nil {
			panic(err)
		}
		var doc struct{ Kind, Time string }
		if err := json.Unmarshal(snap, &doc); err != nil {
			panic(err)
		}
		fmt.Println(doc.Kind, doc.Time)
	}
	fmt.Println("next poll:", s.Poll())
	// Output:
	// docker 2024-01-15T09:00:00Z
	// docker 2024-01-15T09:01:00Z
	// docker 2024-01-15T09:02:00Z
	// next poll: 3
}

func ExampleRun() {
	polls, err := bench.Polls(bench.DockerSmall, 1, 4)
	if err != nil {
		panic(err)
	}
	for _, s := range bench.Baselines() {
		r, err := bench.Run(s, polls)
		if err != nil {
			panic(err)
		}
		small := r.Deltas.MedianBytes*10 < float64(r.Cycles[0].WireBytes)
		fmt.Printf("%s: %d cycles rebuilt, median cycle under a tenth of the first: %v\n", r.Strategy, len(r.Cycles), small)
	}
	// Output:
	// full-gzip: 4 cycles rebuilt, median cycle under a tenth of the first: false
	// full-zstd: 4 cycles rebuilt, median cycle under a tenth of the first: false
	// jsonpatch-gzip: 4 cycles rebuilt, median cycle under a tenth of the first: true
	// jsonpatch-zstd: 4 cycles rebuilt, median cycle under a tenth of the first: true
	// patchfrom-zstd: 4 cycles rebuilt, median cycle under a tenth of the first: true
}

func ExampleRandomIDFloor() {
	for _, p := range []bench.Profile{bench.DockerSmall, bench.K8sSmall} {
		floor, err := bench.RandomIDFloor(p, 1, 60)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: any lossless encoding sends at least %.0f bytes a cycle\n", p, floor)
	}
	// Output:
	// docker-small: any lossless encoding sends at least 8 bytes a cycle
	// k8s-small: any lossless encoding sends at least 42 bytes a cycle
}
