package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests drive the built binary as a user and as outside tests do:
// real processes, real exit codes, real signals.

var (
	watcherBin string // built once in TestMain
	farmBin    string // the local feed server; empty when its source is absent
)

// sharedDir is the folder of shared test material that sits beside the
// repository checkout: the labelled corpus and the local feed server.
const sharedDir = "../../../shared"

func TestMain(m *testing.M) {
	if err := setTestStore(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if errors.Is(err, errSkipPass) {
			fmt.Println("ok (skipped)")
			os.Exit(0)
		}
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "watcher-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		watcherBin = filepath.Join(dir, "watcher")
		// WATCHER_TEST_RACE_BINARY=1 builds the watcher the tests drive
		// with the race detector (make unit-race-bin): the end-to-end
		// tests are where the daemon's goroutines (cycles, the listener,
		// reloads, the sender lock's watch) run together, and a race there
		// makes the binary exit 66 with the report on its standard error,
		// which fails the test. Not by default: such a binary is several
		// times slower and bigger, past the memory bounds the fault tests
		// check.
		args := []string{"build", "-o", watcherBin}
		if os.Getenv("WATCHER_TEST_RACE_BINARY") == "1" {
			args = append(args, "-race")
		}
		if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build watcher: %v\n%s", err, out)
			return 1
		}
		if _, err := os.Stat(filepath.Join(sharedDir, "tools/feedfarm/go.mod")); err == nil {
			farmBin = filepath.Join(dir, "feedfarm")
			build := exec.Command("go", "build", "-o", farmBin, ".")
			build.Dir = filepath.Join(sharedDir, "tools/feedfarm")
			if out, err := build.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "build feed server: %v\n%s", err, out)
				return 1
			}
		}
		code := m.Run()
		if err := postgres.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			code = max(code, 1)
		}
		return code
	}()
	os.Exit(code)
}

// result is what one run of the binary left behind.
type result struct {
	code           int
	stdout, stderr string
}

// watcher runs the binary with args and stdin, in dir, and waits.
func watcher(t testing.TB, dir string, stdin []byte, args ...string) result {
	t.Helper()
	return watcherWithin(t, 2*time.Minute, dir, stdin, args...)
}

// watcherWithin is watcher with a limit of its own on the run.
func watcherWithin(t testing.TB, limit time.Duration, dir string, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, watcherBin, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run watcher %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// farm is a running local feed server.
type farm struct{ base string }

// startFarm starts the feed server with args; the test is skipped when
// the shared folder is not beside the checkout.
func startFarm(t testing.TB, args ...string) farm {
	t.Helper()
	if farmBin == "" {
		t.Skip("the shared feed server is not beside the checkout")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, farmBin, append([]string{"-addr", "127.0.0.1:0", "-lifetime", "10m"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("feed server did not start: %v", err)
	}
	return farm{base: strings.TrimSpace(strings.TrimPrefix(line, "listening "))}
}

// post sends a control request to the farm.
func (f farm) post(t *testing.T, path string) {
	t.Helper()
	resp, err := http.Post(f.base+path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s", path, resp.Status)
	}
}

func writeFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
