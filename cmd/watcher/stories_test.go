package main

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStoriesOverTheTimeline serves the corpus on the feed server's
// virtual clock and moves it on through the story, running `watcher
// --once` at the end of every day (or half hour, the shipped schedule) in
// which a relevant item appeared: the whole pipeline (feeds, article
// pages, the shipped topics, the stories kept in the state file). It
// measures entries per digest before and after grouping, against the
// hand-made labels of which items report the same event, and fails if a
// story holds reports of two events or a report is delivered twice.
func TestStoriesOverTheTimeline(t *testing.T) {
	if testing.Short() {
		t.Skip("about 140 runs of the watcher")
	}
	t.Parallel()
	for _, tc := range []struct {
		name    string
		cadence time.Duration
	}{
		{"daily", 24 * time.Hour},
		{"every 30 minutes (the shipped schedule)", 30 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) { storiesOverTheTimeline(t, tc.cadence) })
	}
}

func storiesOverTheTimeline(t *testing.T, cadence time.Duration) {
	corpusPath := filepath.Join(sharedDir, "corpus/dev.jsonl")
	f := startFarm(t, "-corpus", corpusPath, "-now", "2024-12-24T00:00:00Z")
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	writeConfig(t, dir, timelineConfig(t, f, hookURL))

	data, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	event := storyLabels(t, data)
	var days []time.Time
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c struct {
			Published time.Time `json:"published"`
			Topics    []string  `json:"topics"`
		}
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		if end := c.Published.UTC().Truncate(cadence).Add(cadence); len(c.Topics) > 0 && !slices.Contains(days, end) {
			days = append(days, end)
		}
	}
	slices.SortFunc(days, time.Time.Compare)

	if r := watcher(t, dir, nil, "--once"); r.code != exitOK { // the first read: silent
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	for _, day := range days {
		f.post(t, "/control/now?t="+day.Format(time.RFC3339))
		if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
			t.Fatalf("run to %s: exit %d\n%s", day.Format(time.DateOnly), r.code, r.stderr)
		}
	}

	// first maps a story's first report to the events of all its reports.
	first := map[string]map[string]bool{}
	delivered := map[string]int{}
	var digests, entries, reports, additions int
	hook.mu.Lock()
	bodies := slices.Clone(hook.digests)
	hook.mu.Unlock()
	for _, raw := range bodies {
		var d struct {
			Topics []struct {
				ID    string `json:"id"`
				Items []struct {
					URL        string `json:"url"`
					Also       []struct{ URL string }
					AdditionTo *struct{ URL string } `json:"addition_to"`
				} `json:"items"`
			} `json:"topics"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		digests++
		for _, tp := range d.Topics {
			for _, it := range tp.Items {
				entries++
				head := tp.ID + " " + path.Base(it.URL)
				if it.AdditionTo != nil {
					additions++
					head = tp.ID + " " + path.Base(it.AdditionTo.URL)
				}
				if first[head] == nil {
					first[head] = map[string]bool{}
				}
				for _, u := range append([]string{it.URL}, urls(it.Also)...) {
					reports++
					delivered[tp.ID+" "+path.Base(u)]++
					first[head][event[path.Base(u)]] = true
				}
				if it.AdditionTo != nil {
					first[head][event[path.Base(it.AdditionTo.URL)]] = true
				}
			}
		}
	}
	wrong := 0
	for head, events := range first {
		if len(events) > 1 {
			wrong++
			t.Errorf("the story first reported by %s holds reports of %d events: %v", head, len(events), events)
		}
	}
	for r, n := range delivered {
		if n != 1 {
			t.Errorf("%s delivered %d times", r, n)
		}
	}
	if digests == 0 || reports == 0 {
		t.Fatal("nothing was delivered")
	}
	t.Logf("%d digests: %d reports (%.2f a digest), %d entries (%.2f a digest), %d of them additions to a story sent; %d stories, %d wrongly merged",
		digests, reports, float64(reports)/float64(digests), entries, float64(entries)/float64(digests), additions, len(first), wrong)
	if len(first) >= reports {
		t.Errorf("%d stories for %d reports: nothing was grouped", len(first), reports)
	}
}

func urls(rs []struct{ URL string }) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.URL)
	}
	return out
}

// storyLabels maps every corpus item to its event, from the hand-made
// labels kept with the story package; an item not listed is an event of
// its own.
func storyLabels(t *testing.T, corpus []byte) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../../story/testdata/dev-stories.json")
	if err != nil {
		t.Fatal(err)
	}
	var labels struct {
		Stories []struct {
			Event string   `json:"event"`
			Items []string `json:"items"`
		} `json:"stories"`
	}
	if err := json.Unmarshal(raw, &labels); err != nil {
		t.Fatalf("story/testdata/dev-stories.json: %v", err)
	}
	event := map[string]string{}
	for _, it := range parseCorpus(t, corpus) {
		event[it.ID] = it.ID
	}
	for _, s := range labels.Stories {
		for _, id := range s.Items {
			event[id] = s.Event
		}
	}
	return event
}
