package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// measuredRun is one run of the binary with what it cost.
type measuredRun struct {
	result
	elapsed time.Duration
	maxRSS  int64 // peak resident set of the watcher process, KiB
}

// spawnRSSEnv, when set, makes this test binary a small launcher: it runs
// the command in its arguments, writes the command's peak RSS to the file
// the variable names, and exits with the command's code. Linux carries a
// process's RSS high-water mark across exec, and Go starts children with
// vfork semantics (sharing the parent's memory until exec), so a watcher
// started straight from the test process would report the test's own
// peak, race detector and generated feeds included. The launcher is this
// binary just after start, so it inherits only a few megabytes.
const spawnRSSEnv = "WATCHER_TEST_SPAWN_RSS"

func init() {
	if path := os.Getenv(spawnRSSEnv); path != "" {
		os.Exit(spawnMeasured(path, os.Args[1:]))
	}
}

// spawnMeasured is the launcher's whole work.
func spawnMeasured(path string, args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, spawnRSSEnv+"=") })
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		return 125
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		_ = os.WriteFile(path, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o600) // KiB on Linux
	}
	return cmd.ProcessState.ExitCode()
}

// watcherMeasured runs the binary like watcher does, with extra
// environment, through the launcher, and reads its peak memory.
func watcherMeasured(t *testing.T, dir string, env []string, args ...string) measuredRun {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rssFile := filepath.Join(t.TempDir(), "maxrss")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, self, append([]string{watcherBin}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), spawnRSSEnv+"="+rssFile)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err = cmd.Run()
	m := measuredRun{elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		m.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run watcher %v: %v", args, err)
	}
	m.stdout, m.stderr = out.String(), errb.String()
	raw, err := os.ReadFile(rssFile)
	if err != nil {
		t.Fatalf("launcher wrote no peak RSS: %v\n%s", err, m.stderr)
	}
	if m.maxRSS, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
		t.Fatal(err)
	}
	return m
}
