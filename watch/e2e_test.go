package watch_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/watcher-news/watcher/state"
)

// TestEndToEnd follows a user's first days: a silent first run over every
// kind of source, a run that delivers exactly the new matching items by
// webhook and email, a run with nothing new that sends nothing, and a run
// that sends only the one new item.
func TestEndToEnd(t *testing.T) { onEachStore(t, testEndToEnd) }

func testEndToEnd(t *testing.T, newEnv envMaker) {
	plain := newSite(t)    // UTF-8 RSS
	cyr := newSite(t)      // windows-1251 RSS, Cyrillic
	cyr.cp1251 = true      //
	listing := newSite(t)  // a listing page without a feed
	teaser := newSite(t)   // a feed of teasers, read with fulltext
	broken := newSite(t)   // answers malformed XML
	broken.broken = true   //
	hook := newReceiver(t) //
	mb := newMailbox(t)    //

	plain.publish(story{ID: "p0", Title: "Old news about Safarov", Summary: "Published before the watcher started.", Published: at("2025-06-28T10:00:00Z")})
	cyr.publish(story{ID: "c0", Title: "Погода в Баку", Summary: "Жара.", Published: at("2025-06-30T10:00:00Z")})
	listing.publish(story{ID: "l0", Title: "City council meets", Body: "Nothing about the case.", Published: at("2025-06-30T10:00:00Z")})
	teaser.publish(story{ID: "t0", Title: "Court hearing in Baku", Summary: "A hearing took place.", Body: "Igor Kartavykh attended.", Published: at("2025-06-30T10:00:00Z")})

	e := newEnv(t, sources(
		feedSource("plain", plain.url("/feed.xml")),
		feedSource("cyr", cyr.url("/feed.xml")),
		pageSource("listing", listing.url("/news/"), "a.story"),
		feedSource("teaser", teaser.url("/feed.xml"), "    fulltext: true\n"),
		feedSource("broken", broken.url("/feed.xml")),
	)+webhookAlert(hook.srv.URL)+emailAlert(mb.addr))

	// First run: every source is read once, silently.
	sum := e.mustCycle()
	if sum.OK != 4 || sum.Failed != 1 || sum.New != 0 || sum.Sent != 0 {
		t.Fatalf("first run: %+v, want 4 ok, 1 failed, nothing new or sent", sum)
	}
	if len(hook.digests()) != 0 || len(mb.messages()) != 0 {
		t.Fatalf("first run alerted: %d webhook digests, %d mails", len(hook.digests()), len(mb.messages()))
	}
	if n := listing.count("/article/") + teaser.count("/article/"); n != 0 {
		t.Errorf("first run fetched %d article pages for items it only records as seen", n)
	}
	if f := sum.Failures; len(f) != 1 || f[0].Source != "broken" || !strings.Contains(f[0].Err.Error(), `"broken"`) {
		t.Errorf("failures %+v, want one naming source \"broken\"", f)
	}

	// New items everywhere: some match, some do not.
	plain.publish(
		story{ID: "p1", Title: "Safarov brothers: autopsy results published", Summary: "Relatives dispute the findings.", Published: at("2025-07-01T08:00:00Z")},
		story{ID: "p2", Title: "Football: FC Ural wins", Summary: "A match report.", Published: at("2025-07-01T08:30:00Z")},
	)
	cyr.publish(story{ID: "c1", Title: "Суд в Баку продлил арест Картавых", Summary: "Директора «Спутник Азербайджан» оставили под стражей.", Published: at("2025-07-01T07:00:00Z")})
	listing.publish(story{ID: "l1", Title: "Hearing adjourned", Body: "The lawyer of Yevgeny Belousov asked for house arrest.", Published: at("2025-07-01T06:00:00Z")})
	teaser.publish(story{ID: "t1", Title: "Another hearing", Summary: "A short teaser.", Body: "Relatives of Huseyn Safarov spoke to reporters after the hearing.", Published: at("2025-07-01T05:00:00Z")})

	sum = e.mustCycle()
	if sum.New != 5 || sum.Matched != 4 || sum.Failed != 1 {
		t.Errorf("second run: %+v, want 5 new, 4 matched, 1 failed", sum)
	}
	digests := hook.digests()
	if len(digests) != 1 {
		t.Fatalf("second run: %d webhook digests, want 1", len(digests))
	}
	want := []string{
		"sputnik-detainees: Hearing adjourned",
		"sputnik-detainees: Суд в Баку продлил арест Картавых",
		"yekaterinburg-case: Another hearing",
		"yekaterinburg-case: Safarov brothers: autopsy results published",
	}
	if got := sorted(digests[0].titles()); !slices.Equal(got, want) {
		t.Errorf("digest items:\n got %q\nwant %q", got, want)
	}
	checkWebhookItems(t, digests[0], map[string]string{
		"Суд в Баку продлил арест Картавых": cyr.url("/article/c1"),
		"Hearing adjourned": listing.url("/article/l1"),
		"Another hearing":   teaser.url("/article/t1"),
	})
	mails := mb.messages()
	if len(mails) != 1 {
		t.Fatalf("second run: %d mails, want 1", len(mails))
	}
	for _, title := range []string{"Safarov brothers: autopsy results published", "Суд в Баку продлил арест Картавых", "Hearing adjourned"} {
		if !strings.Contains(mails[0].Text, title) || !strings.Contains(mails[0].HTML, title) {
			t.Errorf("mail lacks %q in text or HTML", title)
		}
	}
	if strings.Contains(mails[0].Text, "FC Ural") {
		t.Error("mail carries the unmatched item")
	}

	// Nothing new: nothing is sent.
	if sum = e.mustCycle(); sum.New != 0 || sum.Sent != 0 {
		t.Errorf("third run: %+v, want nothing new or sent", sum)
	}
	if len(hook.digests()) != 1 || len(mb.messages()) != 1 {
		t.Errorf("third run sent: %d digests, %d mails in all, want 1 and 1", len(hook.digests()), len(mb.messages()))
	}

	// One new item: a digest with only it.
	plain.publish(story{ID: "p3", Title: "Kartavykh's lawyer appeals", Summary: "The defence filed an appeal.", Published: at("2025-07-01T11:00:00Z")})
	e.mustCycle()
	digests = hook.digests()
	if len(digests) != 2 {
		t.Fatalf("fourth run: %d digests in all, want 2", len(digests))
	}
	if got := digests[1].titles(); !slices.Equal(got, []string{"sputnik-detainees: Kartavykh's lawyer appeals"}) {
		t.Errorf("fourth digest: %q", got)
	}
	if digests[1].ID == digests[0].ID {
		t.Error("two different digests share an id")
	}
}

// checkWebhookItems checks the item fields the webhook contract promises.
func checkWebhookItems(t *testing.T, d webhookDigest, urls map[string]string) {
	t.Helper()
	if d.ID == "" || d.Created == "" {
		t.Errorf("digest without id or created: %+v", d)
	}
	for _, tp := range d.Topics {
		if tp.Title == "" {
			t.Errorf("topic %s without title", tp.ID)
		}
		for _, it := range tp.Items {
			if want, ok := urls[it.Title]; ok && it.URL != want {
				t.Errorf("item %q: url %q, want %q", it.Title, it.URL, want)
			}
			if it.Source == "" || it.Published == "" || it.Snippet == "" {
				t.Errorf("item %q lacks source, published or snippet: %+v", it.Title, it)
			}
		}
	}
}

// TestFailedSinkGetsTheSameDigest: a webhook that is down for one run gets
// the same digest id on the next, the email that worked is not sent again,
// and an item that arrives meanwhile comes in a digest of its own.
func TestFailedSinkGetsTheSameDigest(t *testing.T) { onEachStore(t, testFailedSinkGetsTheSameDigest) }

func testFailedSinkGetsTheSameDigest(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	hook := newReceiver(t)
	mb := newMailbox(t)
	e := newEnv(t, sources(feedSource("outlet", s.url("/feed.xml")))+webhookAlert(hook.srv.URL)+emailAlert(mb.addr))
	e.mustCycle() // baseline

	s.publish(story{ID: "a", Title: "Belousov sentenced", Summary: "Seven years.", Published: at("2025-07-01T08:00:00Z")})
	hook.fail = 1
	sum, err := e.cycle()
	if err == nil || !strings.Contains(err.Error(), "webhook") {
		t.Errorf("cycle error %v, want one naming the webhook", err)
	}
	if sum.Sent != 1 || sum.SendFailed != 1 {
		t.Errorf("summary %+v, want 1 sent (email) and 1 failed (webhook)", sum)
	}
	if len(hook.refused) != 1 || len(hook.digests()) != 0 || len(mb.messages()) != 1 {
		t.Fatalf("refused %d, accepted %d, mails %d; want 1, 0, 1", len(hook.refused), len(hook.digests()), len(mb.messages()))
	}

	// A restart in between: the pending digest lives in the state file.
	e.store.Close()
	e.open()
	s.publish(story{ID: "b", Title: "Safarov case: new hearing", Summary: "In Yekaterinburg.", Published: at("2025-07-01T09:30:00Z")})
	if _, err := e.cycle(); err != nil {
		t.Fatalf("retry cycle: %v", err)
	}
	got := hook.digests()
	if len(got) != 2 {
		t.Fatalf("webhook got %d digests, want the retried one and the new one", len(got))
	}
	if got[0].ID != hook.refused[0] {
		t.Errorf("retried digest has id %s, the refused one had %s", got[0].ID, hook.refused[0])
	}
	if !slices.Equal(got[0].titles(), []string{"sputnik-detainees: Belousov sentenced"}) ||
		!slices.Equal(got[1].titles(), []string{"yekaterinburg-case: Safarov case: new hearing"}) {
		t.Errorf("digests %q then %q", got[0].titles(), got[1].titles())
	}
	mails := mb.messages()
	if len(mails) != 2 || strings.Contains(mails[1].Text, "Belousov sentenced") {
		t.Errorf("email: %d messages; the second must not repeat the first item", len(mails))
	}
	st, err := e.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("state after the retry: %+v", st)
	pending, err := e.store.Pending()
	if err != nil || len(pending) != 0 {
		t.Errorf("pending digests after delivery: %d (%v)", len(pending), err)
	}
}

// TestBackfill: a new source's first fetch alerts on the items published
// within the backfill window and silently records the older ones.
func TestBackfill(t *testing.T) { onEachStore(t, testBackfill) }

func testBackfill(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	hook := newReceiver(t)
	s.publish(
		story{ID: "old", Title: "Kartavykh detained", Summary: "A week ago.", Published: at("2025-06-24T10:00:00Z")},
		story{ID: "recent", Title: "Kartavykh hearing", Summary: "Yesterday.", Published: at("2025-06-30T20:00:00Z")},
	)
	e := newEnv(t, "backfill: 48h\n"+sources(feedSource("outlet", s.url("/feed.xml")))+webhookAlert(hook.srv.URL))
	e.mustCycle()
	got := hook.digests()
	if len(got) != 1 || !slices.Equal(got[0].titles(), []string{"sputnik-detainees: Kartavykh hearing"}) {
		t.Fatalf("first run delivered %v, want only the item within the backfill window", got)
	}
	e.mustCycle()
	if n := len(hook.digests()); n != 1 {
		t.Errorf("second run sent again: %d digests in all", n)
	}
}

// TestWebhookRetryAfterIsHonoured: a webhook that answers 503 with
// Retry-After of two hours is not tried again an hour later, and gets the
// same digest once the two hours are up.
func TestWebhookRetryAfterIsHonoured(t *testing.T) { onEachStore(t, testWebhookRetryAfterIsHonoured) }

func testWebhookRetryAfterIsHonoured(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	hook := newReceiver(t)
	e := newEnv(t, sources(feedSource("outlet", s.url("/feed.xml")))+webhookAlert(hook.srv.URL))
	e.mustCycle() // baseline
	s.publish(story{ID: "a", Title: "Kartavykh appeal rejected", Summary: "In Baku.", Published: at("2025-07-01T08:00:00Z")})
	hook.mu.Lock()
	hook.fail, hook.retryAfter = 1, "7200"
	hook.mu.Unlock()
	if _, err := e.cycle(); err == nil {
		t.Fatal("first delivery: no error, want the 503")
	}
	e.mustCycle() // an hour later: still inside Retry-After
	if n, m := len(hook.refused), len(hook.digests()); n != 1 || m != 0 {
		t.Fatalf("an hour later: %d refused, %d accepted; want 1 and 0 (no attempt yet)", n, m)
	}
	e.mustCycle() // two hours later
	got := hook.digests()
	if len(got) != 1 || got[0].ID != hook.refused[0] {
		t.Fatalf("after Retry-After: %d digests (want 1 with id %s)", len(got), hook.refused[0])
	}
}

// TestUnreadableDigestIsParked: a stored digest whose payload cannot be
// decoded (a damaged file) is parked and reported, once, instead of
// failing every run from then on; later digests still go out.
func TestUnreadableDigestIsParked(t *testing.T) { onEachStore(t, testUnreadableDigestIsParked) }

func testUnreadableDigestIsParked(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	hook := newReceiver(t)
	e := newEnv(t, sources(feedSource("outlet", s.url("/feed.xml")))+webhookAlert(hook.srv.URL))
	e.mustCycle() // baseline
	bad := &state.Digest{ID: "damaged", Created: e.clock.Now(), Payload: []byte(`{"id": "damaged", "topics": [`),
		Sinks: map[string]*state.Delivery{"webhook somewhere": {}}}
	if err := e.store.Commit(state.Batch{Digest: bad}); err != nil {
		t.Fatal(err)
	}
	s.publish(story{ID: "a", Title: "Belousov appeal heard", Summary: "In Baku.", Published: at("2025-07-01T08:00:00Z")})
	sum, err := e.cycle()
	if err == nil || !strings.Contains(err.Error(), "damaged") || sum.Parked != 1 {
		t.Fatalf("cycle: %v, parked %d; want an error naming the digest and 1 parked", err, sum.Parked)
	}
	if got := hook.digests(); len(got) != 1 || !slices.Equal(got[0].titles(), []string{"sputnik-detainees: Belousov appeal heard"}) {
		t.Errorf("the new digest did not go out: %v", got)
	}
	if _, err := e.cycle(); err != nil {
		t.Errorf("the next cycle still fails: %v", err)
	}
	parked, err := e.store.Parked()
	if err != nil || len(parked) != 1 || parked[0].ID != "damaged" {
		t.Errorf("parked digests: %v (%v); want the damaged one kept", parked, err)
	}
}
