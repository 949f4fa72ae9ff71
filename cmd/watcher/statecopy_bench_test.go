package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// BenchmarkStateCopy copies a state of 1,000 sources with 100 seen keys
// each (100,000 keys, seen over 50 cycles) and 50 digests from a bbolt
// file into PostgreSQL, and back into a new file.
func BenchmarkStateCopy(b *testing.B) {
	const sources, perSource, cycles = 1000, 100, 50
	dir := b.TempDir()
	from := filepath.Join(dir, "watcher.db")
	now := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	s, err := state.Open(from, state.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	for c := range cycles {
		now = now.Add(30 * time.Minute)
		batch := state.Batch{Sources: map[string]state.Source{}, Seen: map[string][]string{},
			Digest: &state.Digest{ID: fmt.Sprintf("d%d", c), Payload: []byte(`{}`), Sinks: map[string]*state.Delivery{"webhook": {}}}}
		for i := range sources {
			name := fmt.Sprintf("source-%04d", i)
			batch.Sources[name] = state.Source{Initialized: true, LastSuccess: now, LastAttempt: now}
			batch.Seen[name] = keys(name, c*perSource/cycles, perSource/cycles)
		}
		if err := s.Commit(batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var toPG, back time.Duration
	for i := 0; b.Loop(); i++ {
		url := postgres.NewDatabase(b)
		start := time.Now()
		n, err := copyState(ctx, from, url, false)
		if err != nil || n.seen != sources*perSource {
			b.Fatalf("copy to PostgreSQL: %+v, %v", n, err)
		}
		toPG += time.Since(start)
		start = time.Now()
		if n, err = copyState(ctx, url, filepath.Join(dir, fmt.Sprintf("back-%d.db", i)), false); err != nil || n.seen != sources*perSource {
			b.Fatalf("copy back: %+v, %v", n, err)
		}
		back += time.Since(start)
	}
	b.ReportMetric(toPG.Seconds()/float64(b.N), "s-to-pg/op")
	b.ReportMetric(back.Seconds()/float64(b.N), "s-back/op")
}
