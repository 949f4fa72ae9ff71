// Command cycle measures whole watcher cycles against a local feed server
// and compares them with the floor: a minimal program that only downloads
// every feed with the same hosts, bounds and conditional headers.
//
// The watcher runs with the repository's config.yaml as shipped (fetch,
// delivery, schedule, retention), its sources replaced by the benchmark's
// feeds and its topics extended by generated ones; the one setting changed
// is fetch.concurrency, set to the floor's so that both run at the same
// parallelism. The floor takes its per-host bound from the same file.
//
// For each N it starts the feed server in synthetic mode (N feeds of 50
// items, a per-response latency, feeds spread over -hosts loopback hosts)
// and runs `watcher --once` three times: cold (empty state), warm (nothing
// new: every feed should answer 304) and after two new items were added to
// every feed. It prints one Markdown table.
//
// With -soak K it runs the watcher as a daemon instead, for K cycles with
// new items in every feed before each, and reports how the cycle time and
// the daemon's memory move from cycle to cycle.
//
//	go run ./bench/cycle -farm bin/feedfarm -n 1000,5000,20000
//	go run ./bench/cycle -farm bin/feedfarm -n 1000 -soak 200
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
	peers         bool
	peersMax      int
	keep          bool
	profile       string
	soak          int
	soakEvery     time.Duration
	soakCSV       string
	soakLog       string
	farmLifetime  time.Duration
}

func run() error {
	var o options
	var sizes string
	flag.StringVar(&o.watcher, "watcher", "bin/watcher", "the watcher binary")
	flag.StringVar(&o.farm, "farm", "", "the feed server binary")
	flag.StringVar(&sizes, "n", "100,1000", "numbers of feeds, comma-separated")
	flag.DurationVar(&o.latency, "latency", 30*time.Millisecond, "added latency of every response")
	flag.IntVar(&o.hosts, "hosts", 50, "loopback hosts the feeds are spread over (watcher and floor)")
	flag.IntVar(&o.topics, "topics", 100, "generated topics on top of the shipped ones")
	flag.IntVar(&o.concurrency, "concurrency", 32, "requests in flight, all hosts: the floor's, and the watcher's fetch.concurrency")
	flag.BoolVar(&o.peers, "peers", false, "also time newsboat, urlwatch and rss2email (from the system's packages)")
	flag.IntVar(&o.peersMax, "peers-max", 1000, "with -peers, time them only up to this many feeds")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directories")
	flag.StringVar(&o.profile, "profile", "", "write CPU and allocation profiles of every --once run (with -soak: the daemon's heap at its end) to this directory")
	flag.IntVar(&o.soak, "soak", 0, "run the daemon for this many cycles with new items instead of the --once phases")
	flag.DurationVar(&o.soakEvery, "soak-every", 0, "the daemon's tick in the soak (whole seconds; 0: four times the floor's first cycle)")
	flag.StringVar(&o.soakCSV, "soak-csv", "", "write every soak cycle to this CSV file")
	flag.StringVar(&o.soakLog, "soak-log", "", "copy the daemon's log (and with GODEBUG=gctrace=1 in the environment, which the daemon inherits, the collector's trace of the live heap) to this file")
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
	if o.hosts < 1 || o.hosts > 254 {
		return fmt.Errorf("-hosts %d: want 1 to 254 (127.0.0.1 … 127.0.0.K)", o.hosts)
	}
	for _, p := range []*string{&o.watcher, &o.farm} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	// The feed server stops by itself in case this program is killed.
	o.farmLifetime = 2 * time.Hour
	if o.soak > 0 {
		o.farmLifetime += time.Duration(o.soak) * max(o.soakEvery, 10*time.Second)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.soak > 0 {
		return runSoaks(ctx, o)
	}
	var rows []row
	var b bounds
	for _, n := range o.sizes {
		r, bn, err := measure(ctx, o, n)
		if err != nil {
			return fmt.Errorf("N=%d: %w", n, err)
		}
		rows, b = append(rows, r...), bn
	}
	printHeader(os.Stdout, o, b)
	printTable(os.Stdout, rows)
	return nil
}

// runSoaks runs a soak at every size and prints their summaries.
func runSoaks(ctx context.Context, o options) error {
	var res []soakResult
	var b bounds
	for _, n := range o.sizes {
		s, bn, err := soak(ctx, o, n)
		res, b = append(res, s), bn
		if err != nil {
			return fmt.Errorf("N=%d soak: %w", n, err)
		}
	}
	if o.soakCSV != "" {
		if err := writeSoakCSV(o.soakCSV, res); err != nil {
			return err
		}
	}
	printHeader(os.Stdout, o, b)
	for _, s := range res {
		printSoak(os.Stdout, s)
	}
	return nil
}
