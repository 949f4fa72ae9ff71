package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// row is one measured cycle.
type row struct {
	n                 int
	phase             string
	wall, cpu, floor  time.Duration
	rssKB             int64
	requests          int64
	notModified       int64
	bytes             int64
	newItems, matched int
	stateKB           int64
	peers             []peerResult
}

// farmStats is the part of the feed server's /control/stats we report.
type farmStats struct {
	Total struct {
		Requests  int64 `json:"requests"`
		Status304 int64 `json:"status_304"`
		BytesSent int64 `json:"bytes_sent"`
	} `json:"total"`
}

// farm is a running feed server.
type farm struct {
	base  string
	port  int
	cmd   *exec.Cmd
	hosts int
}

func startFarm(ctx context.Context, o options, n int) (*farm, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.CommandContext(ctx, o.farm, "-addr", fmt.Sprintf("127.0.0.1:%d", port),
		"-feeds", strconv.Itoa(n), "-items", "50", "-latency", o.latency.String(),
		"-hosts", strconv.Itoa(o.hosts), "-lifetime", "30m")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		return nil, fmt.Errorf("feed server did not start: %w", err)
	}
	return &farm{base: strings.TrimSpace(strings.TrimPrefix(line, "listening ")), port: port, cmd: cmd, hosts: o.hosts}, nil
}

func (f *farm) stop() { f.cmd.Process.Signal(syscall.SIGTERM); f.cmd.Wait() }

// feedURL spreads feed i over the loopback hosts, as real feeds come from
// many hosts.
func (f *farm) feedURL(i int) string {
	return fmt.Sprintf("http://127.0.0.%d:%d/synthetic/%d", i%f.hosts+1, f.port, i)
}

func (f *farm) post(path string) error {
	resp, err := http.Post(f.base+path, "", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s", path, resp.Status)
	}
	return nil
}

func (f *farm) stats() (farmStats, error) {
	var s farmStats
	resp, err := http.Get(f.base + "/control/stats")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// measure runs the three phases for the watcher and the floor on N feeds.
func measure(ctx context.Context, o options, n int, topics string) ([]row, error) {
	f, err := startFarm(ctx, o, n)
	if err != nil {
		return nil, err
	}
	defer f.stop()
	dir, err := os.MkdirTemp("", "watcher-bench")
	if err != nil {
		return nil, err
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	urls := make([]string, n)
	for i := range urls {
		urls[i] = f.feedURL(i)
	}
	if err := writeConfig(dir, o, urls, topics); err != nil {
		return nil, err
	}
	// The server builds some representations on first request (gzip):
	// one unmeasured pass over every feed, so that the first measured
	// cycle, the watcher's, does not pay for the server's warm-up while
	// the floor after it does not.
	if _, err := newFloor(o, urls).cycle(ctx); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	fl := newFloor(o, urls)
	var rows []row
	for _, phase := range []string{"cold", "warm", "2 new items"} {
		if phase == "2 new items" {
			if err := f.post("/control/advance"); err != nil {
				return nil, err
			}
			if _, err := newFloor(o, urls).cycle(ctx); err != nil { // warm-up, as above
				return nil, fmt.Errorf("warm-up: %w", err)
			}
		}
		r := row{n: n, phase: phase}
		if err := f.post("/control/reset-stats"); err != nil {
			return nil, err
		}
		if err := runWatcher(ctx, o, dir, &r); err != nil {
			return nil, err
		}
		st, err := f.stats()
		if err != nil {
			return nil, err
		}
		r.requests, r.notModified, r.bytes = st.Total.Requests, st.Total.Status304, st.Total.BytesSent
		if fi, err := os.Stat(filepath.Join(dir, "watcher.db")); err == nil {
			r.stateKB = fi.Size() / 1024
		}
		if r.floor, err = fl.cycle(ctx); err != nil {
			return nil, fmt.Errorf("floor: %w", err)
		}
		if o.peers {
			r.peers = runPeers(ctx, dir, urls, phase)
		}
		fmt.Fprintf(os.Stderr, "N=%d %s: watcher %.2fs, floor %.2fs\n", n, phase, r.wall.Seconds(), r.floor.Seconds())
		rows = append(rows, r)
	}
	return rows, nil
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
	err := cmd.Run()
	r.wall = time.Since(start)
	if err != nil {
		return fmt.Errorf("watcher --once: %w\n%s", err, logb.String())
	}
	ps := cmd.ProcessState
	r.cpu = ps.UserTime() + ps.SystemTime()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		r.rssKB = ru.Maxrss
	}
	m := summaryRE.FindStringSubmatch(logb.String())
	if m == nil {
		return fmt.Errorf("no summary line in the log:\n%s", logb.String())
	}
	r.newItems, _ = strconv.Atoi(m[1])
	r.matched, _ = strconv.Atoi(m[2])
	return nil
}

// writeConfig writes the watcher's configuration: N feed sources, the
// shipped topics plus generated ones, no sink (digests to stdout).
func writeConfig(dir string, o options, urls []string, topics string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "state: watcher.db\nfetch:\n  host_delay: 0s\n  concurrency: %d\n  per_host: %d\n  timeout: 60s\n",
		o.concurrency, o.perHost)
	b.WriteString("sources:\n")
	for i, u := range urls {
		fmt.Fprintf(&b, "  - name: feed-%d\n    feed: %s\n", i, u)
	}
	b.WriteString(topics)
	return os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(b.String()), 0o600)
}
