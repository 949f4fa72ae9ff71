package watch

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/story"
)

// TestGroupingBounded: a burst of more reports of one topic than a cycle
// groups is still delivered whole, each report once: the first
// maxGroupedReports grouped, the rest as entries of their own.
func TestGroupingBounded(t *testing.T) {
	at := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	n := maxGroupedReports + 100
	var rs []report
	for i := range n {
		e := alert.Entry{Title: "Kartavykh hearing adjourned to 12 July", URL: fmt.Sprintf("https://outlet%d.example/1", i),
			Source: fmt.Sprintf("outlet%d", i), Published: at.Add(time.Duration(i) * time.Second)}
		rs = append(rs, report{entry: e, print: story.Fingerprint(story.Doc{Lang: "en", Published: e.Published, Title: e.Title,
			Body: "The Baku court adjourned the hearing of Igor Kartavykh and Yevgeny Belousov to 12 July at the request of the defence."})})
	}
	entries, records := groupStories(slog.New(slog.DiscardHandler), map[string][]report{"sputnik": rs}, []string{"sputnik"}, nil, nil, nil)
	got := entries["sputnik"]
	if len(got) != 101 {
		t.Fatalf("%d entries, want 101 (one story of %d, then %d of their own)", len(got), maxGroupedReports, n-maxGroupedReports)
	}
	seen := map[string]int{}
	for _, e := range got {
		seen[e.URL]++
		for _, a := range e.Also {
			seen[a.URL]++
		}
	}
	for i := range n {
		if u := fmt.Sprintf("https://outlet%d.example/1", i); seen[u] != 1 {
			t.Fatalf("%s in %d entries, want 1", u, seen[u])
		}
	}
	if len(got[0].Also) != maxGroupedReports-1 || got[0].Source != "outlet0" {
		t.Errorf("first entry %s with %d others, want outlet0 with %d", got[0].Source, len(got[0].Also), maxGroupedReports-1)
	}
	if len(records) != len(got) {
		t.Errorf("%d story records for %d entries", len(records), len(got))
	}
}
