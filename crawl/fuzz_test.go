package crawl

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"rss2.xml", "atom.xml", "rss1.rdf", "feed.json", "rss-localdates.xml", "malformed.xml"} {
		f.Add(fixture(f, name), "application/xml")
	}
	f.Add(encodeTo(f, charmap.Windows1251, fixture(f, "rss-ru.utf8.xml")), "text/xml; charset=windows-1251")
	f.Add(encodeTo(f, charmap.KOI8R, fixture(f, "rss-koi8r.utf8.xml")), "")
	base, _ := url.Parse("https://feeds.example.org/rss")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		items, err := parseFeed(body, contentType, base, 100)
		if err != nil {
			return
		}
		if len(items) > 100 {
			t.Fatalf("%d items, above the limit", len(items))
		}
		for _, it := range items {
			checkClean(t, it.Title, maxTitle)
			checkClean(t, it.Summary, maxSummary)
			if it.URL != "" && !strings.HasPrefix(it.URL, "http://") && !strings.HasPrefix(it.URL, "https://") {
				t.Fatalf("item link %q is not absolute http(s)", it.URL)
			}
			if strings.Contains(it.Title, "\n") {
				t.Fatalf("title %q spans lines", it.Title)
			}
		}
	})
}

func FuzzExtractArticle(f *testing.F) {
	f.Add(fixture(f, "article-en.html"))
	f.Add(fixture(f, "article-ru.utf8.html"))
	f.Add(fixture(f, "listing.html"))
	u, _ := url.Parse("https://news.example.az/articles/x")
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := extractArticle(body, u)
		if err != nil {
			return
		}
		if a.Text == "" {
			t.Fatal("extraction succeeded with no text")
		}
		checkClean(t, a.Text, maxBody)
		checkClean(t, a.Title, maxTitle)
	})
}

// checkClean fails on text that is not valid UTF-8, carries markup
// white space at its ends, or passes its rune limit.
func checkClean(t *testing.T, s string, limit int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8: %q", s)
	}
	if n := utf8.RuneCountInString(s); n > limit {
		t.Fatalf("%d runes, limit %d", n, limit)
	}
	if strings.TrimSpace(s) != s {
		t.Fatalf("untrimmed text %q", s)
	}
}
