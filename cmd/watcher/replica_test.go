package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// countedFeeds serves RSS feeds at /feed/<i>, each with one item that
// matches the topic and one that does not, dated an hour ago, and counts
// the requests per feed. Each answer takes 20 ms, as a distant server's
// would, so that a replica's crawl lasts long enough for the others to
// start during it (the test's assertions do not depend on it).
type countedFeeds struct {
	url  string
	mu   sync.Mutex
	hits map[string]int
}

func newCountedFeeds(t *testing.T) *countedFeeds {
	f := &countedFeeds{hits: map[string]int{}}
	date := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, ok := strings.CutPrefix(r.URL.Path, "/feed/")
		if !ok {
			http.NotFound(w, r) // robots.txt: no rules
			return
		}
		f.mu.Lock()
		f.hits[r.URL.Path]++
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %s</title>`, i)
		fmt.Fprintf(w, `<item><guid>%s-a</guid><title>AZAL flight %s lands in Aktau</title><link>http://news.example.org/%s/a</link><pubDate>%s</pubDate></item>`, i, i, i, date)
		fmt.Fprintf(w, `<item><guid>%s-b</guid><title>Weather in Baku, day %s</title><link>http://news.example.org/%s/b</link><pubDate>%s</pubDate></item>`, i, i, i, date)
		io.WriteString(w, `</channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// TestReplicasShareTheWork starts three `watcher --once --replica` at
// once on one PostgreSQL state over 80 feeds (more than a crawl's 32
// workers, so each replica claims in several waves): every feed is fetched
// once in all (counted at the server), the replicas' fetches add up to
// the feeds, and once a fourth run has delivered what the three left
// (as a replica's next cycle would), every matching item has reached the
// webhook exactly once and no other item has.
func TestReplicasShareTheWork(t *testing.T) {
	t.Parallel()
	const feeds = 80
	url := postgres.NewDatabase(t)
	f := newCountedFeeds(t)
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	var cfg strings.Builder
	// backfill: so that the first (and only) read of each feed alerts,
	// and one round of replicas shows both the split and the delivery.
	cfg.WriteString("state: " + url + "\nbackfill: 48h\nsources:\n")
	for i := range feeds {
		fmt.Fprintf(&cfg, "  - name: feed-%02d\n    feed: %s/feed/%d\n", i, f.url, i)
	}
	cfg.WriteString("topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n" + webhookAlerts(hookURL, 3))
	writeConfig(t, dir, cfg.String())

	var wg sync.WaitGroup
	runs := make([]result, 3)
	for i := range runs {
		wg.Go(func() { runs[i] = watcher(t, dir, nil, "--once", "--replica", "r"+strconv.Itoa(i)) })
	}
	wg.Wait()
	fetched := 0
	for i, r := range runs {
		if r.code != exitOK {
			t.Fatalf("replica r%d: exit %d\n%s", i, r.code, r.stderr)
		}
		n, _ := strconv.Atoi(summaryField(t, r.stderr, "ok"))
		fetched += n
		t.Logf("replica r%d fetched %d feeds", i, n)
	}
	if fetched != feeds {
		t.Errorf("the replicas fetched %d feeds between them, want %d", fetched, feeds)
	}
	last := watcher(t, dir, nil, "--once", "--replica", "r3")
	if last.code != exitOK {
		t.Fatalf("fourth run: exit %d\n%s", last.code, last.stderr)
	}
	f.mu.Lock()
	for i := range feeds {
		if n := f.hits["/feed/"+strconv.Itoa(i)]; n != 1 {
			t.Errorf("feed %d fetched %d times, want once", i, n)
		}
	}
	f.mu.Unlock()

	items, _, _ := hook.decode(t)
	got := map[string]int{}
	for _, it := range items {
		got[it.URL]++
	}
	for i := range feeds {
		if n := got[fmt.Sprintf("http://news.example.org/%d/a", i)]; n != 1 {
			t.Errorf("the match of feed %d was delivered %d times, want once", i, n)
		}
	}
	if len(items) != feeds {
		t.Errorf("webhook got %d items, want the %d matches only", len(items), feeds)
	}
}

// TestReplicaNeedsPostgres checks --replica on a bbolt state is a usage
// error naming the file: replicas need a state they can share.
func TestReplicaNeedsPostgres(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeConfig(t, dir, "sources:\n  - name: News\n    feed: http://127.0.0.1:1/feed.xml\ntopics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n")
	r := watcher(t, dir, nil, "--once", "--replica", "r1")
	if r.code != exitUsage || !strings.Contains(r.stderr, "replicas share a PostgreSQL state, and state is the file watcher.db") {
		t.Errorf("exit %d, want %d and the reason:\n%s", r.code, exitUsage, r.stderr)
	}
}
