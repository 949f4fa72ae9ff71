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

// churnItem is one item of the churn feed.
type churnItem struct {
	guid, path, title string
	published         time.Time
}

// churnFeed is a feed whose publisher gets identity wrong in every way
// seen in the wild, and which changes between rounds: one GUID for
// different stories, no GUID, an old story re-published with a new date,
// dates in the future. Every title matches the sputnik-detainees topic.
type churnFeed struct {
	url   string
	round atomic.Int32
}

// churnRounds are the feed's contents, newest first, round by round.
// Round 1 brings three new stories (n1 shares the GUID of a and b, n2 has
// none, f is dated 2099) and re-dates d and e, which were there before.
var churnRounds = [][]churnItem{
	{
		{"story", "a", "Kartavykh churn story a", time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)},
		{"story", "b", "Kartavykh churn story b", time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)},
		{"", "c", "Kartavykh churn story c", time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)},
		{"d", "d", "Kartavykh churn story d", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"e", "e", "Kartavykh churn story e", time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)},
	},
	{
		{"f", "f", "Kartavykh churn story f", time.Date(2099, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"story", "n1", "Kartavykh churn story n1", time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)},
		{"", "n2", "Kartavykh churn story n2", time.Date(2026, 12, 31, 11, 0, 0, 0, time.UTC)},
		{"d", "d", "Kartavykh churn story d", time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC)},
		{"story", "a", "Kartavykh churn story a", time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)},
		{"story", "b", "Kartavykh churn story b", time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)},
		{"", "c", "Kartavykh churn story c", time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)},
		{"e", "e", "Kartavykh churn story e", time.Date(2098, 1, 1, 0, 0, 0, 0, time.UTC)},
	},
}

// churnNew are the stories of round 1 that must be delivered, once.
var churnNew = []string{"f", "n1", "n2"}

func newChurnFeed(t *testing.T) *churnFeed {
	c := &churnFeed{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := "http://" + r.Host
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Churn</title><link>` + base + "/</link>\n")
		for _, it := range churnRounds[c.round.Load()] {
			guid := ""
			if it.guid != "" {
				guid = `<guid isPermaLink="false">` + it.guid + "</guid>"
			}
			fmt.Fprintf(&b, "<item>%s<title>%s</title><link>%s/%s</link><pubDate>%s</pubDate><description>Sputnik Azerbaijan director.</description></item>\n",
				guid, it.title, base, it.path, it.published.Format(time.RFC1123Z))
		}
		b.WriteString("</channel></rss>\n")
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL + "/feed"
	return c
}
