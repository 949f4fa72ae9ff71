package watch_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/watcher-news/watcher/watch"
)

// TestRenamedScheduledSinkKeepsItsHeldDigests: a desk gives its webhook,
// which takes a morning digest, a name: (as an edit and a reload do)
// while the day's crawls are held for it. The held digests follow the
// sink under its new name and still wait for 08:00, then go out as one
// digest with every item, once; not one message per crawl at once.
func TestRenamedScheduledSinkKeepsItsHeldDigests(t *testing.T) {
	s := newSite(t)
	hook := newReceiver(t)
	src := sources(feedSource("site", s.url("/feed.xml")))
	morning := "      digest:\n        schedule: \"0 8 * * *\"\n"
	e := newEnv(t, "timezone: UTC\n"+src+webhookAlert(hook.srv.URL)+morning)
	e.mustCycle() // 10:00, the silent first read
	var want []string
	for _, h := range []string{"h11", "h12"} {
		s.publish(safarov(h, e.clock.Now()))
		want = append(want, "yekaterinburg-case: Safarov case, report "+h)
		e.mustCycle()
	}
	if n := len(hook.digests()); n != 0 {
		t.Fatalf("%d digests before the morning, want none", n)
	}

	// The same webhook, now known by a name.
	e.reconfigure("timezone: UTC\n" + src + fmt.Sprintf("alerts:\n  webhook:\n    - name: desk\n      url: %s\n      secret: s3cret\n", hook.srv.URL) + morning)
	e.until(at("2025-07-02T07:50:00Z"), 10*time.Minute, nil, nil)
	if got := hook.digests(); len(got) != 0 {
		t.Fatalf("after the rename, %d digests before 08:00 (%q...), want none: the held digests lost their schedule", len(got), got[0].titles())
	}
	e.until(at("2025-07-02T08:10:00Z"), 10*time.Minute, nil, nil)
	got := hook.digests()
	if len(got) != 1 {
		t.Fatalf("%d digests by 08:10, want the one morning digest", len(got))
	}
	if titles := sorted(got[0].titles()); !slices.Equal(titles, sorted(want)) {
		t.Errorf("morning digest %q, want %q", titles, sorted(want))
	}
	if p, err := e.store.Pending(); err != nil || len(p) != 0 {
		t.Errorf("pending after the morning digest: %d, %v; want none", len(p), err)
	}
}

// TestMovedRoutedSinkDoesNotResendToOthers: the politics desk's webhook
// takes one topic and is failing; the editor points it at a new address.
// Its pending digest goes to the new address, once; the webhook that takes
// every topic, and already had those items in its own digest of the same
// crawl, does not get them a second time.
func TestMovedRoutedSinkDoesNotResendToOthers(t *testing.T) {
	s, desk, moved, all := newSite(t), newReceiver(t), newReceiver(t), newReceiver(t)
	desk.fail = 1 << 20
	src := sources(feedSource("site", s.url("/feed.xml")))
	hooks := func(deskURL string) string {
		return fmt.Sprintf("alerts:\n  webhook:\n    - url: %s\n      topics: [sputnik-detainees]\n    - url: %s\n", deskURL, all.srv.URL)
	}
	e := newEnv(t, src+hooks(desk.srv.URL))
	e.mustCycle() // the silent first read
	s.publish(kartavykh("k1", e.clock.Now()), safarov("s1", e.clock.Now()))
	if _, err := e.cycle(); err == nil || len(desk.refused) != 1 {
		t.Fatalf("the desk's digest was not refused: err %v, refused %v", err, desk.refused)
	}
	if n := len(all.digests()); n != 1 {
		t.Fatalf("the all-topics webhook got %d digests, want 1", n)
	}

	e.reconfigure(src + hooks(moved.srv.URL))
	e.mustCycle()
	e.mustCycle()
	if got := moved.digests(); len(got) != 1 || !slices.Equal(got[0].titles(), []string{"sputnik-detainees: Kartavykh hearing, report k1"}) {
		t.Errorf("the new address got %+v; want the desk's pending digest once", got)
	}
	var titles []string
	for _, d := range all.digests() {
		titles = append(titles, d.titles()...)
	}
	if want := []string{"sputnik-detainees: Kartavykh hearing, report k1", "yekaterinburg-case: Safarov case, report s1"}; !slices.Equal(sorted(titles), want) {
		t.Errorf("the all-topics webhook got %q, want each item once: %q", titles, want)
	}
}

// TestGatheredDigestKeepsOneEntryPerStory: a desk on a morning digest
// gets the ruling's first reports in one crawl and a later report of it
// in the next; both are held. The morning digest carries the story once,
// the later report among its other reports, not as a second entry that
// "adds to a story sent earlier" in the very same message.
func TestGatheredDigestKeepsOneEntryPerStory(t *testing.T) {
	en, ru, oc := newSite(t), newSite(t), newSite(t)
	hook := newReceiver(t)
	e := newEnv(t, "timezone: UTC\n"+sources(
		feedSource("reuters.com", en.url("/feed.xml")),
		feedSource("interfax.ru", ru.url("/feed.xml")),
		feedSource("oc-media.org", oc.url("/feed.xml")),
	)+webhookAlert(hook.srv.URL)+"      digest:\n        schedule: \"0 8 * * *\"\n")
	e.mustCycle() // 10:00, the silent first read
	en.publish(rulingEN)
	ru.publish(rulingRU)
	e.mustCycle() // 11:00
	oc.publish(rulingLater)
	e.mustCycle() // 12:00
	if n := len(hook.digests()); n != 0 {
		t.Fatalf("%d digests before the morning, want none", n)
	}
	e.until(at("2025-07-02T08:00:00Z"), time.Hour, nil, nil)
	got := hook.digests()
	if len(got) != 1 || len(got[0].Topics) != 1 {
		t.Fatalf("morning: %d digests, want 1 with one topic", len(got))
	}
	items := got[0].Topics[0].Items
	if len(items) != 1 {
		t.Fatalf("the ruling is %d entries %q, want 1", len(items), got[0].titles())
	}
	if items[0].Title != rulingRU.Title || items[0].AdditionTo != nil {
		t.Errorf("entry %q (addition to %+v), want the first report, interfax.ru's, as a new story", items[0].Title, items[0].AdditionTo)
	}
	var also []string
	for _, a := range items[0].Also {
		also = append(also, a.Title)
	}
	if want := []string{rulingEN.Title, rulingLater.Title}; !slices.Equal(also, want) {
		t.Errorf("also reported by %q, want %q", also, want)
	}
}

// TestPreviewOfRoutedSinksListsEachReportOnce: the politics desk's
// webhook (one topic) is down, and the all-topics webhook takes a morning
// digest, so each crawl's ruling reports wait in two stored digests. The
// preview of what waits lists the ruling once, each of its other reports
// (the later one too) once.
func TestPreviewOfRoutedSinksListsEachReportOnce(t *testing.T) {
	en, ru, oc := newSite(t), newSite(t), newSite(t)
	desk, all := newReceiver(t), newReceiver(t)
	desk.fail = 1 << 20
	e := newEnv(t, "timezone: UTC\n"+sources(
		feedSource("reuters.com", en.url("/feed.xml")),
		feedSource("interfax.ru", ru.url("/feed.xml")),
		feedSource("oc-media.org", oc.url("/feed.xml")),
	)+fmt.Sprintf("alerts:\n  webhook:\n    - url: %s\n      topics: [sputnik-detainees]\n    - url: %s\n      digest:\n        schedule: \"0 8 * * *\"\n",
		desk.srv.URL, all.srv.URL))
	e.mustCycle() // the silent first read
	en.publish(rulingEN, safarov("s1", e.clock.Now()))
	ru.publish(rulingRU)
	e.cycle() // the desk refuses: an error, expected
	oc.publish(rulingLater)
	e.cycle()
	p, ok, err := watch.NextDigest(e.cfg, e.store, e.clock.Now())
	if err != nil || !ok {
		t.Fatalf("preview: ok %v, err %v", ok, err)
	}
	reports := map[string]int{}
	for _, tp := range p.Digest.Topics {
		for _, it := range tp.Items {
			reports[it.Title]++
			for _, a := range it.Also {
				reports[a.Title]++
			}
		}
	}
	for _, title := range []string{rulingRU.Title, rulingEN.Title, rulingLater.Title, "Safarov case, report s1"} {
		if reports[title] != 1 {
			t.Errorf("%q listed %d times in the preview, want once (all: %v)", title, reports[title], reports)
		}
	}
}

// TestMovedScheduledSinkDoesNotResendToOthers: the morning webhook and an
// at-once webhook share each crawl's stored digest. The morning one's
// gathered digest is refused at 08:00 and the editor points it at a new
// address: the gathered digest goes there, once, and the at-once webhook,
// which had those items when they were found, does not get them again.
func TestMovedScheduledSinkDoesNotResendToOthers(t *testing.T) {
	s, morning, moved, atOnce := newSite(t), newReceiver(t), newReceiver(t), newReceiver(t)
	morning.fail = 1 << 20
	src := "timezone: UTC\n" + sources(feedSource("site", s.url("/feed.xml")))
	hooks := func(url string) string {
		return fmt.Sprintf("alerts:\n  webhook:\n    - url: %s\n      digest:\n        schedule: \"0 8 * * *\"\n    - url: %s\n", url, atOnce.srv.URL)
	}
	e := newEnv(t, src+hooks(morning.srv.URL))
	e.mustCycle() // 10:00, the silent first read
	s.publish(safarov("a", e.clock.Now()))
	e.mustCycle()
	if n := len(atOnce.digests()); n != 1 {
		t.Fatalf("the at-once webhook got %d digests, want 1", n)
	}
	e.clock.Add(20 * time.Hour) // the next cycle is at 08:00
	if _, err := e.cycle(); err == nil || len(morning.refused) != 1 {
		t.Fatalf("the 08:00 digest was not refused: err %v, refused %v", err, morning.refused)
	}
	e.reconfigure(src + hooks(moved.srv.URL))
	e.mustCycle()
	e.mustCycle()
	if got := moved.digests(); len(got) != 1 || !slices.Equal(got[0].titles(), []string{"yekaterinburg-case: Safarov case, report a"}) {
		t.Errorf("the new address got %+v; want the morning digest once", got)
	}
	if n := len(atOnce.digests()); n != 1 {
		t.Errorf("the at-once webhook got %d digests, want its one of the crawl, not the morning digest again", n)
	}
}

// TestRenamedAtDigestTime: the reload that names the morning webhook
// comes just before 08:00; the 08:00 cycle, the first on the new
// configuration, sends the morning digest, not the cycle after it.
func TestRenamedAtDigestTime(t *testing.T) {
	s := newSite(t)
	hook := newReceiver(t)
	src := sources(feedSource("site", s.url("/feed.xml")))
	morning := "      digest:\n        schedule: \"0 8 * * *\"\n"
	e := newEnv(t, "timezone: UTC\n"+src+webhookAlert(hook.srv.URL)+morning)
	e.mustCycle() // 10:00, the silent first read
	s.publish(safarov("h11", e.clock.Now()))
	e.until(at("2025-07-02T07:00:00Z"), time.Hour, nil, nil)
	e.reconfigure("timezone: UTC\n" + src + fmt.Sprintf("alerts:\n  webhook:\n    - name: desk\n      url: %s\n      secret: s3cret\n", hook.srv.URL) + morning)
	e.mustCycle() // 08:00
	if got := hook.digests(); len(got) != 1 || !slices.Equal(got[0].titles(), []string{"yekaterinburg-case: Safarov case, report h11"}) {
		t.Fatalf("at 08:00 the desk got %d digests, want the morning digest", len(got))
	}
}

// TestStoryNoSinkTookIsNotSentEarlier: while the only desk takes the
// Yekaterinburg case, the Sputnik ruling matches and goes to no sink. The
// editor then routes both topics to the desk; a later report of the
// ruling comes to it as a story, not as an addition to one "sent
// earlier", which nobody was sent.
func TestStoryNoSinkTookIsNotSentEarlier(t *testing.T) {
	ru, oc, site := newSite(t), newSite(t), newSite(t)
	hook := newReceiver(t)
	src := sources(feedSource("interfax.ru", ru.url("/feed.xml")), feedSource("oc-media.org", oc.url("/feed.xml")), feedSource("site", site.url("/feed.xml")))
	desk := func(topics string) string {
		return fmt.Sprintf("alerts:\n  webhook:\n    - name: desk\n      url: %s\n%s", hook.srv.URL, topics)
	}
	e := newEnv(t, src+desk("      topics: [yekaterinburg-case]\n"))
	e.mustCycle() // the silent first read
	ru.publish(rulingRU)
	site.publish(safarov("s1", e.clock.Now()))
	e.mustCycle()
	e.reconfigure(src + desk(""))
	oc.publish(rulingLater)
	e.mustCycle()
	got := hook.digests()
	if len(got) != 2 {
		t.Fatalf("%d digests, want 2", len(got))
	}
	if titles := got[1].titles(); !slices.Equal(titles, []string{"sputnik-detainees: " + rulingLater.Title}) {
		t.Fatalf("second digest %q, want the later report of the ruling", titles)
	}
	if a := got[1].Topics[0].Items[0].AdditionTo; a != nil {
		t.Errorf("the later report adds to %q, a story no sink was sent", a.Title)
	}
}
