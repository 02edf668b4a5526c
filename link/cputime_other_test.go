//go:build !unix

package link

import "time"

// processCPU is not measured here; benchmarks skip the CPU-time metric.
func processCPU() time.Duration { return 0 }
