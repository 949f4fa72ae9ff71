package crawl

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/watcher-news/watcher/item"
)

// farmFeed is one feed of the local feed server's synthetic output, saved
// in testdata/farm: before and after the server added two items to it.
// The four formats are those the benchmark cycle spreads its feeds over
// (feed i is served as RSS, Atom, RDF or JSON Feed by i mod 4; every third
// is written in Russian).
type farmFeed struct {
	name, contentType string
	first, changed    []byte
}

func loadFarmFeeds(tb testing.TB) []farmFeed {
	tb.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "farm", name))
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	return []farmFeed{
		{"rss", "application/rss+xml; charset=utf-8", read("rss.xml"), read("rss-new.xml")},
		{"atom", "application/atom+xml; charset=utf-8", read("atom.xml"), read("atom-new.xml")},
		{"rdf-ru", "application/rdf+xml; charset=utf-8", read("rdf-ru.xml"), read("rdf-ru-new.xml")},
		{"json", "application/feed+json; charset=utf-8", read("feed.json"), read("feed-new.json")},
	}
}

// farmKeys are the keys of every item of a feed, parsed whole.
func farmKeys(tb testing.TB, source string, body []byte, contentType string) map[string]bool {
	tb.Helper()
	items, err := parseFeed(body, contentType, nil, 500)
	if err != nil {
		tb.Fatal(err)
	}
	keys := make(map[string]bool, len(items))
	for _, it := range items {
		it.Source = source
		keys[it.Key()] = true
	}
	return keys
}

// BenchmarkFarmCold is a source's first read of each of the four farm
// feeds, as the cycle makes it (keys only, shipped max_items): one op
// parses the four feeds.
func BenchmarkFarmCold(b *testing.B) {
	feeds := loadFarmFeeds(b)
	now := time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range feeds {
			p, err := parseFeedLean(f.first, f.contentType, nil, 500, now, leanOptions{source: f.name, keysOnly: true})
			if err != nil || len(p.items) != 50 {
				b.Fatalf("%s: %d items, %v", f.name, len(p.items), err)
			}
		}
	}
}

// BenchmarkFarmNew is a later read of each farm feed after two items
// were added: 48 of its 50 items are known.
func BenchmarkFarmNew(b *testing.B) {
	feeds := loadFarmFeeds(b)
	now := time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)
	seen := make([]func([]string) map[string]bool, len(feeds))
	for i, f := range feeds {
		old := farmKeys(b, f.name, f.first, f.contentType)
		seen[i] = func(keys []string) map[string]bool {
			m := make(map[string]bool, len(keys))
			for _, k := range keys {
				m[k] = old[k]
			}
			return m
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, f := range feeds {
			p, err := parseFeedLean(f.changed, f.contentType, nil, 500, now, leanOptions{source: f.name, known: seen[i]})
			if err != nil || len(p.items) != 2 || len(p.known) != 48 {
				b.Fatalf("%s: %d items, %d known, %v", f.name, len(p.items), len(p.known), err)
			}
		}
	}
}

// TestFarmLeanKeys checks the lean reads of the farm feeds against whole
// parses: a first read yields the same keys, and a changed feed yields
// the two new items as a whole parse reads them and the 48 known keys.
func TestFarmLeanKeys(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)
	base, _ := url.Parse("http://127.0.0.1:18777/")
	for _, f := range loadFarmFeeds(t) {
		whole := farmKeys(t, f.name, f.first, f.contentType)
		p, err := parseFeedLean(f.first, f.contentType, base, 500, now, leanOptions{source: f.name, keysOnly: true})
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if len(p.items) != len(whole) || len(p.known) != 0 {
			t.Fatalf("%s first read: %d items, %d known; want %d, 0", f.name, len(p.items), len(p.known), len(whole))
		}
		for _, it := range p.items {
			it.Source = f.name
			if !whole[it.Key()] {
				t.Errorf("%s first read: key of %q/%q is not the whole parse's", f.name, it.GUID, it.URL)
			}
		}
		changed, err := parseFeed(f.changed, f.contentType, base, 500)
		if err != nil {
			t.Fatal(err)
		}
		var fresh []item.Item
		for _, it := range changed {
			it.Source = f.name
			if !whole[it.Key()] {
				fresh = append(fresh, it)
			}
		}
		p, err = parseFeedLean(f.changed, f.contentType, base, 500, now, leanOptions{source: f.name, known: func(keys []string) map[string]bool {
			m := map[string]bool{}
			for _, k := range keys {
				m[k] = whole[k]
			}
			return m
		}})
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if len(fresh) != 2 || len(p.items) != 2 || len(p.known) != 48 {
			t.Fatalf("%s changed: %d items, %d known; want 2 (whole parse: %d new), 48", f.name, len(p.items), len(p.known), len(fresh))
		}
		for i, it := range p.items {
			want := fresh[i]
			if it.GUID != want.GUID || it.URL != want.URL || it.Title != want.Title || it.Summary != want.Summary || !it.Published.Equal(want.Published) || it.Lang != want.Lang {
				t.Errorf("%s changed, item %d:\n got %+v\nwant %+v", f.name, i, it, want)
			}
		}
	}
}

// BenchmarkFarmToParseable is the charset and character clean-up every
// changed feed goes through before it is scanned, on the four farm feeds.
func BenchmarkFarmToParseable(b *testing.B) {
	feeds := loadFarmFeeds(b)
	var n int64
	for _, f := range feeds {
		n += int64(len(f.first))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range feeds {
			if _, err := toParseable(f.first, f.contentType); err != nil {
				b.Fatal(err)
			}
		}
	}
}
