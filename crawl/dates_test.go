package crawl

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// TestImplausibleDates: a date that cannot be the item's (past year 9999
// or before year 0 once in UTC, before 1970, days ahead of the clock) costs
// only that date: the item arrives dated when first seen, like an item
// without a date, and every item's date can be encoded for the digest.
func TestImplausibleDates(t *testing.T) {
	rss := func(date string) string {
		return `<rss version="2.0"><channel><title>T</title><item><title>Kartavykh held</title>` +
			`<link>http://x.example/1</link><pubDate>` + date + `</pubDate></item></channel></rss>`
	}
	atom := func(published, updated string) string {
		return `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>Kartavykh held</title>` +
			`<link href="http://x.example/1"/><id>urn:1</id><published>` + published + `</published><updated>` + updated + `</updated></entry></feed>`
	}
	jsonFeed := func(date string) string {
		return `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"http://x.example/1",` +
			`"title":"Kartavykh held","date_published":"` + date + `"}]}`
	}
	good := time.Date(2025, 7, 4, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, body string
		want       time.Time // zero: guessed
	}{
		{"rss past year 9999 in UTC", rss("Fri, 31 Dec 9999 23:59:59 -2359"), time.Time{}},
		{"rss before year 0 in UTC", rss("Sat, 01 Jan 0000 00:00:00 +2359"), time.Time{}},
		{"rss year 1", rss("Mon, 01 Jan 0001 00:00:00 +0000"), time.Time{}},
		{"rss Unix epoch (a null timestamp)", rss("Thu, 01 Jan 1970 00:00:00 +0000"), time.Time{}},
		{"rss years ahead", rss("Sat, 04 Jul 2037 09:00:00 +0000"), time.Time{}},
		{"rss three days ahead", rss("Tue, 08 Jul 2025 13:00:00 +0000"), time.Time{}},
		{"rss a day ahead (a mislabelled zone) kept", rss("Sun, 06 Jul 2025 09:00:00 +0000"), time.Date(2025, 7, 6, 9, 0, 0, 0, time.UTC)},
		{"rss good", rss("Fri, 04 Jul 2025 13:00:00 +0400"), good},
		{"rss local date in year 9999", rss("31 декабря 9999, 23:59"), time.Time{}},
		{"atom published past 9999, updated good", atom("9999-12-31T23:59:59-23:59", "2025-07-04T09:00:00Z"), good},
		{"atom both past 9999", atom("9999-12-31T23:59:59-23:59", "9999-12-31T23:59:59-23:59"), time.Time{}},
		{"json past year 9999 in UTC", jsonFeed("9999-12-31T23:59:59-23:59"), time.Time{}},
		{"json good", jsonFeed("2025-07-04T13:00:00+04:00"), good},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := serveRoutes(t, map[string]route{"/feed": {body: []byte(tc.body)}})
			res := newFetcher(t, nil, srv).Fetch(context.Background(), Source{Name: "dates", Feed: srv.URL + "/feed"}, Validators{}, nil)
			if res.Err != nil || len(res.Items) != 1 {
				t.Fatalf("Fetch: err=%v, %d items", res.Err, len(res.Items))
			}
			it := res.Items[0]
			want, guessed := tc.want, tc.want.IsZero()
			if guessed {
				want = fixedNow
			}
			if !it.Published.Equal(want) || it.DateGuessed != guessed {
				t.Errorf("Published = %s guessed=%v, want %s guessed=%v", it.Published, it.DateGuessed, want, guessed)
			}
			if _, err := json.Marshal(it.Published); err != nil {
				t.Errorf("date cannot be encoded: %v", err)
			}
		})
	}
}

func TestPlausibleDate(t *testing.T) {
	now := fixedNow
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{
		{time.Unix(0, 0), false},
		{time.Unix(1, 0), true},
		{now.Add(maxFuture), true},
		{now.Add(maxFuture + time.Second), false},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := plausibleDate(tc.t, now); got != tc.want {
			t.Errorf("plausibleDate(%s) = %v, want %v", tc.t, got, tc.want)
		}
	}
}
