package crawl

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFeedKeepsNewest: a feed longer than MaxItems keeps its newest items
// by date, in the feed's order, whichever end it lists them at and however
// long it is, and the cut is logged as a warning naming the source.
func TestFeedKeepsNewest(t *testing.T) {
	seq := func(from, to, step int) []int {
		var s []int
		for d := from; d != to+step; d += step {
			s = append(s, d)
		}
		return s
	}
	tests := []struct {
		name string
		days []int // item i is dated days[i] days after 1 March 2025; -1: undated
		want []int // the items kept
	}{
		{"oldest first, within the build bound", seq(0, 7, 1), []int{3, 4, 5, 6, 7}},
		{"oldest first, far past the build bound", seq(0, 99, 1), seq(95, 99, 1)},
		{"newest first, far past the build bound", seq(99, 0, -1), seq(0, 4, 1)},
		{"unordered", []int{5, 1, 9, 3, 7, 2, 8}, []int{0, 2, 3, 4, 6}},
		{"undated items ranked with the dated item before them", []int{0, 1, 2, -1, 3, 4, -1, 5, 6, -1}, []int{5, 6, 7, 8, 9}},
		{"undated at the head ranked with the first dated", []int{-1, -1, 0, 1, 2, 3, 4, 5}, []int{3, 4, 5, 6, 7}},
		{"no dates: the feed's order", []int{-1, -1, -1, -1, -1, -1, -1}, seq(0, 4, 1)},
		{"equal dates: the feed's order", []int{1, 1, 1, 1, 1, 1, 1, 0}, seq(0, 4, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := serveRoutes(t, map[string]route{"/feed": {body: datedFeed(tc.days), contentType: "application/rss+xml"}})
			var logs bytes.Buffer
			f := newFetcher(t, func(o *Options) {
				o.MaxItems = 5
				o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			}, srv)
			res := f.Fetch(context.Background(), Source{Name: "oldest-first", Feed: srv.URL + "/feed"}, Validators{}, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var got []int
			for _, it := range res.Items {
				var i int
				if _, err := fmt.Sscanf(it.Title, "item %d", &i); err != nil {
					t.Fatalf("title %q", it.Title)
				}
				got = append(got, i)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("kept items %v, want %v", got, tc.want)
			}
			warn := fmt.Sprintf(`level=WARN msg="feed lists more items than max_items: kept the newest" source=oldest-first items=%d kept=5`, len(tc.days))
			if !strings.Contains(logs.String(), warn) {
				t.Errorf("log %q, want a line with %q", logs.String(), warn)
			}
		})
	}
	t.Run("no warning within the limit", func(t *testing.T) {
		srv, _ := serveRoutes(t, map[string]route{"/feed": {body: datedFeed(seq(0, 4, 1))}})
		var logs bytes.Buffer
		f := newFetcher(t, func(o *Options) { o.MaxItems = 5; o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) }, srv)
		if res := f.Fetch(context.Background(), Source{Name: "short", Feed: srv.URL + "/feed"}, Validators{}, nil); res.Err != nil || len(res.Items) != 5 {
			t.Fatalf("err=%v items=%d", res.Err, len(res.Items))
		}
		if logs.Len() != 0 {
			t.Errorf("log %q, want none", logs.String())
		}
	})
}

// TestFeedKeepsNewestJSON: a JSON Feed, which is not pruned, is cut to its
// newest items as well.
func TestFeedKeepsNewestJSON(t *testing.T) {
	var items []string
	for i := range 8 {
		items = append(items, fmt.Sprintf(`{"id":"%d","url":"http://x.example/%d","title":"item %d","date_published":"%s"}`,
			i, i, i, time.Date(2025, 6, 1+i, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)))
	}
	body := `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[` + strings.Join(items, ",") + `]}`
	items2, err := parseFeed([]byte(body), "application/feed+json", nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items2 {
		got = append(got, it.Title)
	}
	if want := []string{"item 5", "item 6", "item 7"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
}

// datedFeed is an RSS feed of the given items: item i is titled "item i"
// and dated days[i] days after 1 March 2025 (no date when day[i] < 0).
func datedFeed(days []int) []byte {
	b := []byte(`<rss version="2.0"><channel><title>T</title>`)
	for i, d := range days {
		date := ""
		if d >= 0 {
			date = "<pubDate>" + time.Date(2025, 3, 1+d, 8, 0, 0, 0, time.UTC).Format(time.RFC1123Z) + "</pubDate>"
		}
		b = fmt.Appendf(b, `<item><title>item %d</title><link>http://x.example/%d</link>%s</item>`, i, i, date)
	}
	return append(b, "</channel></rss>"...)
}

// BenchmarkParseLongFeed: a feed of 20,000 items listed oldest first, cut
// to the newest 500.
func BenchmarkParseLongFeed(b *testing.B) {
	days := make([]int, 20000)
	for i := range days {
		days[i] = i / 200
	}
	body := datedFeed(days)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		items, err := parseFeed(body, "application/rss+xml", nil, 500)
		if err != nil || len(items) != 500 || items[499].Title != "item 19999" {
			b.Fatalf("%d items, %v", len(items), err)
		}
	}
}
