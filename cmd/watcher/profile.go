package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// defaultMemProfileRate is the runtime's own sampling rate of the heap
// profile, which main turns off.
var defaultMemProfileRate = runtime.MemProfileRate

// startProfiles starts the profiles the flags ask for and returns the
// function that writes them out.
func startProfiles(g globals) (func(), error) {
	stop := func() {}
	if g.cpuProf != "" {
		f, err := os.Create(g.cpuProf)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		stop = func() { pprof.StopCPUProfile(); f.Close() }
	}
	if g.memProf == "" {
		return stop, nil
	}
	runtime.MemProfileRate = defaultMemProfileRate
	cpuStop := stop
	return func() {
		cpuStop()
		f, err := os.Create(g.memProf)
		if err != nil {
			fmt.Fprintf(os.Stderr, "watcher: --memprofile: %v\n", err)
			return
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintf(os.Stderr, "watcher: --memprofile: %v\n", err)
		}
	}, nil
}
