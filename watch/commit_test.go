package watch

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/state"
)

// coldSources, coldKeys and coldBound shape a cold cycle whose commit the
// store must split; coldHits are the sources with a matching item.
const coldSources, coldKeys, coldBound = 60, 10, 100

var coldHits = map[int]bool{3: true, 42: true}

// commitWatcher builds a watcher over sources outlet-00 to outlet-(n-1)
// and topicsYAML on a real state file at a fixed time, for tests that hand
// its commit the outcomes crawlAll would leave. maxTxKeys bounds the
// store's transactions (0: the store's default).
func commitWatcher(t *testing.T, n int, topicsYAML string, maxTxKeys int) (*Watcher, *state.Store, *config.Config, time.Time) {
	t.Helper()
	var yaml strings.Builder
	yaml.WriteString("sources:\n")
	for i := range n {
		fmt.Fprintf(&yaml, "  - {name: outlet-%02d, feed: 'http://127.0.0.1:9/%d.xml'}\n", i, i)
	}
	yaml.WriteString(topicsYAML)
	cfg, err := config.Parse([]byte(yaml.String()), "config.yaml", config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	store, err := state.Open(filepath.Join(t.TempDir(), "watcher.db"), state.Options{Now: func() time.Time { return now }, MaxTxKeys: maxTxKeys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	w, err := New(cfg, store, Options{Now: func() time.Time { return now }, Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	return w, store, cfg, now
}

// coldCycle builds a watcher on a real state file, bounded to coldBound
// keys a transaction, and the outcomes of a cold cycle over coldSources
// sources, as crawlAll leaves them.
func coldCycle(t *testing.T) (*Watcher, *state.Store, []*sourceOutcome, []matched) {
	t.Helper()
	w, store, cfg, now := commitWatcher(t, coldSources, "topics:\n  - {id: azal, title: AZAL 8243, query: AZAL}\n", coldBound)
	var outcomes []*sourceOutcome
	var hits []matched
	for i, src := range cfg.Sources {
		o := &sourceOutcome{src: &cfg.Sources[i], next: state.Source{Initialized: true, LastSuccess: now}}
		for j := range coldKeys {
			it := item.Item{Source: src.Name, GUID: fmt.Sprintf("%s/%d", src.Name, j), Title: "AZAL flight 8243"}
			o.seen = append(o.seen, it.Key())
			if coldHits[i] && j == 0 {
				o.hits = append(o.hits, matched{item: it, hits: []match.Hit{{Topic: "azal"}}})
			}
		}
		hits = append(hits, o.hits...)
		outcomes = append(outcomes, o)
	}
	return w, store, outcomes, hits
}

// written reports whether outcome o's source state and all its keys are
// stored, and fails the test if only part of them is.
func written(t *testing.T, store *state.Store, o *sourceOutcome) bool {
	t.Helper()
	src, err := store.Source(o.src.Name)
	if err != nil {
		t.Fatal(err)
	}
	seen, err := store.SeenKeys(o.src.Name, o.seen)
	if err != nil {
		t.Fatal(err)
	}
	if whole := src.Initialized && len(seen) == len(o.seen); whole || (!src.Initialized && len(seen) == 0) {
		return whole
	}
	t.Errorf("source %s half written: state %v, %d of %d keys", o.src.Name, src.Initialized, len(seen), len(o.seen))
	return false
}

func TestCommitColdCycle(t *testing.T) {
	w, store, outcomes, hits := coldCycle(t)
	if err := w.commit(outcomes, hits, 0, nil); err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if !written(t, store, o) {
			t.Errorf("source %s not written", o.src.Name)
		}
	}
	if p, err := store.Pending(); err != nil || len(p) != 1 {
		t.Errorf("Pending = %d digests, %v; want 1", len(p), err)
	}
}

// TestCommitFailsBeforeDigest makes the last transaction of a split cold
// commit, the digest's, fail (its id is already stored): the sources
// without matches are written by then, which a single transaction would
// not have done, and the matched sources are not, so no matched item is
// seen without a digest to carry it.
func TestCommitFailsBeforeDigest(t *testing.T) {
	w, store, outcomes, hits := coldCycle(t)
	ds, _, err := w.digest(hits, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Commit(state.Batch{Digest: ds[0]}); err != nil {
		t.Fatal(err)
	}
	err = w.commit(outcomes, hits, 0, nil)
	if err == nil || !strings.Contains(err.Error(), "already stored") {
		t.Fatalf("commit = %v, want the digest's transaction to fail", err)
	}
	for i, o := range outcomes {
		switch got := written(t, store, o); {
		case coldHits[i] && got:
			t.Errorf("matched source %s written without its digest: its items would be lost", o.src.Name)
		case !coldHits[i] && !got:
			t.Errorf("source %s not written: the commit was not split", o.src.Name)
		}
	}
}
