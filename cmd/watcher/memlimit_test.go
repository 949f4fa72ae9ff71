package main

import (
	"errors"
	"os"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// TestMemoryLimitFollowsTheCgroup: under a 512 MiB limit (the shipped
// units' MemoryMax) the runtime's soft limit is 80% of it; GOMEMLIMIT
// set by the operator wins; without a limit, or without cgroups, there
// is none. Not parallel: the limit is the process's.
func TestMemoryLimitFollowsTheCgroup(t *testing.T) {
	saved := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(saved) })
	const unit = 512 << 20
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("AUTOMEMLIMIT", "") // restored after the test; unset for it:
	os.Unsetenv("AUTOMEMLIMIT")

	ratio := memoryRatio // a variable: the product is not a whole number, as the library's is
	if got, want := setMemoryLimit(memlimit.Limit(unit)), int64(float64(unit)*ratio); got != want || memoryLimit() != want {
		t.Errorf("under MemoryMax=512M: limit %d (runtime %d), want %d", got, memoryLimit(), want)
	}
	for name, p := range map[string]memlimit.Provider{
		"no limit":   func() (uint64, error) { return 0, memlimit.ErrNoLimit },
		"no cgroups": func() (uint64, error) { return 0, errors.New("cgroups: not supported") },
	} {
		debug.SetMemoryLimit(saved)
		if got := setMemoryLimit(p); got != 0 || (name == "no limit" && memoryLimit() != 0) {
			t.Errorf("%s: limit %d (runtime %d), want none", name, got, memoryLimit())
		}
	}

	debug.SetMemoryLimit(saved)
	t.Setenv("GOMEMLIMIT", "300MiB")
	debug.SetMemoryLimit(300 << 20) // as the runtime does at start from the variable
	if got := setMemoryLimit(memlimit.Limit(unit)); got != 300<<20 || memoryLimit() != 300<<20 {
		t.Errorf("GOMEMLIMIT=300MiB: limit %d (runtime %d), want the operator's 300 MiB", got, memoryLimit())
	}
}
