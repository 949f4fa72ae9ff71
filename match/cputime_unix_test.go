//go:build unix

package match

import (
	"syscall"
	"time"
)

// cpuTime is the process's user plus system CPU time, so benchmarks can
// report CPU per item even on a machine busy with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
