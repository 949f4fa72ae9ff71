// Command cycle measures whole watcher cycles against a local feed server
// and compares them with the floor: a minimal program that only downloads
// every feed with the same concurrency and conditional headers.
//
// For each N it starts the feed server in synthetic mode (N feeds of 50
// items, a per-response latency, feeds spread over several loopback hosts)
// and runs `watcher --once` three times: cold (empty state), warm (nothing
// new: every feed should answer 304) and after two new items were added to
// every feed. It prints one Markdown table.
//
//	go run ./bench/cycle -watcher bin/watcher -farm /path/to/feedfarm -n 100,1000,5000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cycle:", err)
		os.Exit(1)
	}
}

type options struct {
	watcher, farm string
	sizes         []int
	latency       time.Duration
	hosts         int
	topics        int
	concurrency   int
	perHost       int
	peers         bool
	keep          bool
	profile       string
}

func run() error {
	var o options
	var sizes string
	flag.StringVar(&o.watcher, "watcher", "bin/watcher", "the watcher binary")
	flag.StringVar(&o.farm, "farm", "", "the feed server binary")
	flag.StringVar(&sizes, "n", "100,1000", "numbers of feeds, comma-separated")
	flag.DurationVar(&o.latency, "latency", 30*time.Millisecond, "added latency of every response")
	flag.IntVar(&o.hosts, "hosts", 50, "loopback hosts the feeds are spread over")
	flag.IntVar(&o.topics, "topics", 100, "generated topics on top of the three shipped ones")
	flag.IntVar(&o.concurrency, "concurrency", 16, "requests in flight (watcher and floor)")
	flag.IntVar(&o.perHost, "per-host", 2, "requests in flight per host (watcher and floor)")
	flag.BoolVar(&o.peers, "peers", false, "also time newsboat (installed from the system's packages)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directories")
	flag.StringVar(&o.profile, "profile", "", "write CPU and allocation profiles of every watcher run to this directory")
	flag.Parse()
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-n: bad size %q", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.farm == "" {
		return fmt.Errorf("-farm: the feed server binary is required")
	}
	for _, p := range []*string{&o.watcher, &o.farm} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	topics, err := topicsYAML(o.topics)
	if err != nil {
		return err
	}
	var rows []row
	for _, n := range o.sizes {
		r, err := measure(context.Background(), o, n, topics)
		if err != nil {
			return fmt.Errorf("N=%d: %w", n, err)
		}
		rows = append(rows, r...)
	}
	printTable(os.Stdout, o, rows)
	return nil
}

// printTable writes the results as Markdown.
func printTable(w io.Writer, o options, rows []row) {
	fmt.Fprintf(w, "latency %s, %d hosts, concurrency %d (per host %d), %d topics\n\n",
		o.latency, o.hosts, o.concurrency, o.perHost, o.topics+3)
	fmt.Fprintln(w, "| N | cycle | wall s | floor s | ratio | CPU s | peak RSS MB | requests | 304 | MB sent | new items | matched | state KB |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %d | %s | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %d | %.1f | %d | %d | %d |\n",
			r.n, r.phase, r.wall.Seconds(), r.floor.Seconds(), r.wall.Seconds()/r.floor.Seconds(),
			r.cpu.Seconds(), float64(r.rssKB)/1024, r.requests, r.notModified, float64(r.bytes)/1e6,
			r.newItems, r.matched, r.stateKB)
		for _, p := range r.peers {
			fmt.Fprintf(w, "|  | %s: %s | %.2f |  | %.2f | %.2f | %.1f |  |  |  |  |  |  |\n",
				r.phase, p.name, p.wall.Seconds(), r.wall.Seconds()/p.wall.Seconds(), p.cpu.Seconds(), float64(p.rssKB)/1024)
		}
	}
}
