package watch_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// BenchmarkFollowFirstCycle measures what following costs a cycle that
// starts with an empty cache (every `watcher --once`, and a daemon's
// first cycle): reading 10,000 archived items (the corpus's texts), their
// names and matches, with the three shipped topics following their story
// and no source to read. Later cycles of a daemon read only what is new.
func BenchmarkFollowFirstCycle(b *testing.B) {
	f, err := os.Open("../../shared/corpus/dev.jsonl")
	if err != nil {
		b.Skipf("corpus not checked out beside the repository: %v", err)
	}
	var items []corpusEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c corpusEntry
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			b.Fatal(err)
		}
		items = append(items, c)
	}
	f.Close()
	dir := b.TempDir()
	path := filepath.Join(dir, "config.yaml")
	raw, err := os.ReadFile("../config.yaml")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path, config.Options{ValidateQuery: match.ParseQuery})
	if err != nil {
		b.Fatal(err)
	}
	cfg.State, cfg.Sources = filepath.Join(dir, "watcher.db"), nil
	for i := range cfg.Topics {
		fl := config.DefaultFollow()
		cfg.Topics[i].Follow = &fl
	}
	store, err := state.Open(cfg.State, state.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	batch := state.Batch{Archive: map[string][]state.Archived{}}
	const n = 10000
	for i := range n {
		c := items[i%len(items)]
		src := fmt.Sprintf("outlet-%02d", i%20)
		batch.Archive[src] = append(batch.Archive[src], state.Archived{Key: fmt.Sprintf("%s-%d", c.ID, i), Source: src,
			URL: "https://example.org/" + c.ID, Title: c.Title, Summary: c.Summary, Body: c.Body, Published: c.Published})
	}
	if err := store.Commit(batch); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		w, err := watch.New(cfg, store, watch.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Cycle(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
}
