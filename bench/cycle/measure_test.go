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
	kb, _, err := runPeak(exec.Command("sleep", "0.2"))
	if err != nil {
		t.Fatal(err)
	}
	if kb == 0 || kb > 20<<10 {
		t.Fatalf("peak RSS of sleep %d kB; want a few MB (this process holds 100 MB)", kb)
	}
	runtime.KeepAlive(big)
}

// TestForcedLiveMB: the soak's live heap is the third figure of a forced
// collection's trace line, and only of a forced one.
func TestForcedLiveMB(t *testing.T) {
	forced := "gc 35 @1.172s 6%: 5.5+1.0+0.092 ms clock, 11+0/1.5/0+0.18 ms cpu, 27->28->10 MB, 31 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)"
	if mb, ok := forcedLiveMB(forced); !ok || mb != 10 {
		t.Errorf("forcedLiveMB(forced) = %d, %v; want 10, true", mb, ok)
	}
	paced := "gc 36 @3.001s 4%: 0.04+1.2+0.01 ms clock, 0.08+0/0.5/1.1+0.02 ms cpu, 17->18->9 MB, 19 MB goal, 0 MB stacks, 0 MB globals, 2 P"
	if _, ok := forcedLiveMB(paced); ok {
		t.Error("a collection the pacer started was taken for the end of a cycle")
	}
	if _, ok := forcedLiveMB(`time=2026-12-02T05:13:44Z level=INFO msg="cycle done" duration=1.7s (forced)`); ok {
		t.Error("a log line was taken for the collector's trace")
	}
}
