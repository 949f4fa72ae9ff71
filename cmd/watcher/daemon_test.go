package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// daemonProc is a watcher daemon started by a test, with its log.
type daemonProc struct {
	cmd   *exec.Cmd
	lines chan string // stderr, line by line; closed at EOF
	log   strings.Builder
}

// startDaemon starts the daemon in dir, with env added to the test's
// environment.
func startDaemon(t *testing.T, dir string, env ...string) *daemonProc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	d := &daemonProc{cmd: exec.CommandContext(ctx, watcherBin), lines: make(chan string, 256)}
	d.cmd.Dir = dir
	if len(env) > 0 {
		d.cmd.Env = append(os.Environ(), env...)
	}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(d.lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
	}()
	return d
}

// waitFor reads the log until done says so, or fails after timeout.
func (d *daemonProc) waitFor(t *testing.T, timeout time.Duration, done func(line string) bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-d.lines:
			if !ok {
				t.Fatalf("the daemon's log ended early:\n%s", d.log.String())
			}
			d.log.WriteString(l + "\n")
			if done(l) {
				return
			}
		case <-deadline:
			t.Fatalf("not seen within %s:\n%s", timeout, d.log.String())
		}
	}
}

// stop sends SIGTERM and waits for the exit, returning how long it took.
func (d *daemonProc) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for l := range d.lines {
		d.log.WriteString(l + "\n")
	}
	if err := d.cmd.Wait(); err != nil {
		t.Fatalf("daemon exit after SIGTERM: %v\n%s", err, d.log.String())
	}
	return time.Since(start)
}

// TestDaemonSkipsTickWhileCycleRuns: with a one-second schedule and a
// source that takes 2.5 s to answer, the ticks that fall inside a running
// cycle are skipped and logged; cycles never overlap.
func TestDaemonSkipsTickWhileCycleRuns(t *testing.T) {
	f := startFarm(t, "-feeds", "1", "-items", "5", "-latency", "2500ms")
	dir := t.TempDir()
	synthConfig(t, dir, f, 1, "minister", "schedule: \"@every 1s\"\n")
	d := startDaemon(t, dir)
	done, skipped := 0, 0
	d.waitFor(t, 30*time.Second, func(l string) bool {
		if strings.Contains(l, "cycle done") {
			done++
		}
		if strings.Contains(l, "cycle skipped") {
			skipped++
		}
		return done >= 2 && skipped >= 1
	})
	took := d.stop(t)
	t.Logf("%d cycles done, %d ticks skipped; stopped %s after SIGTERM", done, skipped, took.Round(time.Millisecond))
	if !strings.Contains(d.log.String(), "watcher stopped") {
		t.Errorf("no clean stop in the log:\n%s", d.log.String())
	}
	stats := farmStats(t, f)
	if stats.Total.MaxInflight != 1 {
		t.Errorf("the feed server saw %d requests at once from one source: cycles overlapped", stats.Total.MaxInflight)
	}
}

// farmStatsDoc is the part of the feed server's /control/stats we read.
type farmStatsDoc struct {
	Total struct {
		Requests    int `json:"requests"`
		MaxInflight int `json:"max_inflight"`
	} `json:"total"`
}

func farmStats(t *testing.T, f farm) farmStatsDoc {
	t.Helper()
	resp, err := http.Get(f.base + "/control/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s farmStatsDoc
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// stallingFeed is a feed server that, while stalling, holds every request
// until its client goes away, and counts the requests given up that way.
type stallingFeed struct {
	url       string
	stalling  atomic.Bool
	arrived   chan struct{}
	abandoned atomic.Int32
}

func newStallingFeed(t *testing.T) *stallingFeed {
	s := &stallingFeed{arrived: make(chan struct{}, 16)}
	s.url = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.stalling.Load() {
			s.arrived <- struct{}{}
			select {
			case <-r.Context().Done():
				s.abandoned.Add(1)
			case <-time.After(30 * time.Second):
			}
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`+
			`<item><guid>a</guid><title>Minister said</title><link>http://example.org/a</link></item></channel></rss>`)
	}))
	return s
}

// TestDaemonSIGTERMCancelsRunningCycle: SIGTERM while a fetch hangs ends
// the fetch at once (the server sees its client go), the daemon exits 0
// within a few seconds and logs its stop, and the state file is left
// consistent: status opens, the interrupted source is not counted as
// failing, and the next run works.
func TestDaemonSIGTERMCancelsRunningCycle(t *testing.T) {
	feed := newStallingFeed(t)
	dir := t.TempDir()
	writeConfig(t, dir, fmt.Sprintf("state: watcher.db\nschedule: \"@every 1s\"\n"+
		"fetch:\n  timeout: 30s\nsources:\n  - name: slow\n    feed: %s/feed.xml\n"+
		"topics:\n  - id: watched\n    title: Watched\n    query: minister\n", feed.url))
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("baseline run: exit %d\n%s", r.code, r.stderr)
	}
	feed.stalling.Store(true)
	d := startDaemon(t, dir)
	select {
	case <-feed.arrived:
	case <-time.After(15 * time.Second):
		t.Fatal("the daemon never fetched")
	}
	took := d.stop(t)
	t.Logf("stopped %s after SIGTERM during a fetch", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("took %s to stop; the running fetch was not cancelled", took)
	}
	if feed.abandoned.Load() == 0 {
		t.Error("the stalled request was not cancelled")
	}
	if !strings.Contains(d.log.String(), "watcher stopped") {
		t.Errorf("no clean stop in the log:\n%s", d.log.String())
	}
	if strings.Contains(d.log.String(), "level=ERROR") {
		t.Errorf("a requested stop is logged as an error:\n%s", d.log.String())
	}
	st := mustStatus(t, dir)
	if row := logLine(st, "slow "); !strings.Contains(row, " 0 ") || strings.Contains(row, "context canceled") {
		t.Errorf("the interrupted source is recorded as failing:\n%s", st)
	}
	feed.stalling.Store(false)
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK || !strings.Contains(r.stderr, "failed=0") {
		t.Errorf("run after the stop: exit %d\n%s", r.code, r.stderr)
	}
}
