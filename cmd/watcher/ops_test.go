package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// notifySocket is a unix datagram socket standing in for systemd's
// NOTIFY_SOCKET: every datagram the daemon sends arrives on msgs.
type notifySocket struct {
	path string
	msgs chan string
}

func newNotifySocket(t *testing.T) *notifySocket {
	t.Helper()
	// A short directory: socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "sd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &notifySocket{path: filepath.Join(dir, "notify"), msgs: make(chan string, 1024)}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: s.path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				close(s.msgs)
				return
			}
			s.msgs <- string(buf[:n])
		}
	}()
	return s
}

// waitFor reads datagrams until done says so, failing after timeout; it
// returns every datagram read.
func (s *notifySocket) waitFor(t *testing.T, timeout time.Duration, done func(msg string) bool) []string {
	t.Helper()
	var got []string
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-s.msgs:
			if !ok {
				t.Fatalf("notify socket closed; got %q", got)
			}
			got = append(got, m)
			if done(m) {
				return got
			}
		case <-deadline:
			t.Fatalf("not received within %s; got %q", timeout, got)
		}
	}
}

// TestDaemonNotifiesSystemd: under a Type=notify unit the daemon sends
// READY=1 once loaded, STATUS= with the last cycle's summary, WATCHDOG=1
// while WATCHDOG_USEC is set, and STOPPING=1 on SIGTERM, as datagrams on
// the socket NOTIFY_SOCKET names.
func TestDaemonNotifiesSystemd(t *testing.T) {
	feed := newStallingFeed(t)
	dir := t.TempDir()
	// An hourly schedule: the one cycle is the one run_at_start (on by
	// default) runs at once.
	writeConfig(t, dir, fmt.Sprintf("state: watcher.db\nschedule: \"@every 1h\"\n"+
		"sources:\n  - name: slow\n    feed: %s/feed.xml\n"+
		"topics:\n  - id: watched\n    title: Watched\n    query: minister\n", feed.url))
	sock := newNotifySocket(t)
	// A watchdog of 600 ms: pings every 200 ms, so several arrive in a second.
	d := startDaemon(t, dir, "NOTIFY_SOCKET="+sock.path, "WATCHDOG_USEC=600000")
	msgs := sock.waitFor(t, 20*time.Second, func(m string) bool { return strings.HasPrefix(m, "STATUS=last cycle") })
	if !strings.HasPrefix(msgs[0], "READY=1") {
		t.Errorf("first message %q, want READY=1", msgs[0])
	}
	status := msgs[len(msgs)-1]
	if !strings.Contains(status, "1 sources, 1 ok, 0 failed") || strings.Contains(status, "\n") {
		t.Errorf("status %q, want the cycle's summary on one line", status)
	}
	pings := 0
	sock.waitFor(t, 10*time.Second, func(m string) bool {
		if m == "WATCHDOG=1" {
			pings++
		}
		return pings >= 3
	})
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sock.waitFor(t, 10*time.Second, func(m string) bool { return m == "STOPPING=1" })
	d.stop(t)
	if !strings.Contains(d.log.String(), "systemd watchdog enabled") {
		t.Errorf("the watchdog is not logged:\n%s", d.log.String())
	}
}

// TestDaemonReloadsOnSIGHUP: SIGHUP with a good configuration makes the
// next cycle read the source it adds; with a bad one the daemon logs why,
// names the line, and goes on with the configuration it had.
func TestDaemonReloadsOnSIGHUP(t *testing.T) {
	first, second := newStallingFeed(t), newStallingFeed(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	body := func(sources string) string {
		// Every second: reloads are seen by the next cycle within the test's time.
		return "state: watcher.db\nschedule: \"@every 1s\"\nsources:\n" + sources +
			"topics:\n  - id: watched\n    title: Watched\n    query: minister\n"
	}
	one := fmt.Sprintf("  - name: first\n    feed: %s/feed.xml\n", first.url)
	two := one + fmt.Sprintf("  - name: second\n    feed: %s/feed.xml\n", second.url)
	writeConfigAt(t, cfgPath, body(one))
	d := startDaemon(t, dir)
	d.waitFor(t, 20*time.Second, func(l string) bool { return strings.Contains(l, "cycle done") })

	writeConfigAt(t, cfgPath, body(two))
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	d.waitFor(t, 10*time.Second, func(l string) bool { return strings.Contains(l, "configuration reloaded") })
	d.waitFor(t, 20*time.Second, func(l string) bool { return strings.Contains(l, "cycle done") && strings.Contains(l, "sources=2 ok=2") })

	writeConfigAt(t, cfgPath, body(two)+"fetch:\n  per_host: none\n")
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	var failed string
	d.waitFor(t, 10*time.Second, func(l string) bool {
		if strings.Contains(l, "reload failed") {
			failed = l
			return true
		}
		return false
	})
	if !strings.Contains(failed, "config.yaml:13: fetch.per_host: expected a whole number") || !strings.Contains(failed, "level=ERROR") {
		t.Errorf("the failed reload does not say why, with the line:\n%s", failed)
	}
	// Still running, on the configuration it had: both sources.
	d.waitFor(t, 20*time.Second, func(l string) bool { return strings.Contains(l, "cycle done") && strings.Contains(l, "sources=2 ok=2") })
	d.stop(t)
	if strings.Contains(d.log.String(), "exit status 129") {
		t.Errorf("SIGHUP killed the daemon:\n%s", d.log.String())
	}
}

// TestStatusWhileDaemonRuns: the daemon holds the state file only during
// cycles, so `watcher status` works between them; during one it gives
// up within seconds and says what holds the file. A database is read
// during a cycle as between them.
func TestStatusWhileDaemonRuns(t *testing.T) {
	feed := newStallingFeed(t)
	dir := t.TempDir()
	writeConfig(t, dir, fmt.Sprintf("state: watcher.db\nschedule: \"@every 1h\"\n"+
		"fetch:\n  timeout: 30s\nsources:\n  - name: slow\n    feed: %s/feed.xml\n"+
		"topics:\n  - id: watched\n    title: Watched\n    query: minister\n", feed.url))
	d := startDaemon(t, dir)
	d.waitFor(t, 20*time.Second, func(l string) bool { return strings.Contains(l, "cycle done") })
	st := mustStatus(t, dir)
	if row := logLine(st, "slow "); row == "" || !strings.Contains(row, " 1 ") {
		t.Errorf("status between cycles does not show the source and its item:\n%s", st)
	}
	d.stop(t)

	// A cycle that hangs on its feed: status waits, then explains.
	feed.stalling.Store(true)
	d = startDaemon(t, dir)
	select {
	case <-feed.arrived:
	case <-time.After(15 * time.Second):
		t.Fatal("the daemon never fetched")
	}
	start := time.Now()
	r := watcher(t, dir, nil, "status")
	took := time.Since(start)
	switch {
	case onPostgres:
		if row := logLine(r.stdout, "slow "); r.code != exitOK || row == "" || !strings.Contains(row, " 1 ") {
			t.Errorf("status during a cycle on a database: exit %d, want 0 and the source's row\n%s%s", r.code, r.stdout, r.stderr)
		}
		t.Logf("status during a cycle answered after %s", took.Round(time.Millisecond))
	default:
		if r.code != exitFailed || !strings.Contains(r.stderr, "a cycle is running") || !strings.Contains(r.stderr, "http.listen") {
			t.Errorf("status during a cycle: exit %d, stderr %q; want 1 and the reason", r.code, r.stderr)
		}
		t.Logf("status during a cycle gave up after %s", took.Round(time.Millisecond))
	}
	d.stop(t)
}

// TestOnceEverySourceBackedOff: when every source rests after failing,
// --once exits 1 and says why in one ERROR line, rather than exit 0 with
// an INFO line.
func TestOnceEverySourceBackedOff(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "state: watcher.db\nsources:\n  - name: a\n    feed: http://127.0.0.1:9/feed\n"+
		"topics:\n  - id: t\n    title: T\n    query: x\n")
	for i := range 2 { // the second failure backs the source off for 2 minutes
		if r := watcher(t, dir, nil, "--once"); r.code != exitFailed {
			t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
		}
	}
	r := watcher(t, dir, nil, "--once")
	if !strings.Contains(r.stderr, "backed_off=1") {
		t.Fatalf("the third run did not back the source off:\n%s", r.stderr)
	}
	errLines := 0
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, "level=ERROR") {
			errLines++
			if !strings.Contains(l, "no source could be read this run") || !strings.Contains(l, "backed off") {
				t.Errorf("the ERROR line does not say why: %s", l)
			}
		}
	}
	if r.code != exitFailed || errLines != 1 {
		t.Errorf("exit %d with %d ERROR lines, want 1 and 1:\n%s", r.code, errLines, r.stderr)
	}
}

// TestRunAtStartOff: with run_at_start: false the daemon waits for the
// schedule: it starts, and stops again, without reading its source.
func TestRunAtStartOff(t *testing.T) {
	feed := newStallingFeed(t)
	dir := t.TempDir()
	writeConfig(t, dir, fmt.Sprintf("state: watcher.db\nschedule: \"@every 1h\"\nrun_at_start: false\n"+
		"sources:\n  - name: slow\n    feed: %s/feed.xml\n"+
		"topics:\n  - id: watched\n    title: Watched\n    query: minister\n", feed.url))
	feed.stalling.Store(true) // so that any request is seen on arrived
	d := startDaemon(t, dir)
	d.waitFor(t, 10*time.Second, func(l string) bool { return strings.Contains(l, "watcher started") })
	d.stop(t)
	if strings.Contains(d.log.String(), "cycle done") || !strings.Contains(d.log.String(), "run_at_start=false") {
		t.Errorf("a cycle ran at start:\n%s", d.log.String())
	}
	select {
	case <-feed.arrived:
		t.Error("the source was read")
	default:
	}
}

// TestReloadDuringCycle: a reload while a cycle runs leaves that cycle on
// the configuration it began with; the new one is for the next cycle.
func TestReloadDuringCycle(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 4)
	slow := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`+
			`<item><guid>a</guid><title>Minister said</title><link>http://example.org/a</link></item></channel></rss>`)
	}))
	other := newStallingFeed(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	body := func(sources string) string {
		return "state: watcher.db\nschedule: \"@every 1h\"\nsources:\n" + sources +
			"topics:\n  - id: watched\n    title: Watched\n    query: minister\n"
	}
	one := fmt.Sprintf("  - name: slow\n    feed: %s/feed.xml\n", slow)
	writeConfigAt(t, cfgPath, body(one))
	d := startDaemon(t, dir)
	select {
	case <-arrived: // the first cycle waits on the slow feed
	case <-time.After(15 * time.Second):
		t.Fatal("the daemon never fetched")
	}
	writeConfigAt(t, cfgPath, body(one+fmt.Sprintf("  - name: other\n    feed: %s/feed.xml\n", other.url)))
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	d.waitFor(t, 10*time.Second, func(l string) bool { return strings.Contains(l, "configuration reloaded") })
	close(release)
	var done string
	d.waitFor(t, 15*time.Second, func(l string) bool {
		if strings.Contains(l, "cycle done") {
			done = l
			return true
		}
		return false
	})
	if !strings.Contains(done, " sources=1 ok=1 ") {
		t.Errorf("the running cycle did not finish on its own configuration: %s", done)
	}
	d.stop(t)
}
