package main

import (
	"math"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// memoryRatio is the share of the cgroup's memory limit (a unit's
// MemoryMax, a container's limit) given to the Go runtime as its soft
// limit. The rest is for what the kernel counts against the cgroup but
// the runtime does not hold: the binary's pages and the state file's,
// mapped by bbolt, which the kernel reclaims first.
const memoryRatio = 0.8

// setMemoryLimit sets the runtime's soft memory limit from the cgroup
// the watcher runs in, so that a cycle with more news than usual makes
// the collector work harder near the limit instead of growing the heap to
// twice its live size and being killed at MemoryMax, which would lose the
// cycle and then every cycle after it with the same news. GOMEMLIMIT in
// the environment wins, and AUTOMEMLIMIT=off leaves the limit alone; with
// no limit (or no cgroups) there is none, as before. It returns the limit
// set, 0 for none.
func setMemoryLimit(provider memlimit.Provider) int64 {
	// The library logs nothing unless given a logger. An error (no
	// cgroups on this system, or none it can read) leaves the default,
	// no limit: the watcher runs as it would without this.
	limit, err := memlimit.Set(memlimit.WithRatio(memoryRatio), memlimit.WithProvider(provider))
	if err != nil || limit == math.MaxInt64 {
		return 0
	}
	return limit
}

// memoryLimit is the runtime's soft memory limit, 0 for none.
func memoryLimit() int64 {
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		return l
	}
	return 0
}
