package pgstate

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// cycleBatch is one cycle's write for sources sources with perSource new
// keys each (starting at item from), their states and a 16 KiB digest.
func cycleBatch(sources, perSource, from int, now time.Time, id string) state.Batch {
	b := state.Batch{Sources: map[string]state.Source{}, Seen: map[string][]string{}}
	for i := range sources {
		src := fmt.Sprintf("outlet-%04d", i)
		b.Sources[src] = state.Source{Initialized: true, ETag: `"v"`, LastSuccess: now, LastAttempt: now}
		b.Seen[src] = keys(src, from, perSource)
	}
	d := digest(id, now, "email", "webhook")
	d.Payload = make([]byte, 16<<10)
	b.Digest = d
	return b
}

// dbCPU reads the server's processor time, for the database's share of
// a benchmark's work.
func dbCPU(b *testing.B) time.Duration {
	b.Helper()
	d, err := server.CPUTime()
	if err != nil {
		b.Fatalf("database CPU time: %v", err)
	}
	return d
}

// BenchmarkCommit measures one cycle's Commit: 1,000 sources with 20 new
// items each (20,000 keys), their states and a digest, in one
// transaction, on a database that grows by that much each iteration;
// db-cpu-ms is the server's processor time for it.
func BenchmarkCommit(b *testing.B) {
	clk := newClock()
	s := openTemp(b, clk)
	n := 0
	var cpu time.Duration
	for b.Loop() {
		batch := cycleBatch(1000, 20, n*20, clk.Now(), fmt.Sprintf("cycle-%d", n))
		start := dbCPU(b)
		if err := s.Commit(ctx, batch); err != nil {
			b.Fatal(err)
		}
		cpu += dbCPU(b) - start
		clk.Advance(15 * time.Minute)
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*20000), "ns/key")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "db-cpu-ms/op")
}

// BenchmarkSeenKeys measures the cycle's question for one fetched feed,
// which of its 50 items are known, in a database of 100,000 keys.
func BenchmarkSeenKeys(b *testing.B) {
	clk := newClock()
	s := openTemp(b, clk)
	for n := range 5 {
		mustCommit(b, s, cycleBatch(1000, 20, n*20, clk.Now(), fmt.Sprintf("cycle-%d", n)))
	}
	asked := keys("outlet-0042", 75, 50) // 25 known, 25 new
	for b.Loop() {
		got, err := s.SeenKeys(ctx, "outlet-0042", asked)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 25 {
			b.Fatalf("%d keys known, want 25", len(got))
		}
	}
}

// walkClaims claims due the way a cycle is meant to: a chunk of limit
// names at a time (each call sends only those), starting at the
// replica's own offset and going round, until a whole round claims
// nothing.
func walkClaims(s *Store, replica string, offset int, due []string, limit int) ([]string, error) {
	var got []string
	for {
		claimed := 0
		for i := 0; i < len(due); i += limit {
			start := (offset*len(due)/3 + i) % len(due)
			chunk := due[start:min(start+limit, len(due))]
			batch, err := s.ClaimSources(ctx, replica, chunk, time.Hour, 0)
			if err != nil {
				return got, err
			}
			got = append(got, batch...)
			claimed += len(batch)
		}
		if claimed == 0 {
			return got, nil
		}
	}
}

// BenchmarkClaimSources measures one cycle's claiming of 5,000 due
// sources by 1, 2 and 3 replicas (a pool each) at once, 100 at a time;
// an op is the whole cycle's claiming. "whole" passes every due name to
// each claim (with a limit of 100), "chunks" passes 100 names a claim.
func BenchmarkClaimSources(b *testing.B) {
	due := names(5000)
	for _, mode := range []string{"whole", "chunks"} {
		for _, replicas := range []int{1, 2, 3} {
			b.Run(fmt.Sprintf("%s/replicas=%d", mode, replicas), func(b *testing.B) {
				url := server.NewDatabase(b)
				stores := make([]*Store, replicas)
				for i := range stores {
					stores[i] = openURL(b, url, nil)
				}
				var cpu time.Duration
				n := 0
				for b.Loop() {
					b.StopTimer()
					// A new cycle: every lease has run out.
					if _, err := stores[0].pool.Exec(ctx, "UPDATE source_leases SET expires_at = '-infinity'"); err != nil {
						b.Fatal(err)
					}
					start := dbCPU(b)
					b.StartTimer()
					var wg sync.WaitGroup
					counts := make([]int, replicas)
					for i, s := range stores {
						wg.Go(func() {
							claim := func() ([]string, error) { return claimAll(s, fmt.Sprintf("r%d", i), due, 100) }
							if mode == "chunks" {
								claim = func() ([]string, error) { return walkClaims(s, fmt.Sprintf("r%d", i), i, due, 100) }
							}
							got, err := claim()
							if err != nil {
								b.Error(err)
							}
							counts[i] = len(got)
						})
					}
					wg.Wait()
					cpu += dbCPU(b) - start
					n++
					total := 0
					for _, c := range counts {
						total += c
					}
					if total != len(due) {
						b.Fatalf("claimed %d of %d", total, len(due))
					}
				}
				b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "db-cpu-ms/op")
			})
		}
	}
}

// BenchmarkRemembered fills a database with 100,000 remembered keys
// over 1,000 sources (five cycles of 20 new items each) and reports the
// bytes they take: the seen table with its indexes, and the whole
// database (which includes PostgreSQL's catalog, some 7 MiB empty).
func BenchmarkRemembered(b *testing.B) {
	for b.Loop() {
		clk := newClock()
		s := openTemp(b, clk)
		for n := range 5 {
			mustCommit(b, s, cycleBatch(1000, 20, n*20, clk.Now(), fmt.Sprintf("cycle-%d", n)))
			clk.Advance(15 * time.Minute)
		}
		var seen, sources, db int64
		if err := s.pool.QueryRow(ctx, `SELECT pg_total_relation_size('seen'), pg_total_relation_size('sources'),
			pg_database_size(current_database())`).Scan(&seen, &sources, &db); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(seen)/100000, "seen-B/key")
		b.ReportMetric(float64(seen)/(1<<20), "seen-MiB/100k")
		b.ReportMetric(float64(sources)/(1<<10), "sources-KiB/1k")
		b.ReportMetric(float64(db)/(1<<20), "db-MiB")
	}
}
