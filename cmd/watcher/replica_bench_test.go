package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BenchmarkReplicaCycle runs one cycle of 1, 2 and 3 `watcher --once
// --replica` at once over 1,000 and 5,000 synthetic feeds of 20 items
// each on a fresh PostgreSQL database (a first read: every item new and
// committed, 20,000 or 100,000):
// cycle-s is the wall time until the last replica ends, db-cpu-s the
// database server's processor time for it, seen-MiB/100k the seen table
// with its indexes per 100,000 items remembered. The feeds are spread
// over 50 loopback hosts with 30 ms of latency, as in make bench, so
// that replicas, which share hosts and not single sources, have hosts
// to share.
func BenchmarkReplicaCycle(b *testing.B) {
	const items = 20
	for _, feeds := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("feeds=%d", feeds), func(b *testing.B) { replicaCycles(b, feeds, items) })
	}
}

func replicaCycles(b *testing.B, feeds, items int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	const hosts = 50
	startFarm(b, "-addr", addr, "-hosts", fmt.Sprint(hosts), "-latency", "30ms", "-feeds", fmt.Sprint(feeds), "-items", fmt.Sprint(items))
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			var wall, cpu time.Duration
			var seenBytes, seenRows int64
			for range b.N {
				dbURL := postgres.NewDatabase(b)
				dir := b.TempDir()
				var cfg strings.Builder
				cfg.WriteString(strings.Replace(shippedHead(b), "state: watcher.db", "state: "+dbURL, 1) + "sources:\n")
				for i := range feeds {
					fmt.Fprintf(&cfg, "  - name: s%04d\n    feed: http://127.0.0.%d:%s/synthetic/%d\n", i, i%hosts+1, port, i)
				}
				cfg.WriteString("topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n")
				writeConfig(b, dir, cfg.String())
				cpu0, err := postgres.CPUTime()
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				var wg sync.WaitGroup
				runs := make([]result, n)
				for i := range n {
					wg.Go(func() { runs[i] = watcher(b, dir, nil, "--once", "--replica", fmt.Sprintf("r%d", i)) })
				}
				wg.Wait()
				wall += time.Since(start)
				cpu1, err := postgres.CPUTime()
				if err != nil {
					b.Fatal(err)
				}
				cpu += cpu1 - cpu0
				for i, r := range runs {
					if r.code != exitOK {
						b.Fatalf("replica r%d: exit %d\n%s", i, r.code, r.stderr)
					}
				}
				conn, err := pgx.Connect(context.Background(), dbURL)
				if err != nil {
					b.Fatal(err)
				}
				var size, rows int64
				err = conn.QueryRow(context.Background(), `SELECT pg_total_relation_size('seen'), (SELECT count(*) FROM seen)`).Scan(&size, &rows)
				conn.Close(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if rows != int64(feeds*items) {
					b.Fatalf("%d items remembered, want %d", rows, feeds*items)
				}
				seenBytes += size
				seenRows += rows
			}
			b.ReportMetric(wall.Seconds()/float64(b.N), "cycle-s")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "db-cpu-s")
			b.ReportMetric(float64(seenBytes)/float64(seenRows)*100000/(1<<20), "seen-MiB/100k")
			b.ReportMetric(0, "ns/op")
		})
	}
}
