package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSSRFThroughLinks: links inside content cannot make the watcher
// fetch a loopback service the operator did not configure: not a listing
// page's article link, not a fulltext feed item's link, not a redirect
// from a configured host's article page. The refusal is logged, the items
// are still delivered with what the feed or listing gave.
func TestSSRFThroughLinks(t *testing.T) {
	var internal atomic.Int64
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		internal.Add(1)
		fmt.Fprint(w, "<html><body><article><p>internal secrets</p></article></body></html>")
	}))
	defer inner.Close()
	var round atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case round.Load() > 0:
			serveSSRFSite(w, r, inner.URL)
		case r.URL.Path == "/feed":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<rss version="2.0"><channel><title>F</title></channel></rss>`)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body><p>nothing yet</p></body></html>")
		}
	}))
	defer site.Close()
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	writeConfig(t, dir, "state: watcher.db\nsources:\n"+
		"  - name: listing\n    page: "+site.URL+"/news\n    links: a.story\n"+
		"  - name: fulltext\n    feed: "+site.URL+"/feed\n    fulltext: true\n"+
		shippedTopics(t)+"alerts:\n  webhook:\n    - url: "+hookURL+"\n")
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK { // baseline: nothing listed yet
		t.Fatalf("baseline: exit %d\n%s", r.code, r.stderr)
	}
	round.Store(1)
	r := watcher(t, dir, nil, "--once")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if n := internal.Load(); n != 0 {
		t.Errorf("the unconfigured loopback service got %d requests", n)
	}
	refusals := 0
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.Contains(line, `msg="article page not read`) && strings.Contains(line, "refusing to connect to 127.0.0.1") {
			refusals++
		}
	}
	if refusals != 3 {
		t.Errorf("%d article fetches refused in the log, want 3 (listing link, feed link, redirect):\n%s", refusals, r.stderr)
	}
	items, _ := deliveredURLs(t, hook)
	if len(items) != 3 {
		t.Errorf("delivered %v, want the three items with what their source gave", items)
	}
}

// serveSSRFSite is the configured site once it has news: a listing page
// linking to the internal service, a feed whose items link to it (one
// directly, one through a redirect on the site itself).
func serveSSRFSite(w http.ResponseWriter, r *http.Request, internal string) {
	date := time.Now().UTC().Format(time.RFC1123Z)
	switch r.URL.Path {
	case "/news":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><body><ul><li><a class="story" href="%s/admin">Kartavykh listing story</a></li></ul></body></html>`, internal)
	case "/feed":
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>F</title>
<item><title>Kartavykh direct link</title><link>%s/latest/meta-data/</link><guid>a</guid><pubDate>%s</pubDate></item>
<item><title>Kartavykh redirected link</title><link>http://%s/go</link><guid>b</guid><pubDate>%s</pubDate></item>
</channel></rss>`, internal, date, r.Host, date)
	case "/go":
		http.Redirect(w, r, internal+"/internal", http.StatusFound)
	default:
		http.NotFound(w, r)
	}
}
