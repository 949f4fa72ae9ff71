package watch_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The court ruling of 1 July 2025, as three outlets reported it in three
// languages (paraphrased), and a later report of it by a fourth.
var (
	rulingRU = story{ID: "ru-ruling", Published: at("2025-07-01T07:40:00Z"),
		Title:   "Суд в Баку арестовал на четыре месяца руководителей «Спутник Азербайджан»",
		Summary: "Игорю Картавых и Евгению Белоусову грозит до 12 лет лишения свободы. Мария Захарова назвала арест недружественным шагом."}
	rulingAZ = story{ID: "az-ruling", Published: at("2025-07-01T09:10:00Z"),
		Title:   "İqor Kartavıx və Yevgeni Belousov dörd ay müddətinə həbs edilib",
		Summary: "“Sputnik Azərbaycan”ın rəhbərlərinə 12 ilədək azadlıqdan məhrumetmə cəzası ola bilər. Zaxarova həbsi qeyri-dost addım adlandırıb."}
	rulingEN = story{ID: "en-ruling", Published: at("2025-07-01T09:40:00Z"),
		Title:   "Azerbaijan court jails Sputnik's Kartavykh and Belousov for four months",
		Summary: "Igor Kartavykh and Yevgeny Belousov face up to 12 years in prison; Maria Zakharova called the arrests unfriendly."}
	rulingLater = story{ID: "oc-ruling", Published: at("2025-07-01T11:30:00Z"),
		Title:   "Kartavykh and Belousov held four months: what the charges say",
		Summary: "A Baku court ordered Igor Kartavykh and Yevgeny Belousov held for four months; the charges carry up to 12 years. Zakharova protested."}
	// Another story of the same topic and cycle: the same people, a
	// different event, a day earlier.
	raidEN = story{ID: "en-raid", Published: at("2025-06-30T14:48:00Z"),
		Title:   "Azerbaijani police raid Baku office of Russian state news agency Sputnik",
		Summary: "Police detained several people, among them director Igor Kartavykh, local media reported."}
)

// TestOneEntryPerStory: three outlets (English, Russian in windows-1251,
// Azerbaijani) report one ruling; the webhook, the email and the next
// cycles see one entry for it, with the others as "also reported by", a
// different story of the same topic stays its own entry, and a later
// report of the ruling comes as an addition to it. A webhook that fails
// gets the same digest, grouping and id, on the retry; every report is
// delivered once.
func TestOneEntryPerStory(t *testing.T) {
	en, ru, az, oc := newSite(t), newSite(t), newSite(t), newSite(t)
	ru.cp1251 = true
	hook := newReceiver(t)
	mb := newMailbox(t)
	e := newEnv(t, sources(
		feedSource("reuters.com", en.url("/feed.xml")),
		feedSource("interfax.ru", ru.url("/feed.xml")),
		feedSource("report.az", az.url("/feed.xml")),
		feedSource("oc-media.org", oc.url("/feed.xml")),
	)+webhookAlert(hook.srv.URL)+emailAlert(mb.addr))
	e.mustCycle() // the first read of every source: silent

	en.publish(raidEN, rulingEN)
	ru.publish(rulingRU)
	az.publish(rulingAZ)
	if sum := e.mustCycle(); sum.Matched != 4 || sum.Sent != 2 {
		t.Fatalf("second run: %+v, want 4 matched, sent to 2 sinks", sum)
	}
	digests := hook.digests()
	if len(digests) != 1 {
		t.Fatalf("%d digests, want 1", len(digests))
	}
	items := digests[0].Topics[0].Items
	if len(items) != 2 {
		t.Fatalf("sputnik-detainees: %d entries %q, want 2 (the ruling, the raid)", len(items), digests[0].titles())
	}
	i := slices.IndexFunc(items, func(it webhookItem) bool { return it.Title == rulingRU.Title })
	if i < 0 {
		t.Fatalf("no entry for the ruling's first report: %+v", items)
	}
	ruling := items[i]
	if ruling.URL != ru.url("/article/ru-ruling") || ruling.Source != "interfax.ru" {
		t.Errorf("the ruling's entry is %s (%s), want the first report, interfax.ru's", ruling.URL, ruling.Source)
	}
	var also []string
	for _, a := range ruling.Also {
		also = append(also, a.Source+" "+a.Title+" "+a.URL)
	}
	want := []string{
		"report.az " + rulingAZ.Title + " " + az.url("/article/az-ruling"),
		"reuters.com " + rulingEN.Title + " " + en.url("/article/en-ruling"),
	}
	if !slices.Equal(also, want) {
		t.Errorf("also reported by:\n got %q\nwant %q", also, want)
	}
	mails := mb.messages()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	for _, s := range []string{"also reported by:", "report.az", rulingAZ.Title, rulingEN.Title, en.url("/article/en-ruling")} {
		if !strings.Contains(mails[0].Text, s) || !strings.Contains(mails[0].HTML, strings.ReplaceAll(s, "'", "&#39;")) {
			t.Errorf("mail lacks %q in text or HTML", s)
		}
	}

	// A later report of the ruling, while the webhook is down: it comes
	// as an addition to the story sent, and the retry carries the same.
	oc.publish(rulingLater)
	hook.mu.Lock()
	hook.fail = 1
	hook.mu.Unlock()
	if _, err := e.cycle(); err == nil {
		t.Fatal("a cycle whose webhook failed reported no error")
	}
	e.mustCycle()
	digests = hook.digests()
	if len(digests) != 2 || len(hook.refused) != 1 || hook.refused[0] != digests[1].ID {
		t.Fatalf("%d digests, refused %v; want the refused digest delivered on the retry", len(digests), hook.refused)
	}
	items = digests[1].Topics[0].Items
	if len(items) != 1 || items[0].Title != rulingLater.Title {
		t.Fatalf("addition digest: %q, want the later report alone", digests[1].titles())
	}
	if a := items[0].AdditionTo; a == nil || a.URL != ru.url("/article/ru-ruling") || a.Title != rulingRU.Title || a.Source != "interfax.ru" {
		t.Errorf("addition_to = %+v, want the ruling as first sent (interfax.ru)", a)
	}
	if m := mb.messages(); len(m) != 2 || !strings.Contains(m[1].Text, "adds to a story sent earlier: "+rulingRU.Title) {
		t.Errorf("the second mail does not name the story it adds to")
	}

	// Every report delivered is an item or in an item's also, once.
	count := reportsByURL(digests)
	for _, u := range []string{en.url("/article/en-raid"), en.url("/article/en-ruling"), ru.url("/article/ru-ruling"), az.url("/article/az-ruling"), oc.url("/article/oc-ruling")} {
		if count[u] != 1 {
			t.Errorf("%s delivered %d times, want once", u, count[u])
		}
	}
}

// TestStdoutAlsoReportedBy: with no sink configured, the printed digest
// lists the other reports under the story's first.
func TestStdoutAlsoReportedBy(t *testing.T) {
	en, ru := newSite(t), newSite(t)
	e := newEnv(t, sources(feedSource("reuters.com", en.url("/feed.xml")), feedSource("interfax.ru", ru.url("/feed.xml"))))
	e.mustCycle()
	en.publish(rulingEN)
	ru.publish(rulingRU)
	e.mustCycle()
	out := e.stdout.String()
	first := strings.Index(out, "* "+rulingRU.Title)
	also := strings.Index(out, "also reported by:\n  - reuters.com · 2025-07-01 09:40 UTC: "+rulingEN.Title)
	if first < 0 || also < first || strings.Contains(out, "* "+rulingEN.Title) {
		t.Errorf("stdout does not show the ruling once with reuters.com under it:\n%s", out)
	}
}

// TestAddedSinkGetsTheStoryNotAnAddition: a newsroom adds a second
// webhook while the desk's already has the ruling. A later report of the
// ruling is an addition for the desk; the newsroom, which never had the
// story, gets it as the story's entry with the report sent before listed
// among its other reports. Once the newsroom has had the story, a third
// report is an addition for both.
func TestAddedSinkGetsTheStoryNotAnAddition(t *testing.T) {
	en, oc, ru := newSite(t), newSite(t), newSite(t)
	desk, newsroom := newReceiver(t), newReceiver(t)
	src := sources(
		feedSource("reuters.com", en.url("/feed.xml")),
		feedSource("oc-media.org", oc.url("/feed.xml")),
		feedSource("interfax.ru", ru.url("/feed.xml")),
	)
	hook := func(name, url string) string {
		return fmt.Sprintf("    - name: %s\n      url: %s\n      secret: s3cret\n", name, url)
	}
	e := newEnv(t, src+"alerts:\n  webhook:\n"+hook("desk", desk.srv.URL))
	e.mustCycle() // the first read of every source: silent
	en.publish(rulingEN)
	e.mustCycle()
	if got := desk.digests(); len(got) != 1 || !slices.Equal(got[0].titles(), []string{"sputnik-detainees: " + rulingEN.Title}) {
		t.Fatalf("the desk's first digests: %d, want the ruling alone", len(got))
	}

	e.reconfigure(src + "alerts:\n  webhook:\n" + hook("desk", desk.srv.URL) + hook("newsroom", newsroom.srv.URL))
	oc.publish(rulingLater)
	e.mustCycle()
	only := func(r *receiver, n int) webhookItem {
		t.Helper()
		got := r.digests()
		if len(got) != n || len(got[n-1].Topics) != 1 || len(got[n-1].Topics[0].Items) != 1 {
			t.Fatalf("%d digests, want %d, the last with one entry", len(got), n)
		}
		return got[n-1].Topics[0].Items[0]
	}
	forDesk := only(desk, 2)
	if forDesk.Title != rulingLater.Title || forDesk.AdditionTo == nil || forDesk.AdditionTo.Title != rulingEN.Title {
		t.Errorf("the desk's entry: %q adding to %+v, want the later report as an addition to the ruling", forDesk.Title, forDesk.AdditionTo)
	}
	forNewsroom := only(newsroom, 1)
	if forNewsroom.AdditionTo != nil {
		t.Errorf("the newsroom's entry adds to %q, a story it never had", forNewsroom.AdditionTo.Title)
	}
	if forNewsroom.Title != rulingLater.Title || len(forNewsroom.Also) != 1 || forNewsroom.Also[0].Title != rulingEN.Title ||
		forNewsroom.Also[0].URL != en.url("/article/en-ruling") {
		t.Errorf("the newsroom's entry: %q, also %+v; want the later report with the ruling sent before as another report", forNewsroom.Title, forNewsroom.Also)
	}

	ru.publish(rulingRU)
	e.mustCycle()
	for _, c := range []struct {
		name string
		got  webhookItem
	}{{"desk", only(desk, 3)}, {"newsroom", only(newsroom, 2)}} {
		if c.got.Title != rulingRU.Title || c.got.AdditionTo == nil || c.got.AdditionTo.Title != rulingEN.Title {
			t.Errorf("%s: %q adding to %+v, want an addition to the ruling", c.name, c.got.Title, c.got.AdditionTo)
		}
	}
}
