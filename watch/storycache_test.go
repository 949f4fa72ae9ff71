package watch

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
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
	cfg, store := storyCacheRig(t, clock)
	newWatcher := func() *Watcher {
		// A replica: it reads the overlap again, for records other
		// replicas commit late (a watcher alone reads on from the last).
		w, err := New(cfg, store, Options{Now: clock, Stdout: io.Discard, Replica: "r1"})
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
				var err error
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
	summary := func(ss []*sentStory, counted *story.Index) string {
		out := fmt.Sprintf("counted %d: ", counted.Len())
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
	commit(now.Add(-storyHistory-24*time.Hour), "too-old") // the history counts to the day
	commit(now.Add(-3*time.Hour), "s1", "s2")
	check("first read")
	now = now.Add(time.Hour)
	commit(now, "s1", "s3", "bad") // a later report of s1, a new story, damage
	check("a later digest")
	commit(now.Add(-5*time.Minute), "s4") // another replica's, visible late
	now = now.Add(time.Hour)
	check("a record stored before the last one read")
	now = now.Add(2*story.Window - 90*time.Minute) // s2 can no longer be joined; s1 can
	check("a story past two windows")
	if ss, counted := kept.sentStories(now); len(ss) != 3 || counted.Len() != 1 {
		t.Fatalf("%d stories held, %d prints counted; want s1, s3, s4 held and s2's print counted", len(ss), counted.Len())
	}
	// A later record of a story counted (another replica held it
	// longer) is held with its own print; the earlier stays counted.
	commit(now, "s2")
	if got, afresh := summary(kept.sentStories(now)), summary(newWatcher().sentStories(now)); !strings.Contains(got, "counted 1: ") || !strings.Contains(got, "s2:story s2:1:true") || !strings.Contains(afresh, "counted 0: ") || !strings.Contains(afresh, "s2:story s2:2:true") {
		t.Fatalf("a later record of a story counted: kept %q, read afresh %q", got, afresh)
	}
	now = now.Add(storyHistory - 2*story.Window - 2*time.Hour) // s2's first record leaves the history
	check("records past the history")
	if ss, counted := kept.sentStories(now); len(ss) != 0 || counted.Len() == 0 {
		t.Fatalf("%d stories held, %d prints counted; want none held and some counted, or the test no longer covers expiry of some only", len(ss), counted.Len())
	}
}

// TestStoryCacheHoldsTheNewestStories: a topic that matched more stories
// in two story windows than maxHeldStories keeps the newest whole, for
// later reports to join, and only counts the prints of the others; a
// later report of the newest joins it, one of the oldest is a story of
// its own. Without the bound, a soak that alerted every cycle grew its
// heap and its cycle time with every story sent.
func TestStoryCacheHoldsTheNewestStories(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	cfg, store := storyCacheRig(t, clock)
	w, err := New(cfg, store, Options{Now: clock, Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	// Each story's report has a number and wording of its own, as
	// reports of different events do.
	print := func(i int, at time.Time, source string) story.Print {
		rnd := rand.New(rand.NewPCG(uint64(i), 1))
		words := []string{"AZAL", "hearing", fmt.Sprint(1000 + i)}
		for range 8 {
			words = append(words, string([]byte{byte('a' + rnd.IntN(26)), byte('a' + rnd.IntN(26)), byte('a' + rnd.IntN(26))}))
		}
		return story.Fingerprint(story.Doc{Source: source, Lang: "en", Published: at, Title: strings.Join(words, " ")})
	}
	total := maxHeldStories + 50
	for i := range total {
		at := start.Add(time.Duration(i) * time.Minute)
		rec := storyRecord{Topic: "azal", Story: alert.Report{Title: fmt.Sprint("story ", i), URL: fmt.Sprint("https://x.example/", i), Source: "a"},
			Prints: []story.Print{print(i, at, "a")}}
		data, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		b := state.Batch{Digest: &state.Digest{ID: fmt.Sprint("d", i), Sinks: map[string]*state.Delivery{"stdout": {}}},
			Stories: []state.Story{{ID: fmt.Sprint("s", i), Created: at, Data: data}}}
		if err := store.Commit(b); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			w.sentStories(now) // a daemon reads as the stories come
		}
		now = at
	}
	sent, counted := w.sentStories(now)
	if len(sent) != maxHeldStories {
		t.Fatalf("%d stories held, want the newest %d", len(sent), maxHeldStories)
	}
	if sent[0].id != fmt.Sprint("s", total-maxHeldStories) || counted.Len() != total-maxHeldStories {
		t.Fatalf("oldest held %s, %d prints counted; want s%d and %d", sent[0].id, counted.Len(), total-maxHeldStories, total-maxHeldStories)
	}
	later := func(i int) report {
		return report{entry: alert.Entry{Title: "later", URL: fmt.Sprint("https://y.example/", i), Source: "b"}, print: print(i, now.Add(time.Minute), "b")}
	}
	newest, oldest := total-1, 0
	entries, _ := groupStories(slog.New(slog.DiscardHandler), map[string][]report{"azal": {later(newest), later(oldest)}}, []string{"azal"}, sent, counted, nil)
	var joined, alone int
	for _, e := range entries["azal"] {
		switch {
		case e.Earlier != nil && e.Earlier.Title == fmt.Sprint("story ", newest):
			joined++
		case e.Earlier == nil && e.URL == fmt.Sprint("https://y.example/", oldest):
			alone++
		}
	}
	if joined != 1 || alone != 1 {
		for _, e := range entries["azal"] {
			if e.Earlier != nil {
				t.Logf("%s joined %s", e.URL, e.Earlier.Title)
			}
		}
		t.Fatalf("entries %+v: want a later report of the newest story as an addition to it and one of the oldest alone", entries["azal"])
	}
}

// TestStoryCacheHoldsTheNewestOfAllTopics: with many topics, the stories
// held in all are bounded too (maxHeldAll), the newest kept, whatever
// their topic; the others' prints are counted.
func TestStoryCacheHoldsTheNewestOfAllTopics(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	now := start
	store, err := state.Open(filepath.Join(t.TempDir(), "watcher.db"), state.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	w := &Watcher{store: store, log: slog.New(slog.DiscardHandler)}
	topics := 3 * maxHeldAll / maxHeldStories // each under its own cap
	perTopic := maxHeldStories / 2
	var b state.Batch
	for i := range topics * perTopic {
		rec := storyRecord{Topic: fmt.Sprint("t", i%topics), Story: alert.Report{Title: fmt.Sprint("story ", i)},
			Prints: []story.Print{story.Fingerprint(story.Doc{Lang: "en", Published: now, Title: fmt.Sprint("Report ", i)})}}
		data, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		b.Stories = append(b.Stories, state.Story{ID: fmt.Sprint("s", i), Created: now.Add(time.Duration(i) * time.Millisecond), Data: data})
		if len(b.Stories) == topics { // one digest a round of the topics
			b.Digest = &state.Digest{ID: fmt.Sprint("d", i), Sinks: map[string]*state.Delivery{"stdout": {}}}
			if err := store.Commit(b); err != nil {
				t.Fatal(err)
			}
			b = state.Batch{}
		}
	}
	now = now.Add(time.Minute)
	sent, counted := w.sentStories(now)
	if len(sent) != maxHeldAll || counted.Len() != topics*perTopic-maxHeldAll {
		t.Fatalf("%d stories held, %d prints counted; want %d held and %d counted", len(sent), counted.Len(), maxHeldAll, topics*perTopic-maxHeldAll)
	}
	if oldest := sent[0].id; oldest != fmt.Sprint("s", topics*perTopic-maxHeldAll) {
		t.Fatalf("the oldest story held is %s; want the newest %d of all topics", oldest, maxHeldAll)
	}
}

// storyCacheRig is the configuration of one source and one topic (azal),
// and a state file on clock, that the story cache tests commit to.
func storyCacheRig(t *testing.T, clock func() time.Time) (*config.Config, *state.Store) {
	t.Helper()
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
	return cfg, store
}
