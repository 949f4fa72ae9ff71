package main

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// loggedFarm is the local feed server started with -log, so a test can
// count the requests each path received.
type loggedFarm struct {
	farm
	mu  sync.Mutex
	log strings.Builder
}

// startLoggedFarm starts the feed server with -log and args, collecting
// its request log; it skips like startFarm when the server is absent.
func startLoggedFarm(t *testing.T, args ...string) *loggedFarm {
	t.Helper()
	if farmBin == "" {
		t.Skip("the shared feed server is not beside the checkout")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, farmBin, append([]string{"-addr", "127.0.0.1:0", "-lifetime", "10m", "-log"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lf := &loggedFarm{}
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lf.mu.Lock()
			lf.log.WriteString(sc.Text() + "\n")
			lf.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); <-logDone; cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("feed server did not start: %v", err)
	}
	lf.base = strings.TrimSpace(strings.TrimPrefix(line, "listening "))
	return lf
}

// requests counts the requests logged for exactly this path (and query).
// The server logs a request when it ends, so a test asks once the run
// that made them is over.
func (f *loggedFarm) requests(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Count(f.log.String(), " path="+path+" ")
}
