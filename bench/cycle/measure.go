package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// row is one measured cycle.
type row struct {
	n                 int
	phase             string
	wall, cpu, floor  time.Duration
	rssKB             int64
	anonKB            int64 // peak anonymous memory (see runPeak)
	requests          int64
	notModified       int64
	bytes             int64
	inflight          int64 // most requests in flight at once, watcher
	floorInflight     int64 // and floor
	newItems, matched int
	stateKB           int64
	peers             []peerResult
}

// setUp starts the feed server for n feeds, writes the watcher's
// configuration in a new directory and warms the server up, returning how
// long the warm-up took. The caller stops the farm and removes the
// directory.
func setUp(ctx context.Context, o options, n int, rc runConfig) (*farm, string, bounds, time.Duration, error) {
	f, err := startFarm(ctx, o, n)
	if err != nil {
		return nil, "", bounds{}, 0, err
	}
	dir, err := os.MkdirTemp("", "watcher-bench")
	if err != nil {
		f.stop()
		return nil, "", bounds{}, 0, err
	}
	fail := func(err error) (*farm, string, bounds, time.Duration, error) {
		f.stop()
		if !o.keep {
			os.RemoveAll(dir)
		}
		return nil, "", bounds{}, 0, err
	}
	rc.urls, rc.concurrency, rc.topics = f.urls(n), o.concurrency, generatedTopics(o.topics)
	b, err := writeConfig(dir, rc)
	if err != nil {
		return fail(err)
	}
	if len(b.urls) != n || len(b.hosts) != min(n, o.hosts) {
		return fail(fmt.Errorf("the configuration has %d sources on %d hosts, want %d on %d", len(b.urls), len(b.hosts), n, min(n, o.hosts)))
	}
	if err := checkConfig(ctx, o, dir); err != nil {
		return fail(err)
	}
	// The server builds a body on its first request (-lazy): one
	// unmeasured pass over every feed, so that the first measured cycle,
	// the watcher's, does not pay for the server's work while the floor
	// after it does not.
	warm, err := newFloor(b).cycle(ctx)
	if err != nil {
		return fail(fmt.Errorf("warm-up: %w", err))
	}
	return f, dir, b, warm, nil
}

// checkConfig has the watcher validate the configuration written for it,
// so that a configuration it refuses is reported as such before any run.
func checkConfig(ctx context.Context, o options, dir string) error {
	cmd := exec.CommandContext(ctx, o.watcher, "check", "--config", "config.yaml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("watcher check: %w\n%s", err, firstLines(string(out), 20))
	}
	return nil
}

// measure runs the three phases for the watcher and the floor on N feeds.
func measure(ctx context.Context, o options, n int) ([]row, bounds, error) {
	f, dir, b, _, err := setUp(ctx, o, n, runConfig{})
	if err != nil {
		return nil, b, err
	}
	defer f.stop()
	if !o.keep {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintf(os.Stderr, "N=%d: work directory %s\n", n, dir)
	}
	fl := newFloor(b)
	var rows []row
	for _, phase := range []string{"cold", "warm", "2 new items"} {
		if phase == "2 new items" {
			if err := f.post("/control/advance"); err != nil {
				return nil, b, err
			}
			if _, err := newFloor(b).cycle(ctx); err != nil { // warm-up, as above
				return nil, b, fmt.Errorf("warm-up: %w", err)
			}
		}
		r := row{n: n, phase: phase}
		if err := f.post("/control/reset-stats"); err != nil {
			return nil, b, err
		}
		if err := runWatcher(ctx, o, dir, &r); err != nil {
			return nil, b, err
		}
		st, err := f.stats()
		if err != nil {
			return nil, b, err
		}
		r.requests, r.notModified, r.bytes = st.Total.Requests, st.Total.Status304, st.Total.BytesSent
		r.inflight = st.Total.MaxInflight
		if fi, err := os.Stat(filepath.Join(dir, "watcher.db")); err == nil {
			r.stateKB = fi.Size() / 1024
		}
		if err := f.post("/control/reset-stats"); err != nil {
			return nil, b, err
		}
		if r.floor, err = fl.cycle(ctx); err != nil {
			return nil, b, fmt.Errorf("floor: %w", err)
		}
		if st, err = f.stats(); err != nil {
			return nil, b, err
		}
		r.floorInflight = st.Total.MaxInflight
		if o.peers && n <= o.peersMax {
			r.peers = runPeers(ctx, dir, b, phase)
		}
		fmt.Fprintf(os.Stderr, "N=%d %s: watcher %.2fs, floor %.2fs\n", n, phase, r.wall.Seconds(), r.floor.Seconds())
		rows = append(rows, r)
	}
	return rows, b, nil
}

// runPeak runs cmd and returns its peak RSS, read from /proc/PID/status
// (VmHWM) every 10 ms while it runs, the last reading being the peak
// (VmHWM only grows). Not from the rusage wait returns: on Linux a
// child's ru_maxrss also counts the RSS of the process that started it
// (Go starts commands with vfork, so the exec'ing child's old memory is
// this benchmark's), which made every figure at least the benchmark's
// own size: 146.6 MB for a 20,000-feed cold cycle and again for its warm
// one, whatever the watcher used.
//
// The second figure is the peak of the anonymous memory (RssAnon, as
// sampled; the kernel keeps no high-water mark of it): the heap and
// stacks, which a unit's MemoryMax cannot reclaim, where the rest of the
// RSS is the binary's and the state file's pages, which it can.
func runPeak(cmd *exec.Cmd) (peak, anon int64, err error) {
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			st := procStatus(status)
			peak, anon = max(peak, st["VmHWM"]), max(anon, st["RssAnon"])
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	// Wait reaps the process; the last reading is the one before it
	// exits, a zombie having no memory to report.
	err = cmd.Wait()
	close(done)
	<-stopped
	return peak, anon, err
}

var summaryRE = regexp.MustCompile(`msg="cycle done".* new=(\d+) matched=(\d+)`)

// runWatcher runs `watcher --once` in dir and fills the watcher's columns.
func runWatcher(ctx context.Context, o options, dir string, r *row) error {
	args := []string{"--once", "--config", "config.yaml"}
	if o.profile != "" {
		name := filepath.Join(o.profile, fmt.Sprintf("%d-%s", r.n, strings.ReplaceAll(r.phase, " ", "-")))
		args = append(args, "--cpuprofile", name+".cpu", "--memprofile", name+".mem")
	}
	cmd := exec.CommandContext(ctx, o.watcher, args...)
	cmd.Dir = dir
	var logb strings.Builder
	cmd.Stderr = &logb
	start := time.Now()
	hwm, anon, err := runPeak(cmd)
	r.wall = time.Since(start)
	if err != nil {
		return fmt.Errorf("watcher --once: %w\n%s", err, lastLines(logb.String(), 20))
	}
	ps := cmd.ProcessState
	r.cpu = ps.UserTime() + ps.SystemTime()
	r.rssKB, r.anonKB = hwm, anon
	m := summaryRE.FindStringSubmatch(logb.String())
	if m == nil {
		return fmt.Errorf("no summary line in the log:\n%s", lastLines(logb.String(), 20))
	}
	r.newItems, _ = strconv.Atoi(m[1])
	r.matched, _ = strconv.Atoi(m[2])
	if failed := summaryField(logb.String(), "failed"); failed != "0" {
		fmt.Fprintf(os.Stderr, "N=%d %s: %s sources failed\n", r.n, r.phase, failed)
	}
	return nil
}

// firstLines and lastLines keep a long log readable in an error.
func firstLines(s string, k int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[:min(k, len(lines))], "")
}

func lastLines(s string, k int) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-k):], "")
}
