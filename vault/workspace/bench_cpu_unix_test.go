//go:build unix

package workspace

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used. Benchmarks report it
// per operation next to wall time, because on a shared machine wall time
// includes waiting for a core.
func processCPU() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
