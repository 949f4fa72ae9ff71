package watch_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert/chattest"
)

// catchUpDesk serves feeds of one outlet on one host; list(n) makes each
// list n items (the first n of its reports), all of them reports of the
// Yekaterinburg case. It returns the sources' configuration.
func catchUpDesk(t *testing.T, feeds int) (srv *httptest.Server, sourcesYAML string, list func(n int)) {
	var mu sync.Mutex
	perFeed := 0
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var feed int
		if _, err := fmt.Sscanf(r.URL.Path, "/feeds/%d.xml", &feed); err != nil {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		n := perFeed
		mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Regional desk</title>`)
		for i := range n {
			fmt.Fprintf(&b, `<item><title>Safarov case: %s</title><link>%s/feeds/%d/%d</link><guid>f%d-%d</guid>`+
				`<pubDate>%s</pubDate><description>Relatives of the Safarov brothers attended.</description></item>`,
				headline(feed, i), "http://"+r.Host, feed, i, feed, i,
				time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC).Add(-time.Duration(feed*9+i)*time.Minute).Format(time.RFC1123Z))
		}
		b.WriteString(`</channel></rss>`)
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(srv.Close)
	var src []string
	for i := range feeds {
		src = append(src, feedSource(fmt.Sprintf("desk-%02d", i), fmt.Sprintf("%s/feeds/%d.xml", srv.URL, i)))
	}
	return srv, sources(src...), func(n int) { mu.Lock(); perFeed = n; mu.Unlock() }
}

// headline is a report's own wording: names no other report shares, so
// that each is a story of its own and the catch-up has 160 entries.
func headline(feed, i int) string {
	syllables := []string{"ba", "ke", "lo", "mu", "ri", "sa", "te", "vo", "zu", "ni"}
	word := func(k int) string {
		w := syllables[k%10] + syllables[k/10%10] + syllables[k/100%10]
		return strings.ToUpper(w[:1]) + w[1:]
	}
	k := (feed*9 + i) * 3
	return fmt.Sprintf("%s, %s and %s testify", word(k), word(k+1), word(k+2))
}

// readableWhole checks what a desk got of the catch-up of feeds feeds
// that list perFeed items each, the first read before: several mails,
// each saying which it is of how many and none hiding items behind "and
// N more", and every new report exactly once (as an entry or among a
// story's other reports) in the digests the webhook got, which say the
// same as the mails in structure and are numbered likewise.
func readableWhole(t *testing.T, srv *httptest.Server, mails []*parsedMail, digests []webhookDigest, feeds, perFeed int) {
	t.Helper()
	want := feeds * (perFeed - 1)
	if len(mails) < 2 || len(digests) < 2 {
		t.Fatalf("%d mails, %d webhook digests; want the %d matches in several of each", len(mails), len(digests), want)
	}
	for i, m := range mails {
		t.Logf("mail %d: %s", i, m.Subject)
		if strings.Contains(m.Text, " more") {
			t.Errorf("mail %d (%s) hides items behind \"and N more\"", i, m.Subject)
		}
		if want := fmt.Sprintf("watcher (%d of %d): ", i+1, len(mails)); !strings.HasPrefix(m.Subject, want) ||
			!strings.HasPrefix(m.Text, want) {
			t.Errorf("mail %d: subject %q and text %.40q; want both to begin %q", i, m.Subject, m.Text, want)
		}
	}
	for i, d := range digests {
		if d.Series == nil || d.Series.N != i+1 || d.Series.Of != len(digests) {
			t.Errorf("webhook digest %d: series %+v, want {%d of %d}", i, d.Series, i+1, len(digests))
		}
	}
	count := reportsByURL(digests)
	for feed := range feeds {
		for i := 1; i < perFeed; i++ {
			if u := fmt.Sprintf("%s/feeds/%d/%d", srv.URL, feed, i); count[u] != 1 {
				t.Errorf("%s delivered %d times, want once", u, count[u])
			}
		}
	}
	if len(count) != want {
		t.Errorf("%d reports delivered, want the %d", len(count), want)
	}
}

// TestCatchUpIsReadableWhole: twenty feeds of one outlet (one host, the
// shipped fetch settings) come back after an outage with eight new reports
// of the Yekaterinburg case each, 160 matches of one topic in one cycle.
// A mail shows at most 100 items of a topic; the desk gets the 160 in
// several mails (and webhook digests), each report once, none hidden
// behind "and N more", and nothing again in the next cycle.
func TestCatchUpIsReadableWhole(t *testing.T) { catchUpReadableWhole(t, 20, 9) }

// catchUpReadableWhole runs a catch-up of feeds feeds on one host that list
// one item at the first read and perFeed the next cycle, to a mailbox and
// a webhook, and checks the desk got every new report once, readable
// whole (see readableWhole), and nothing again the cycle after.
func catchUpReadableWhole(t *testing.T, feeds, perFeed int) {
	srv, src, list := catchUpDesk(t, feeds)
	mb, hook := newMailbox(t), newReceiver(t)
	e := newEnv(t, src+webhookAlert(hook.srv.URL)+emailAlert(mb.addr))
	list(1)
	e.mustCycle() // the first read: silent
	list(perFeed)
	want := feeds * (perFeed - 1)
	if sum := e.mustCycle(); sum.OK != feeds || sum.Matched != want {
		t.Fatalf("catch-up cycle: %d sources ok, %d matched; want %d and %d", sum.OK, sum.Matched, feeds, want)
	}
	mails, digests := mb.messages(), hook.digests()
	readableWhole(t, srv, mails, digests, feeds, perFeed)
	if sum := e.mustCycle(); sum.Matched != 0 || len(mb.messages()) != len(mails) || len(hook.digests()) != len(digests) {
		t.Errorf("the next cycle matched %d and sent %d more mails; want nothing", sum.Matched, len(mb.messages())-len(mails))
	}
}

// TestMorningDigestIsReadableWhole: the same catch-up, for a desk whose
// webhook and mail take a morning digest. The day's held digests are
// gathered at 08:00 into as many as it takes to show every item.
func TestMorningDigestIsReadableWhole(t *testing.T) {
	srv, src, list := catchUpDesk(t, 20)
	mb, hook := newMailbox(t), newReceiver(t)
	morning := "      digest:\n        schedule: \"0 8 * * *\"\n"
	e := newEnv(t, "timezone: UTC\n"+src+webhookAlert(hook.srv.URL)+morning+emailAlert(mb.addr)+morning)
	list(1)
	e.mustCycle() // 10:00, the first read: silent
	list(9)
	if sum := e.mustCycle(); sum.Matched != 160 {
		t.Fatalf("catch-up cycle: %d matched, want 160", sum.Matched)
	}
	if n, m := len(mb.messages()), len(hook.digests()); n+m != 0 {
		t.Fatalf("%d mails and %d webhook digests before the morning, want none", n, m)
	}
	e.until(at("2025-07-02T08:10:00Z"), 10*time.Minute, nil, nil)
	readableWhole(t, srv, mb.messages(), hook.digests(), 20, 9)
}

// TestBigFeedIsReadableWhole: one feed (an aggregator's search, a busy
// channel) comes back after days away with 160 new reports of the
// Yekaterinburg case, more than one mail shows of a topic. They are cut,
// oldest first, into several digests, each report once, none hidden; and
// the next cycle, which reads the feed again, sends nothing.
func TestBigFeedIsReadableWhole(t *testing.T) { catchUpReadableWhole(t, 1, 161) }

// TestSeriesIsEachSinksOwn: the catch-up's 160 reports of the
// Yekaterinburg case and one of the Sputnik detainees go out as two
// digests. The desk that takes every topic, by webhook and by Slack, is
// told of each which it is of the two, in every chat message of it; the
// media desk, whose webhook takes only the Sputnik topic, gets one
// digest, and it says nothing of a series: its reader has missed nothing.
func TestSeriesIsEachSinksOwn(t *testing.T) {
	_, src, list := catchUpDesk(t, 20)
	media := newSite(t)
	all, desk := newReceiver(t), newReceiver(t)
	slack := chattest.NewSlack(t)
	e := newEnv(t, src+feedSource("media", media.url("/feed.xml"))+
		fmt.Sprintf("alerts:\n  webhook:\n    - url: %s\n    - url: %s\n      topics: [sputnik-detainees]\n", all.srv.URL, desk.srv.URL)+
		fmt.Sprintf("  slack:\n    - url: %s\n", slack.HookURL()))
	list(1)
	e.mustCycle() // the first read: silent
	list(9)
	media.publish(story{ID: "s1", Title: "Kartavykh hearing adjourned", Summary: "In Baku.", Published: at("2025-07-01T08:30:00Z")})
	if sum := e.mustCycle(); sum.Matched != 161 {
		t.Fatalf("catch-up cycle: %d matched, want 161", sum.Matched)
	}
	digests := all.digests()
	if len(digests) != 2 {
		t.Fatalf("the desk's webhook got %d digests, want 2", len(digests))
	}
	for i, d := range digests {
		if d.Series == nil || d.Series.N != i+1 || d.Series.Of != 2 {
			t.Errorf("the desk's digest %d: series %+v, want %d of 2", i, d.Series, i+1)
		}
	}
	if got := desk.digests(); len(got) != 1 || got[0].Series != nil || len(got[0].titles()) != 1 {
		t.Errorf("the media desk got %d digests (the first with series %+v); want one, with the Sputnik report, in no series",
			len(got), func() any {
				if len(got) > 0 {
					return got[0].Series
				}
				return nil
			}())
	}
	msgs := slack.Messages()
	if len(msgs) < 2 {
		t.Fatalf("Slack got %d messages, want the two digests", len(msgs))
	}
	series := 1
	for i, m := range msgs {
		if series == 1 && strings.HasPrefix(m.Text, "*watcher (2 of 2)") {
			series = 2
		}
		if want := fmt.Sprintf("*watcher (%d of 2): ", series); !strings.HasPrefix(m.Text, want) {
			t.Errorf("Slack message %d of %d begins %.40q, want %q", i+1, len(msgs), m.Text, want)
		}
	}
	if series != 2 {
		t.Errorf("no Slack message of the second digest")
	}
}
