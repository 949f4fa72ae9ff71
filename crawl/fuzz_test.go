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
	for _, seed := range hostileFeedSeeds(f) {
		f.Add(seed.body, seed.contentType)
	}
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
	f.Add([]byte("<html><body><article><p>" + strings.Repeat("<div>", 600) + "deep" + strings.Repeat("</div>", 600) + "</p></article></body></html>"))
	f.Add([]byte("<html><head><title>\u202eevil\u202c</title></head><body><article><p>Text <script>alert(1)</script>" +
		"<a href=\"javascript:alert(1)\">link</a> with \x01control\x7f and \u2066isolate\u2069.</p></article></body></html>"))
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

// feedSeed is one seed of FuzzParseFeed.
type feedSeed struct {
	body        []byte
	contentType string
}

// hostileFeedSeeds are the broken and absurd feeds sources serve in the
// wild, small enough to seed the fuzzer.
func hostileFeedSeeds(f *testing.F) []feedSeed {
	item := func(guid, title string) string {
		return "<item><guid>" + guid + "</guid><title>" + title + "</title><link>http://x.example/" + title + "</link></item>"
	}
	rss := func(items string) string {
		return `<rss version="2.0"><channel><title>T</title>` + items + "</channel></rss>"
	}
	ru := `<?xml version="1.0" encoding="UTF-8"?>` + rss(item("a", "Картавых и Белоусов"))
	return []feedSeed{
		{[]byte(rss(item("same", "one") + item("same", "two") + item("", "three"))), "application/rss+xml"},
		{[]byte(rss(`<item xmlns:a="http://a.example/">` + strings.Repeat("<a:x>", 1000) + strings.Repeat("</a:x>", 1000) + "</item>")), ""},
		{encodeTo(f, charmap.Windows1251, []byte(ru)), "application/rss+xml; charset=utf-8"},
		{encodeTo(f, charmap.KOI8R, []byte(`<?xml version="1.0" encoding="koi8-r"?>`+rss(item("k", "Суд в Баку")))), "application/xml"},
		{append([]byte("\xEF\xBB\xBF"), rss(item("b", "BOM"))...), "text/xml"},
		{[]byte(`<!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>` + rss(item("e", "&b;"))), ""},
		{[]byte(rss(item("s", "<script>alert(1)</script>\u202e\x01") + `<item><link>javascript:alert(1)</link></item>`)), ""},
	}
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
