package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// farmStats is the part of the feed server's /control/stats we report.
type farmStats struct {
	Total struct {
		Requests    int64 `json:"requests"`
		Status304   int64 `json:"status_304"`
		BytesSent   int64 `json:"bytes_sent"`
		MaxInflight int64 `json:"max_inflight"`
	} `json:"total"`
}

// newItems is how many items every advance of the server adds to every
// feed.
const newItems = 2

// farm is a running feed server.
type farm struct {
	base  string
	port  int
	cmd   *exec.Cmd
	hosts int
}

// startFarm starts the feed server with n synthetic feeds, answering on
// 127.0.0.1 … 127.0.0.K at one port. -hosts needs a fixed port, so a free
// one is picked first; another program may take it on one of the other
// addresses in between, hence a few tries.
//
// The server runs with -lazy: it builds a body on the first request for
// it. Built up front, bodies are made for the host of -addr only, and a
// feed spread to another host is built again on its first request there,
// so with 50 hosts pregeneration is wasted work (at 20,000 feeds, about
// 2 GB and tens of seconds); the unmeasured warm-up pass before every
// measured cycle builds each body once, for the host it is read from.
func startFarm(ctx context.Context, o options, n int) (*farm, error) {
	var errs []error
	for range 3 {
		f, err := tryFarm(ctx, o, n)
		if err == nil {
			return f, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func tryFarm(ctx context.Context, o options, n int) (*farm, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.CommandContext(ctx, o.farm, "-addr", fmt.Sprintf("127.0.0.1:%d", port),
		"-feeds", strconv.Itoa(n), "-items", "50", "-new", strconv.Itoa(newItems), "-latency", o.latency.String(),
		"-hosts", strconv.Itoa(o.hosts), "-lazy", "-lifetime", o.farmLifetime.String())
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
		cmd.Wait()
		return nil, fmt.Errorf("feed server did not start: %w", err)
	}
	return &farm{base: strings.TrimSpace(strings.TrimPrefix(line, "listening ")), port: port, cmd: cmd, hosts: o.hosts}, nil
}

func (f *farm) stop() { f.cmd.Process.Signal(syscall.SIGTERM); f.cmd.Wait() }

// feedURL spreads feed i over the loopback hosts, as real feeds come from
// many hosts: feed i is on 127.0.0.(i mod K + 1).
func (f *farm) feedURL(i int) string {
	return fmt.Sprintf("http://127.0.0.%d:%d/synthetic/%d", i%f.hosts+1, f.port, i)
}

func (f *farm) urls(n int) []string {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = f.feedURL(i)
	}
	return urls
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
