package crawl

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/watcher-news/watcher/item"
)

// fulltextFeed is an RSS feed whose items link to pages on base.
func fulltextFeed(base string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title><link>` + base + `</link>`)
	for _, p := range []struct{ guid, path, date string }{
		{"a-1", "/a/known", "Fri, 04 Jul 2025 06:00:00 GMT"},
		{"a-2", "/a/new-en", "Fri, 04 Jul 2025 07:00:00 GMT"},
		{"a-3", "/a/new-ru", ""},
		{"a-4", "/a/broken", ""},
	} {
		date := ""
		if p.date != "" {
			date = "<pubDate>" + p.date + "</pubDate>"
		}
		fmt.Fprintf(&b, `<item><title>Item %s</title><link>%s%s</link><guid>%s</guid>%s<description>Summary of %s.</description></item>`,
			p.guid, base, p.path, p.guid, date, p.guid)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func TestFetchFulltext(t *testing.T) {
	ruPage := replace(fixture(t, "article-ru.utf8.html"), `<meta charset="windows-1251">`, "")
	routes := map[string]route{
		"/a/known":  {body: fixture(t, "article-en.html"), contentType: "text/html"},
		"/a/new-en": {body: fixture(t, "article-en.html"), contentType: "text/html; charset=utf-8"},
		// windows-1251 named only in the Content-Type header.
		"/a/new-ru": {body: encodeTo(t, charmap.Windows1251, ruPage), contentType: "text/html; charset=windows-1251"},
	}
	srv, h := serveRoutes(t, routes)
	routes["/feed"] = route{body: fulltextFeed(srv.URL), contentType: "application/rss+xml"}
	f := newFetcher(t, nil, srv)
	src := Source{Name: "FT", Feed: srv.URL + "/feed", Fulltext: true}
	knownKey := item.Item{Source: "FT", GUID: "a-1"}.Key()

	res := f.Fetch(context.Background(), src, Validators{}, func(k string) bool { return k == knownKey })
	if res.Err != nil {
		t.Fatalf("Fetch: %v", res.Err)
	}
	if len(res.Items) != 4 {
		t.Fatalf("got %d items, want 4 (a failed article must not lose its item)", len(res.Items))
	}
	known, en, ru, broken := res.Items[0], res.Items[1], res.Items[2], res.Items[3]
	if h.get("/a/known") != 0 || known.Body != "" {
		t.Errorf("known item's page fetched %d times, Body %q", h.get("/a/known"), known.Body)
	}
	if h.get("/a/new-en") != 1 || !strings.Contains(en.Body, "Igor Kartavykh") || en.Summary != "Summary of a-2." {
		t.Errorf("new item: fetched %d times, Body %q, Summary %q", h.get("/a/new-en"), en.Body, en.Summary)
	}
	if want := time.Date(2025, 7, 4, 7, 0, 0, 0, time.UTC); !en.Published.Equal(want) {
		t.Errorf("the feed's date must win over the page's: %s, want %s", en.Published, want)
	}
	if !strings.Contains(ru.Body, "Зияддин и Гусейн Сафаровы") {
		t.Errorf("windows-1251 (Content-Type) page not decoded: %q", ru.Body)
	}
	if want := time.Date(2025, 6, 28, 4, 15, 0, 0, time.UTC); !ru.Published.Equal(want) || ru.DateGuessed {
		t.Errorf("undated item should take the page's date: %s guessed=%v", ru.Published, ru.DateGuessed)
	}
	if h.get("/a/broken") != 1 || broken.Body != "" || broken.Summary != "Summary of a-4." || !broken.DateGuessed {
		t.Errorf("item with a 404 page: %+v", broken)
	}
}

func TestFetchFulltextMaxArticles(t *testing.T) {
	routes := map[string]route{}
	srv, h := serveRoutes(t, routes)
	for _, p := range []string{"/a/known", "/a/new-en", "/a/new-ru", "/a/broken"} {
		routes[p] = route{body: fixture(t, "article-en.html"), contentType: "text/html"}
	}
	routes["/feed"] = route{body: fulltextFeed(srv.URL)}
	f := newFetcher(t, func(o *Options) { o.MaxArticles = 2 }, srv)
	res := f.Fetch(context.Background(), Source{Name: "FT", Feed: srv.URL + "/feed", Fulltext: true}, Validators{}, nil)
	if res.Err != nil || len(res.Items) != 4 {
		t.Fatalf("Fetch: err=%v items=%d", res.Err, len(res.Items))
	}
	if got := h.total() - h.get("/feed"); got != 2 {
		t.Errorf("fetched %d article pages, want MaxArticles=2", got)
	}
	if res.Items[2].Body != "" || res.Items[1].Body == "" {
		t.Errorf("bodies should be set on the first two items only")
	}
}

func TestArticle(t *testing.T) {
	srv, _ := serveRoutes(t, map[string]route{
		"/a":   {body: fixture(t, "article-en.html"), contentType: "text/html"},
		"/pdf": {body: []byte("%PDF-1.4"), contentType: "application/pdf"},
	})
	f := newFetcher(t, nil, srv)
	a, err := f.Article(context.Background(), srv.URL+"/a")
	if err != nil {
		t.Fatalf("Article: %v", err)
	}
	if a.Title != "Sputnik Azerbaijan detainees: court hearing in Baku" || a.Lang != "en" || a.URL != srv.URL+"/a" {
		t.Errorf("Article = %q %q %q", a.Title, a.Lang, a.URL)
	}
	if _, err := f.Article(context.Background(), srv.URL+"/pdf"); err == nil || !strings.Contains(err.Error(), "not an HTML page") {
		t.Errorf("PDF page: err = %v, want not an HTML page", err)
	}
}
