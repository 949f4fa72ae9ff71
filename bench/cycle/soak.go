package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// soakCycle is one cycle of the daemon in a soak.
type soakCycle struct {
	k        int
	at       time.Time // when its summary line was read
	duration time.Duration
	// newItems, failed and notReached are from the summary line.
	newItems, failed, notReached int
	// RSS right after the cycle, its anonymous and file-backed parts (the
	// state file is memory-mapped), and the peak so far, from /proc.
	rssKB, anonKB, fileKB, hwmKB int64
	stateKB                      int64
	// idleKB is the RSS between this cycle and the next, once the
	// daemon has closed the state (its file's mapped pages go with it)
	// and the server has been advanced: what the daemon holds while it
	// waits, most of its life.
	idleKB int64
	// liveMB is the live heap after the collections that end the cycle,
	// from the runtime's trace (whole MB): the daemon's own memory,
	// without the state file's pages or the garbage a cycle leaves until
	// the next collection. -1 when the trace had none.
	liveMB int64
	// overlapped: the cycle began before the server had been advanced
	// and warmed up for it, so it competed with that for the CPU and may
	// have seen fewer new items.
	overlapped bool
}

// soakResult is a whole soak at one size.
type soakResult struct {
	n      int
	every  time.Duration
	cycles []soakCycle
}

// soak runs the watcher as a daemon for o.soak cycles over n feeds, with
// new items in every feed before every cycle after the first, and records
// each cycle's duration (from its summary line) and the daemon's memory.
func soak(ctx context.Context, o options, n int) (soakResult, bounds, error) {
	res := soakResult{n: n, every: o.soakEvery}
	// A placeholder tick, replaced below once the warm-up has been timed.
	f, dir, b, warm, err := setUp(ctx, o, n, runConfig{schedule: "@every 1h"})
	if err != nil {
		return res, b, err
	}
	defer f.stop()
	if !o.keep {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintf(os.Stderr, "N=%d: work directory %s\n", n, dir)
	}
	if res.every == 0 {
		// Time for the cycle (about twice the floor's, which a warm-up
		// pass is) and the next warm-up, with room to spare, rounded up
		// to the whole seconds the schedule ticks in.
		res.every = max(time.Second, (4*warm + time.Second - 1).Truncate(time.Second))
	}
	rc := runConfig{urls: b.urls, concurrency: b.concurrency, topics: generatedTopics(o.topics),
		schedule: "@every " + res.every.String()}
	if b, err = writeConfig(dir, rc); err != nil {
		return res, b, err
	}
	fmt.Fprintf(os.Stderr, "N=%d: soak of %d daemon cycles, one every %s\n", n, o.soak, res.every)
	res.cycles, err = runDaemon(ctx, o, dir, f, b, res.every)
	return res, b, err
}

// runDaemon starts `watcher --config config.yaml` in dir and follows its
// log for o.soak cycles. After each cycle it adds new items to every feed
// and warms the server up, then waits for the next tick.
func runDaemon(ctx context.Context, o options, dir string, f *farm, b bounds, every time.Duration) ([]soakCycle, error) {
	args := []string{"--config", "config.yaml"}
	if o.profile != "" {
		// The heap at the end of the soak, to see what stays behind.
		heap, err := filepath.Abs(filepath.Join(o.profile, fmt.Sprintf("soak-%d-%dcycles.mem.pprof", len(b.urls), o.soak)))
		if err != nil {
			return nil, err
		}
		args = append(args, "--memprofile", heap)
	}
	cmd := exec.CommandContext(ctx, o.watcher, args...)
	cmd.Dir = dir
	// The collector's trace, for the live heap after each cycle (see
	// soakCycle.liveMB): a line a collection, on standard error.
	cmd.Env = append(os.Environ(), "GODEBUG="+withGCTrace(os.Getenv("GODEBUG")))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	var logr io.Reader = stderr
	if o.soakLog != "" {
		lf, err := os.Create(o.soakLog)
		if err != nil {
			return nil, fmt.Errorf("-soak-log: %w", err)
		}
		defer lf.Close()
		logr = io.TeeReader(stderr, lf)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the daemon: %w", err)
	}
	defer stopDaemon(cmd)
	log := newLogTail(50)
	lines := make(chan logLine, 16)
	var live atomic.Int64
	live.Store(-1)
	go follow(logr, log, lines, &live)
	wait := max(5*time.Minute, 20*every)
	var cycles []soakCycle
	var warmEnd time.Time
	for k := 1; k <= o.soak; k++ {
		var l logLine
		select {
		case got, ok := <-lines:
			if !ok {
				return cycles, fmt.Errorf("the daemon stopped after %d cycles:\n%s", k-1, log.String())
			}
			l = got
		case <-time.After(wait):
			return cycles, fmt.Errorf("no cycle ended within %s:\n%s", wait, log.String())
		}
		c, err := l.cycle(k)
		if err != nil {
			return cycles, err
		}
		c.overlapped = c.at.Add(-c.duration).Before(warmEnd)
		if err := readProc(cmd.Process.Pid, &c); err != nil {
			return cycles, err
		}
		if fi, err := os.Stat(filepath.Join(dir, "watcher.db")); err == nil {
			c.stateKB = fi.Size() / 1024
		}
		cycles = append(cycles, c)
		if k%10 == 0 || k == o.soak {
			fmt.Fprintf(os.Stderr, "cycle %d: %s, RSS %.1f MB, %d new\n", k, c.duration, float64(c.rssKB)/1024, c.newItems)
		}
		if k == o.soak {
			time.Sleep(time.Second) // for the state to be closed
			cycles[len(cycles)-1].idleKB = idleRSS(cmd.Process.Pid)
			cycles[len(cycles)-1].liveMB = live.Swap(-1)
			break
		}
		if err := f.post("/control/advance"); err != nil {
			return cycles, err
		}
		if _, err := newFloor(b).cycle(ctx); err != nil {
			return cycles, fmt.Errorf("warm-up: %w", err)
		}
		warmEnd = time.Now()
		cycles[len(cycles)-1].idleKB = idleRSS(cmd.Process.Pid)
		cycles[len(cycles)-1].liveMB = live.Swap(-1)
	}
	return cycles, nil
}

// stopDaemon stops the daemon as systemd would, and kills it if it does
// not end.
func stopDaemon(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
	}
}

// logLine is a "cycle done" line of the daemon's log.
type logLine struct {
	at     time.Time
	fields map[string]string
}

func (l logLine) cycle(k int) (soakCycle, error) {
	c := soakCycle{k: k, at: l.at}
	var err error
	if c.duration, err = time.ParseDuration(l.fields["duration"]); err != nil {
		return c, fmt.Errorf("cycle %d: summary duration: %w", k, err)
	}
	c.newItems, _ = strconv.Atoi(l.fields["new"])
	c.failed, _ = strconv.Atoi(l.fields["failed"])
	c.notReached, _ = strconv.Atoi(l.fields["not_reached"])
	return c, nil
}

// follow reads the daemon's log, keeps its tail and passes on every
// "cycle done" line with the time it was read; it keeps in live the live
// heap after the last forced collection the trace shows (the daemon's,
// after each cycle). It closes lines at the end of the log.
func follow(r io.Reader, tail *logTail, lines chan<- logLine, live *atomic.Int64) {
	defer close(lines)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20) // failed_sources can be long
	for sc.Scan() {
		s := sc.Text()
		if mb, ok := forcedLiveMB(s); ok {
			live.Store(mb)
			continue
		} else if strings.HasPrefix(s, "gc ") {
			continue // the trace is not the log
		}
		tail.add(s)
		if strings.Contains(s, `msg="cycle done"`) {
			lines <- logLine{at: time.Now(), fields: logFields(s)}
		}
	}
}

// gcForcedRE matches a forced collection in the runtime's trace
// (GODEBUG=gctrace=1): "gc 12 @3.1s 0%: ..., 27->27->10 MB, ... (forced)",
// the heap at its start, at its end, and live after it.
var gcForcedRE = regexp.MustCompile(`^gc \d+ @.* (\d+)->(\d+)->(\d+) MB,.*\(forced\)$`)

// forcedLiveMB returns the live heap after the collection of a forced
// collection's trace line.
func forcedLiveMB(line string) (int64, bool) {
	m := gcForcedRE.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	mb, err := strconv.ParseInt(m[3], 10, 64)
	return mb, err == nil
}

// withGCTrace returns a GODEBUG value with gctrace=1 added to godebug's.
func withGCTrace(godebug string) string {
	if godebug == "" {
		return "gctrace=1"
	}
	return godebug + ",gctrace=1"
}

// logTail keeps the last lines of a log for error messages.
type logTail struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func newLogTail(k int) *logTail { return &logTail{max: k} }

func (t *logTail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, s)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

func (t *logTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// logFieldRE matches one key=value of a log line in slog's text format,
// the value bare or quoted.
var logFieldRE = regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S*)`)

func logFields(line string) map[string]string {
	m := map[string]string{}
	for _, kv := range logFieldRE.FindAllStringSubmatch(line, -1) {
		v := kv[2]
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		m[kv[1]] = v
	}
	return m
}

// summaryField returns a field of the last "cycle done" line of log.
func summaryField(log, key string) string {
	i := strings.LastIndex(log, `msg="cycle done"`)
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(log[strings.LastIndex(log[:i], "\n")+1:], "\n")
	return logFields(line)[key]
}

// idleRSS is the daemon's RSS now, or 0 if /proc cannot tell.
func idleRSS(pid int) int64 {
	return procStatus(fmt.Sprintf("/proc/%d/status", pid))["VmRSS"]
}

// readProc fills the memory figures of c from /proc/PID/status.
func readProc(pid int, c *soakCycle) error {
	st := procStatus(fmt.Sprintf("/proc/%d/status", pid))
	if st == nil {
		return fmt.Errorf("the daemon's memory: /proc/%d/status unreadable", pid)
	}
	c.rssKB, c.hwmKB, c.anonKB, c.fileKB = st["VmRSS"], st["VmHWM"], st["RssAnon"], st["RssFile"]
	return nil
}

// procStatus reads the numeric fields of a /proc status file (in kB for
// the memory ones), nil if it cannot be read.
func procStatus(path string) map[string]int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	out := map[string]int64{}
	for _, line := range strings.Split(string(data), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64); err == nil {
			out[key] = kb
		}
	}
	return out
}
