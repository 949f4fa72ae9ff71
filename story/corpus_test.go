package story

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"testing"
	"time"
)

// corpusItem is one labelled line of the shared corpus (see its GUIDE.md).
type corpusItem struct {
	ID        string   `json:"id"`
	Lang      string   `json:"lang"`
	Source    string   `json:"source"`
	Published string   `json:"published"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	Body      string   `json:"body"`
	Topics    []string `json:"topics"`
}

// loadCorpus reads the shared corpus, skipping the test when the shared
// folder is not checked out beside the repository, and the hand-made
// labels of which of its items report the same event.
func loadCorpus(t testing.TB) ([]corpusItem, map[string]string) {
	t.Helper()
	f, err := os.Open("../../shared/corpus/dev.jsonl")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("the shared corpus is not checked out beside the repository")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var items []corpusItem
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var c corpusItem
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("dev.jsonl:%d: %v", line, err)
		}
		items = append(items, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/dev-stories.json")
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
		t.Fatalf("testdata/dev-stories.json: %v", err)
	}
	event := map[string]string{}
	for _, s := range labels.Stories {
		for _, id := range s.Items {
			if _, dup := event[id]; dup {
				t.Fatalf("testdata/dev-stories.json: %s is in two stories", id)
			}
			event[id] = s.Event
		}
	}
	for _, c := range items {
		if _, ok := event[c.ID]; !ok {
			event[c.ID] = c.ID // a story of its own
		}
	}
	return items, event
}

// grouping is what a run of digests over the corpus did.
type grouping struct {
	digests, items, entries, additions int
	wrongStories, wrongPairs           int // stories holding two events; item pairs wrongly together
	joinedPairs, missedPairs           int // same-event pairs put together, and left apart
}

// runDigests replays the corpus's relevant items in time order as digests
// made every cadence, grouping each topic's items as the cycle does:
// against the stories of earlier digests (kept, with their prints) and
// each other.
func runDigests(t *testing.T, items []corpusItem, event map[string]string, cadence time.Duration) grouping {
	type rec struct {
		id    string
		print Print
	}
	type kept struct {
		topic   string
		members []rec
	}
	var g grouping
	var stories []*kept
	var pool []Print
	var relevant []corpusItem
	for _, c := range items {
		if len(c.Topics) > 0 {
			relevant = append(relevant, c)
		}
	}
	when := func(c corpusItem) time.Time {
		tm, err := time.Parse(time.RFC3339, c.Published)
		if err != nil {
			t.Fatalf("%s: published: %v", c.ID, err)
		}
		return tm
	}
	slices.SortFunc(relevant, func(a, b corpusItem) int { return when(a).Compare(when(b)) })
	for start := 0; start < len(relevant); {
		end := when(relevant[start]).Truncate(cadence).Add(cadence)
		stop := start
		for stop < len(relevant) && when(relevant[stop]).Before(end) {
			stop++
		}
		batch := relevant[start:stop]
		start = stop
		g.digests++
		prints := map[string]Print{}
		for _, c := range batch {
			prints[c.ID] = Fingerprint(Doc{Source: c.Source, Lang: c.Lang, Published: when(c), Title: c.Title, Summary: c.Summary, Body: c.Body})
		}
		// The cycle reads the stories of the last 30 days (watch's
		// storyHistory): their prints are what tells common from rare.
		var recent []Print
		for _, p := range pool {
			if end.Sub(p.Time) <= 30*24*time.Hour {
				recent = append(recent, p)
			}
		}
		x := NewIndex(recent)
		for _, c := range batch {
			x.Add(prints[c.ID])
		}
		var made []*kept
		for _, topic := range []string{"yekaterinburg-case", "sputnik-detainees", "azal-compensation"} {
			var ids []string
			var ps []Print
			for _, c := range batch {
				if slices.Contains(c.Topics, topic) {
					ids = append(ids, c.ID)
					ps = append(ps, prints[c.ID])
				}
			}
			if len(ids) == 0 {
				continue
			}
			var earlier [][]Print
			var earlierStory []*kept
			for _, s := range stories {
				if s.topic == topic {
					var eps []Print
					for _, m := range s.members {
						eps = append(eps, m.print)
					}
					earlier = append(earlier, eps)
					earlierStory = append(earlierStory, s)
				}
			}
			g.items += len(ids)
			for _, cl := range Group(x, earlier, ps) {
				g.entries++
				s := &kept{topic: topic}
				if cl.Earlier >= 0 {
					g.additions++
					s = earlierStory[cl.Earlier]
				} else {
					made = append(made, s)
				}
				for _, m := range cl.Members {
					s.members = append(s.members, rec{ids[m], ps[m]})
				}
			}
		}
		stories = append(stories, made...)
		for _, c := range batch {
			pool = append(pool, prints[c.ID])
		}
	}
	// Score every story, and every pair of items of one topic.
	storyOf := map[[2]string]*kept{}
	for _, s := range stories {
		events := map[string]bool{}
		for _, m := range s.members {
			events[event[m.id]] = true
			storyOf[[2]string{s.topic, m.id}] = s
		}
		if len(events) > 1 {
			g.wrongStories++
			var ids []string
			for _, m := range s.members {
				ids = append(ids, m.id+" ("+event[m.id]+")")
			}
			t.Logf("wrongly merged in %s: %v", s.topic, ids)
		}
	}
	for i, a := range relevant {
		for _, b := range relevant[i+1:] {
			for _, topic := range a.Topics {
				if !slices.Contains(b.Topics, topic) {
					continue
				}
				together := storyOf[[2]string{topic, a.ID}] == storyOf[[2]string{topic, b.ID}]
				same := event[a.ID] == event[b.ID]
				switch {
				case together && !same:
					g.wrongPairs++
				case together:
					g.joinedPairs++
				case same:
					g.missedPairs++
					t.Logf("apart in %s: %s and %s (%s)", topic, a.ID, b.ID, event[a.ID])
				}
			}
		}
	}
	return g
}

// TestCorpusGrouping replays the labelled corpus as digests, daily and on
// the shipped half-hourly schedule, and checks that no story holds reports
// of two events. The figures (entries per digest before and after, pairs
// joined and missed) are logged for the README.
func TestCorpusGrouping(t *testing.T) {
	items, event := loadCorpus(t)
	for _, tc := range []struct {
		name    string
		cadence time.Duration
	}{
		{"every 30 minutes (the shipped schedule)", 30 * time.Minute},
		{"daily", 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := runDigests(t, items, event, tc.cadence)
			t.Log(fmt.Sprintf("digests %d: items %d (%.2f a digest), entries %d (%.2f a digest), of which additions to earlier stories %d; "+
				"same-event pairs joined %d, missed %d; stories wrongly merged %d (pairs %d)",
				g.digests, g.items, float64(g.items)/float64(g.digests), g.entries, float64(g.entries)/float64(g.digests),
				g.additions, g.joinedPairs, g.missedPairs, g.wrongStories, g.wrongPairs))
			if g.wrongStories != 0 {
				t.Errorf("%d stories hold reports of different events", g.wrongStories)
			}
			if g.joinedPairs == 0 {
				t.Error("no two reports of one event were grouped")
			}
		})
	}
}
