package main

import (
	"os/exec"
	"runtime"
	"testing"
)

// TestRunPeakIsTheChilds: the peak RSS measured for a command is the
// command's own, not that of the process that started it (which a
// child's rusage on Linux also counts): a small command started by a
// 100 MB process measures far below 100 MB.
func TestRunPeakIsTheChilds(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("no sleep command")
	}
	big := make([]byte, 100<<20)
	for i := range big {
		big[i] = byte(i)
	}
	kb, err := runPeak(exec.Command("sleep", "0.2"))
	if err != nil {
		t.Fatal(err)
	}
	if kb == 0 || kb > 20<<10 {
		t.Fatalf("peak RSS of sleep %d kB; want a few MB (this process holds 100 MB)", kb)
	}
	runtime.KeepAlive(big)
}
