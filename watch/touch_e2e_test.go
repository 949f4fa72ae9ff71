package watch_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBusyFeedsKeepTheirListedItems: a feed with a new match in every
// cycle (a search feed, a busy channel) keeps listing its older items for
// longer than the retention. Its listed keys are touched while the crawl
// goes on, apart from the digest that carries its matches; none of them
// may be forgotten and sent again once the retention has passed.
//
// 100 such feeds of 50 items on one host, with the shipped settings: their
// 5,000 listed keys are more than one of the crawl's writes takes, so some
// are written during the crawl and the rest with the cycle's last write.
// Cycles are 30 days apart on the fake clock (the shipped 90-day
// retention is crossed in four). A quiet feed, which lists its items
// only in the first and the last cycle, shows that the retention did
// prune: its items come back as new. On both stores, with the shipped
// fetch settings whole (no server here is slow, so the shorter timeout
// of onEachStore's envs has no reason to be).
func TestBusyFeedsKeepTheirListedItems(t *testing.T) {
	for _, kind := range []storeKind{boltStore, pgStore} {
		t.Run(string(kind), func(t *testing.T) {
			busyFeedsKeepTheirListedItems(t, func(t *testing.T, cfgYAML string) *env { return newEnvOn(t, kind, "", cfgYAML) })
		})
	}
}

func busyFeedsKeepTheirListedItems(t *testing.T, newEnv envMaker) {
	const feeds, listed = 100, 50
	var mu sync.Mutex
	extra := 0 // new items each busy feed lists on top of its first ones
	quiet := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var feed int
		if _, err := fmt.Sscanf(r.URL.Path, "/feeds/%d.xml", &feed); err != nil {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		n := listed + extra
		if feed == feeds && quiet {
			n = 0
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Search: Safarov</title>`)
		for i := n - 1; i >= 0; i-- { // newest first
			fmt.Fprintf(&b, `<item><title>Safarov case: %s</title><link>%s/feeds/%d/%d</link>`+
				`<pubDate>%s</pubDate><description>Relatives of the Safarov brothers attended.</description></item>`,
				headline(feed, i), "http://"+r.Host, feed, i,
				time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z))
		}
		b.WriteString(`</channel></rss>`)
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(srv.Close)
	var src []string
	for i := range feeds + 1 {
		src = append(src, feedSource(fmt.Sprintf("search-%03d", i), fmt.Sprintf("%s/feeds/%d.xml", srv.URL, i)))
	}
	e := newEnv(t, sources(src...))
	if sum := e.mustCycle(); sum.OK != feeds+1 || sum.Matched != 0 {
		t.Fatalf("first read: %d ok, %d matched; want %d and a silent first read", sum.OK, sum.Matched, feeds+1)
	}
	for c := 1; c <= 5; c++ {
		mu.Lock()
		extra, quiet = c, c < 5
		mu.Unlock()
		e.clock.Add(30 * 24 * time.Hour)
		sum := e.mustCycle()
		want := feeds // the one new item of each busy feed
		if c == 5 {
			want += listed + c // the quiet feed's items, forgotten, listed again
		}
		if sum.OK != feeds+1 || sum.Matched != want {
			t.Fatalf("cycle %d, day %d: %d ok, %d matched; want %d and %d", c+1, 30*c, sum.OK, sum.Matched, feeds+1, want)
		}
	}
}
