package watch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/watch"
)

// BenchmarkMergeDigests gathers a day of crawls every 10 minutes (144
// digests) of two topics, 10 entries each, a third of them additions to
// a story of an earlier crawl: what a morning digest's gathering costs,
// story folding included.
func BenchmarkMergeDigests(b *testing.B) {
	cfg := &config.Config{Topics: []config.Topic{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}}}
	start := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	var parts []alert.Digest
	for c := range 144 {
		at := start.Add(time.Duration(c) * 10 * time.Minute)
		d := alert.Digest{ID: fmt.Sprint(c), Created: at}
		for _, id := range []string{"a", "b"} {
			t := alert.Topic{ID: id, Title: id}
			for i := range 10 {
				e := alert.Entry{Title: fmt.Sprintf("%s %d %d", id, c, i), URL: fmt.Sprintf("https://x.example/%s/%d/%d", id, c, i), Source: "x.example", Published: at}
				if c > 0 && i%3 == 0 {
					r := alert.Report{Title: fmt.Sprintf("%s %d %d", id, c-1, i), URL: fmt.Sprintf("https://x.example/%s/%d/%d", id, c-1, i), Source: "x.example"}
					e.Earlier = &r
				}
				t.Items = append(t.Items, e)
			}
			d.Topics = append(d.Topics, t)
		}
		parts = append(parts, d)
	}
	b.ReportAllocs()
	for b.Loop() {
		watch.MergeDigests(cfg, "m", start, parts)
	}
}
