package crawl

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/watcher-news/watcher/item"
)

// newsSite serves the listing fixture, whose partner link points at
// elsewhere, and its two article pages (one in windows-1251 declared only
// by <meta>).
func newsSite(t *testing.T, elsewhere string) (string, *hits, func() Source) {
	t.Helper()
	routes := map[string]route{
		"/news":                        {body: replace(fixture(t, "listing.html"), "{{ELSEWHERE}}", elsewhere), contentType: "text/html; charset=utf-8"},
		"/articles/sputnik-detainees":  {body: fixture(t, "article-en.html"), contentType: "text/html; charset=utf-8"},
		"/articles/yekaterinburg-raid": {body: encodeTo(t, charmap.Windows1251, fixture(t, "article-ru.utf8.html")), contentType: "text/html"},
	}
	srv, h := serveRoutes(t, routes)
	return srv.URL, h, func() Source {
		return Source{Name: "Example AZ", Page: srv.URL + "/news", Links: "ul.news-list a.headline"}
	}
}

func TestFetchPageSource(t *testing.T) {
	elsewhere, elsewhereHits := serveRoutes(t, map[string]route{"/internal/admin": {body: []byte("secret"), contentType: "text/html"}})
	base, h, source := newsSite(t, elsewhere.URL)
	siteSrv := strings.TrimPrefix(base, "http://")
	f := newFetcher(t, func(o *Options) { o.AllowHosts = []string{siteSrv} })

	res := f.Fetch(context.Background(), source(), Validators{}, nil)
	if res.Err != nil {
		t.Fatalf("Fetch: %v", res.Err)
	}
	wantURLs := []string{base + "/articles/sputnik-detainees", base + "/articles/yekaterinburg-raid", elsewhere.URL + "/internal/admin"}
	wantTitles := []string{"Sputnik Azerbaijan detainees: court hearing in Baku", "Yekaterinburg raid & its aftermath", "Partner site"}
	if len(res.Items) != len(wantURLs) {
		t.Fatalf("got %d items, want %d (duplicates and javascript: links dropped): %+v", len(res.Items), len(wantURLs), res.Items)
	}
	for i, it := range res.Items {
		if it.URL != wantURLs[i] || it.Title != wantTitles[i] || it.Source != "Example AZ" {
			t.Errorf("item %d = %q %q %q, want %q %q", i, it.URL, it.Title, it.Source, wantURLs[i], wantTitles[i])
		}
	}
	en, ru, partner := res.Items[0], res.Items[1], res.Items[2]
	if !strings.Contains(en.Body, "Igor Kartavykh and Yevgeny Belousov") || strings.Contains(en.Body, "Most read") {
		t.Errorf("english body is not the article text: %q", en.Body)
	}
	if strings.Count(en.Body, "\n\n") != 2 {
		t.Errorf("english body should keep its 3 paragraphs: %q", en.Body)
	}
	if want := time.Date(2025, 7, 4, 6, 20, 0, 0, time.UTC); !en.Published.Equal(want) || en.DateGuessed {
		t.Errorf("english Published = %s guessed=%v, want %s from article:published_time", en.Published, en.DateGuessed, want)
	}
	if !strings.Contains(ru.Body, "погибли братья Зияддин и Гусейн Сафаровы") {
		t.Errorf("windows-1251 body not decoded: %q", ru.Body)
	}
	if want := time.Date(2025, 6, 28, 4, 15, 0, 0, time.UTC); !ru.Published.Equal(want) || ru.DateGuessed {
		t.Errorf("russian Published = %s guessed=%v, want %s from <time datetime>", ru.Published, ru.DateGuessed, want)
	}
	if partner.Body != "" || !partner.DateGuessed || !partner.Published.Equal(fixedNow) {
		t.Errorf("partner item should be kept without body and with a guessed date: %+v", partner)
	}
	if n := elsewhereHits.total(); n != 0 {
		t.Errorf("a link to a private host outside AllowHosts was fetched %d times", n)
	}
	if n := h.get("/articles/sputnik-detainees"); n != 1 {
		t.Errorf("duplicate link fetched %d times, want 1", n)
	}
}

func TestFetchPageSkipsKnownArticles(t *testing.T) {
	base, h, source := newsSite(t, "http://127.0.0.1:1")
	f := newFetcher(t, func(o *Options) { o.AllowHosts = []string{strings.TrimPrefix(base, "http://")} })
	knownKey := item.Item{Source: "Example AZ", URL: base + "/articles/sputnik-detainees"}.Key()
	res := f.Fetch(context.Background(), source(), Validators{}, func(k string) bool { return k == knownKey })
	if res.Err != nil {
		t.Fatalf("Fetch: %v", res.Err)
	}
	if h.get("/articles/sputnik-detainees") != 0 || h.get("/articles/yekaterinburg-raid") != 1 {
		t.Errorf("article requests: known %d (want 0), unknown %d (want 1)",
			h.get("/articles/sputnik-detainees"), h.get("/articles/yekaterinburg-raid"))
	}
	if res.Items[0].Body != "" || res.Items[1].Body == "" {
		t.Errorf("Body set on known item or missing on unknown one")
	}
}

func TestFetchPageErrors(t *testing.T) {
	srv, _ := serveRoutes(t, map[string]route{"/news": {body: fixture(t, "listing.html"), contentType: "text/html"}})
	tests := []struct {
		name, page, links, errSubstr string
		maxBody                      int64
	}{
		{"invalid selector", "/news", "ul[[", `links selector "ul[["`, 0},
		{"listing page missing", "/gone", "a", "fetch: HTTP status 404 Not Found", 0},
		{"listing page too large", "/news", "a", "fetch: response body too large (limit 512 bytes)", 512},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFetcher(t, func(o *Options) { o.MaxBody = tc.maxBody }, srv)
			res := f.Fetch(context.Background(), Source{Name: "P", Page: srv.URL + tc.page, Links: tc.links}, Validators{}, nil)
			if res.Err == nil || !strings.HasPrefix(res.Err.Error(), `source "P" (`+srv.URL+tc.page+")") ||
				!strings.Contains(res.Err.Error(), tc.errSubstr) {
				t.Fatalf("error = %v, want one naming the source and containing %q", res.Err, tc.errSubstr)
			}
		})
	}
}

// TestFetchPageNoLinks: a listing without stories (a quiet day, a new
// section) is read successfully with no items, so the source is recorded
// as read and its first stories later count as new.
func TestFetchPageNoLinks(t *testing.T) {
	srv, _ := serveRoutes(t, map[string]route{"/news": {body: fixture(t, "listing.html"), contentType: "text/html"}})
	f := newFetcher(t, nil, srv)
	res := f.Fetch(context.Background(), Source{Name: "P", Page: srv.URL + "/news", Links: "div.no-such-list a"}, Validators{}, nil)
	if res.Err != nil || len(res.Items) != 0 {
		t.Fatalf("Fetch = %d items, %v; want none and no error", len(res.Items), res.Err)
	}
}

func TestFetchPageRobots(t *testing.T) {
	robotsSrv, robotsHits := serveRoutes(t, map[string]route{
		"/robots.txt":                 {body: []byte("User-agent: *\nDisallow: /articles/\n"), contentType: "text/plain"},
		"/news":                       {body: replace(fixture(t, "listing.html"), "{{ELSEWHERE}}", "http://127.0.0.1:1"), contentType: "text/html"},
		"/articles/sputnik-detainees": {body: fixture(t, "article-en.html"), contentType: "text/html"},
	})
	f := newFetcher(t, func(o *Options) { o.Robots = true }, robotsSrv)
	src := Source{Name: "Robots", Page: robotsSrv.URL + "/news", Links: "ul.news-list a.headline"}
	res := f.Fetch(context.Background(), src, Validators{}, nil)
	if res.Err != nil {
		t.Fatalf("Fetch: %v", res.Err)
	}
	if robotsHits.get("/robots.txt") == 0 {
		t.Error("robots.txt was not read")
	}
	if n := robotsHits.get("/articles/sputnik-detainees"); n != 0 {
		t.Errorf("article disallowed by robots.txt fetched %d times", n)
	}
	if len(res.Items) != 3 || res.Items[0].Body != "" || res.Items[0].Title == "" {
		t.Errorf("items should be listed with titles and without bodies: %+v", res.Items)
	}
}
