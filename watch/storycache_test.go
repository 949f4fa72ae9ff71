package watch

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/story"
)

// TestStoryCacheReadsAsTheState: a watcher that keeps the stories sent
// from cycle to cycle sees, every cycle, what one reading the whole state
// afresh sees: the records of later digests, a record another replica
// stored with an earlier time than the last one read (within the
// overlap), a record that cannot be decoded (left out), and none of those
// older than storyHistory.
func TestStoryCacheReadsAsTheState(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cfg, err := config.Parse([]byte("sources:\n  - {name: a, feed: 'http://127.0.0.1:9/a.xml'}\ntopics:\n  - {id: azal, title: AZAL, query: AZAL}\n"),
		"config.yaml", config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := state.Open(filepath.Join(t.TempDir(), "watcher.db"), state.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	newWatcher := func() *Watcher {
		w, err := New(cfg, store, Options{Now: clock, Stdout: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	digests := 0
	commit := func(created time.Time, ids ...string) {
		t.Helper()
		digests++
		b := state.Batch{Digest: &state.Digest{ID: fmt.Sprintf("d%d", digests), Sinks: map[string]*state.Delivery{"stdout": {}}}}
		for _, id := range ids {
			data := []byte("not json")
			if id != "bad" {
				rec := storyRecord{Topic: "azal", Story: alert.Report{Title: "story " + id, URL: "https://x.example/" + id},
					Prints: []story.Print{story.Fingerprint(story.Doc{Lang: "en", Published: created, Title: "AZAL flight 8243 " + id})}}
				if data, err = json.Marshal(rec); err != nil {
					t.Fatal(err)
				}
			}
			b.Stories = append(b.Stories, state.Story{ID: id, Created: created, Data: data})
		}
		if err := store.Commit(b); err != nil {
			t.Fatal(err)
		}
	}
	summary := func(ss []*sentStory) string {
		var out string
		for _, s := range ss {
			out += fmt.Sprintf("%s:%s:%d:%v ", s.id, s.ref.Title, len(s.prints), s.recent)
		}
		return out
	}
	kept := newWatcher()
	check := func(step string) {
		t.Helper()
		got, want := summary(kept.sentStories(now)), summary(newWatcher().sentStories(now))
		if got != want {
			t.Fatalf("%s: kept %q, read afresh %q", step, got, want)
		}
	}
	commit(now.Add(-storyHistory-time.Hour), "too-old")
	commit(now.Add(-3*time.Hour), "s1", "s2")
	check("first read")
	now = now.Add(time.Hour)
	commit(now, "s1", "s3", "bad") // a later report of s1, a new story, damage
	check("a later digest")
	commit(now.Add(-5*time.Minute), "s4") // another replica's, visible late
	now = now.Add(time.Hour)
	check("a record stored before the last one read")
	now = now.Add(storyHistory - 3*time.Hour) // s2 and the first s1 record leave the window
	check("records past the history")
	if got := summary(kept.sentStories(now)); got == "" {
		t.Fatal("no stories left; the test no longer covers expiry of some only")
	}
}
