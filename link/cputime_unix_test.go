//go:build unix

package link

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used (user + system), so
// that a benchmark on a shared machine can report work per core-second
// rather than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
