package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// BenchmarkMonitorRefresh measures what the daemon adds to each cycle when
// the listener is on: reading the status, the recent matches and the
// gauges from a state file of 1,000 sources with 100 seen items each
// (100,000 keys), 100 open digests, a full recent bucket of 3 topics and
// the delivered digests the retention keeps: none, a few a day for 90
// days, and one every half-hour cycle for 90 days.
func BenchmarkMonitorRefresh(b *testing.B) {
	for _, delivered := range []int{0, 400, 4320} {
		b.Run(fmt.Sprintf("delivered=%d", delivered), func(b *testing.B) { benchmarkMonitorRefresh(b, delivered) })
	}
}

func benchmarkMonitorRefresh(b *testing.B, delivered int) {
	dir := b.TempDir()
	store, err := state.Open(filepath.Join(dir, "watcher.db"), state.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	cfg := &config.Config{Schedule: "*/30 * * * *", Location: time.UTC, HTTP: config.HTTP{Listen: "127.0.0.1:0"}}
	for i := range 1000 {
		cfg.Sources = append(cfg.Sources, config.Source{Name: fmt.Sprintf("s%04d", i), Feed: fmt.Sprintf("https://example.org/%d", i)})
	}
	for _, t := range []string{"a", "b", "c"} {
		cfg.Topics = append(cfg.Topics, config.Topic{ID: t, Title: t})
	}
	for batch := range 10 {
		bt := state.Batch{Sources: map[string]state.Source{}, Seen: map[string][]string{}}
		for i := batch * 100; i < batch*100+100; i++ {
			name := cfg.Sources[i].Name
			bt.Sources[name] = state.Source{Initialized: true, LastSuccess: time.Now()}
			for j := range 100 {
				bt.Seen[name] = append(bt.Seen[name], item.Key(name, fmt.Sprintf("https://example.org/%d/%d", i, j), "", ""))
			}
		}
		if err := store.Commit(bt); err != nil {
			b.Fatal(err)
		}
	}
	for d := range 100 {
		var recent []state.Match
		for _, t := range cfg.Topics {
			recent = append(recent, state.Match{Topic: t.ID, Key: fmt.Sprintf("k%d", d), Title: "t", URL: "https://example.org/x"})
		}
		dg := &state.Digest{ID: fmt.Sprintf("%012x", d), Created: time.Now(), Payload: []byte(`{}`), Sinks: map[string]*state.Delivery{"hook": {}}}
		if err := store.Commit(state.Batch{Digest: dg, Recent: recent}); err != nil {
			b.Fatal(err)
		}
	}
	for d := range delivered {
		dg := &state.Digest{ID: fmt.Sprintf("d%011x", d), Created: time.Now(), Payload: []byte(`{}`), Sinks: map[string]*state.Delivery{"hook": {}}}
		if err := store.Commit(state.Batch{Digest: dg}); err != nil {
			b.Fatal(err)
		}
		if _, err := store.RecordDelivery(dg.ID, "hook", nil, time.Time{}, 5); err != nil {
			b.Fatal(err)
		}
	}
	m := newMonitor(cfg, slog.New(slog.DiscardHandler))
	sum := watch.Summary{Sources: 1000, OK: 1000}
	for b.Loop() {
		m.refresh(context.Background(), m.cfg, store, &sum, nil)
	}
	if st := m.srv.Snapshot().Status; len(st.Sources) != 1000 || st.State.Pending != 100 || st.State.Delivered != delivered {
		b.Fatalf("snapshot: %d sources, %d pending, %d delivered", len(st.Sources), st.State.Pending, st.State.Delivered)
	}
}
