package watch_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/watch"
)

// newEnvFiles is newEnv with more files (templates) written beside the
// configuration file, which refers to them by relative paths.
func newEnvFiles(t *testing.T, files map[string]string, cfgYAML string) *env {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return loadEnv(t, dir, "state: "+filepath.Join(dir, "watcher.db")+"\nfetch:\n  timeout: 5s\n"+cfgYAML+testTopics)
}

// restart closes the state file and opens it again with a new watcher,
// as a restarted daemon or the next --once run does.
func (e *env) restart() {
	e.t.Helper()
	if err := e.store.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// until runs a cycle every step until the clock reaches end, calling
// before ahead of each cycle and after behind it.
func (e *env) until(end time.Time, step time.Duration, before, after func(now time.Time)) {
	e.t.Helper()
	for e.clock.Now().Add(step).Compare(end) <= 0 {
		e.clock.Add(step)
		if before != nil {
			before(e.clock.Now())
		}
		if _, err := e.cycleAfter(0); err != nil {
			e.t.Fatalf("cycle at %s: %v", e.clock.Now().Format(time.RFC3339), err)
		}
		if after != nil {
			after(e.clock.Now())
		}
	}
}

// mailText is a mail's text part with plain line ends.
func mailText(m *parsedMail) string { return strings.ReplaceAll(m.Text, "\r\n", "\n") }

// safarov is a story the yekaterinburg-case topic matches.
func safarov(id string, at time.Time) story {
	return story{ID: id, Title: "Safarov case, report " + id, Summary: "Relatives spoke.", Published: at}
}

// kartavykh is a story the sputnik-detainees topic matches.
func kartavykh(id string, at time.Time) story {
	return story{ID: id, Title: "Kartavykh hearing, report " + id, Summary: "The court sat.", Published: at}
}

// TestDailyDigestGathersADayOfCrawls: the crawl runs every 10 minutes over
// a virtual day while the feed adds an item an hour (and a story no topic
// wants); the desk gets one mail at 08:00 with every matched item of the
// day, each once, nothing before it, and nothing again after it.
func TestDailyDigestGathersADayOfCrawls(t *testing.T) {
	onEachStore(t, testDailyDigestGathersADayOfCrawls)
}

func testDailyDigestGathersADayOfCrawls(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	mb := newMailbox(t)
	// The crawl schedule is set to every 10 minutes, as a desk would run
	// it beside a morning digest; the fake clock drives the cycles.
	e := newEnv(t, "timezone: UTC\nschedule: \"*/10 * * * *\"\ndigest:\n  schedule: \"0 8 * * *\"\n"+
		sources(feedSource("site", s.url("/feed.xml")))+"alerts:\n"+emailAlert(mb.addr))
	e.until(at("2025-07-01T09:10:00Z"), 10*time.Minute, nil, nil) // the silent first read

	var want []string
	morning := at("2025-07-02T08:00:00Z")
	e.until(morning, 10*time.Minute, func(now time.Time) {
		if now.Minute() == 20 || now.Equal(morning) {
			id := fmt.Sprintf("h%02d%02d", now.Hour(), now.Minute())
			s.publish(safarov(id, now), story{ID: "x" + id, Title: "Weather, report " + id, Published: now})
			want = append(want, "Safarov case, report "+id)
		}
	}, func(now time.Time) {
		if n := len(mb.messages()); now.Before(morning) && n != 0 {
			t.Fatalf("%d mails at %s, want none before the 08:00 digest", n, now.Format(time.RFC3339))
		}
	})
	msgs := mb.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails at 08:00, want 1", len(msgs))
	}
	text := mailText(msgs[0])
	for _, title := range want {
		if n := strings.Count(text, "* "+title+"\n"); n != 1 {
			t.Errorf("%q appears %d times in the digest, want once", title, n)
		}
	}
	if len(want) != 24 || strings.Contains(text, "Weather") {
		t.Errorf("%d items published; digest mentions weather: %v", len(want), strings.Contains(text, "Weather"))
	}
	if !strings.Contains(msgs[0].Subject, "24 new") {
		t.Errorf("subject %q, want 24 new", msgs[0].Subject)
	}

	// After the digest: a new item waits for the next morning.
	e.until(at("2025-07-02T09:30:00Z"), 10*time.Minute, func(now time.Time) {
		if now.Minute() == 20 {
			s.publish(safarov("late", now))
		}
	}, nil)
	if n := len(mb.messages()); n != 1 {
		t.Errorf("%d mails after the digest, want still 1", n)
	}
	// What waits is what a preview shows, and a preview writes nothing.
	before := digestsJSON(t, e.store)
	p, ok, err := watch.NextDigest(e.cfg, e.store, e.clock.Now())
	if err != nil || !ok || !p.Pending || p.Digest.Count() != 1 || p.Digest.Topics[0].Items[0].Title != "Safarov case, report late" {
		t.Errorf("preview = %+v, %v, %v; want the one pending item", p, ok, err)
	}
	if after := digestsJSON(t, e.store); after != before {
		t.Errorf("preview changed the state:\nbefore %s\nafter  %s", before, after)
	}
}

// digestsJSON is every stored digest, as a comparable string.
func digestsJSON(t *testing.T, store watch.Store) string {
	t.Helper()
	ds, err := store.Digests()
	if err != nil {
		t.Fatal(err)
	}
	last, _, err := store.LastDelivered()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal([]any{ds, last})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestImmediateTopicsGoAtOnce: with a morning digest, an immediate topic's
// item is mailed in the crawl that found it, alone; the other topic's
// item waits for the morning, and the morning digest does not repeat the
// immediate one.
func TestImmediateTopicsGoAtOnce(t *testing.T) {
	s := newSite(t)
	mb := newMailbox(t)
	e := newEnv(t, "timezone: UTC\n"+sources(feedSource("site", s.url("/feed.xml")))+"alerts:\n"+emailAlert(mb.addr)+
		"      digest:\n        schedule: \"0 8 * * *\"\n        immediate: [sputnik-detainees]\n")
	e.mustCycle() // 10:00, the silent first read
	s.publish(kartavykh("k1", e.clock.Now()), safarov("s1", e.clock.Now()))
	e.mustCycle() // 11:00
	msgs := mb.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails in the crawl that found an immediate item, want 1", len(msgs))
	}
	if text := mailText(msgs[0]); !strings.Contains(text, "Kartavykh hearing, report k1") || strings.Contains(text, "Safarov") {
		t.Errorf("immediate mail:\n%s\nwant the Kartavykh item alone", text)
	}
	e.until(at("2025-07-02T08:00:00Z"), time.Hour, nil, nil)
	msgs = mb.messages()
	if len(msgs) != 2 {
		t.Fatalf("%d mails after the morning, want 2", len(msgs))
	}
	if text := mailText(msgs[1]); !strings.Contains(text, "Safarov case, report s1") || strings.Contains(text, "Kartavykh") {
		t.Errorf("morning mail:\n%s\nwant the Safarov item alone", text)
	}
}

// TestQuietHoursHold: with quiet hours 22:00 to 07:00, a sink without a
// schedule gets what a crawl found at once by day, and what it found at
// night at 07:00, in one digest; an immediate topic breaks the quiet. A
// sink whose 06:00 digest falls in the quiet gets it at 07:00.
func TestQuietHoursHold(t *testing.T) { onEachStore(t, testQuietHoursHold) }

func testQuietHoursHold(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	day, sched := newReceiver(t), newReceiver(t)
	quiet := "{from: \"22:00\", to: \"07:00\"}"
	e := newEnv(t, "timezone: UTC\n"+sources(feedSource("site", s.url("/feed.xml")))+webhookAlert(day.srv.URL)+
		"      digest: {quiet_hours: "+quiet+", immediate: [sputnik-detainees]}\n"+
		"    - url: "+sched.srv.URL+"\n      digest: {schedule: \"0 6 * * *\", quiet_hours: "+quiet+"}\n")
	e.until(at("2025-07-01T09:10:00Z"), 10*time.Minute, nil, nil)
	s.publish(safarov("a", e.clock.Now()))
	e.until(at("2025-07-01T09:20:00Z"), 10*time.Minute, nil, nil)
	if got := allTitles(day); !slices.Equal(got, []string{"yekaterinburg-case: Safarov case, report a"}) {
		t.Fatalf("by day: %q, want the item at once", got)
	}
	e.until(at("2025-07-01T22:30:00Z"), 10*time.Minute, nil, nil)
	s.publish(safarov("b", e.clock.Now()))
	e.until(at("2025-07-01T23:00:00Z"), 10*time.Minute, nil, nil)
	if n := len(day.digests()); n != 1 {
		t.Errorf("%d digests after an item found in quiet hours, want still 1", n)
	}
	s.publish(kartavykh("c", e.clock.Now()))
	e.until(at("2025-07-01T23:10:00Z"), 10*time.Minute, nil, nil)
	if ds := day.digests(); len(ds) != 2 || !slices.Equal(ds[1].titles(), []string{"sputnik-detainees: Kartavykh hearing, report c"}) {
		t.Fatalf("immediate topic in quiet hours: %d digests %v, want a second with c alone", len(ds), allTitles(day))
	}
	e.until(at("2025-07-02T06:50:00Z"), 10*time.Minute, nil, nil)
	if n, m := len(day.digests()), len(sched.digests()); n != 2 || m != 0 {
		t.Errorf("at 06:50: %d and %d digests, want 2 and 0 (quiet)", n, m)
	}
	e.until(at("2025-07-02T07:00:00Z"), 10*time.Minute, nil, nil)
	if ds := day.digests(); len(ds) != 3 || !slices.Equal(ds[2].titles(), []string{"yekaterinburg-case: Safarov case, report b"}) {
		t.Errorf("day sink at 07:00: %v, want a third digest with b", allTitles(day))
	}
	want := []string{"sputnik-detainees: Kartavykh hearing, report c",
		"yekaterinburg-case: Safarov case, report a", "yekaterinburg-case: Safarov case, report b"}
	if ds := sched.digests(); len(ds) != 1 || !slices.Equal(sorted(ds[0].titles()), want) {
		t.Errorf("scheduled sink at 07:00: %v, want one digest with a, b and c", allTitles(sched))
	}
}

// TestScheduleSurvivesRestarts: the accumulation lives in the state file.
// Restarts in the middle of the day keep it; the morning digest that the
// webhook refuses is gathered, kept over another restart and delivered
// next cycle with the same id; every item arrives once.
func TestScheduleSurvivesRestarts(t *testing.T) { onEachStore(t, testScheduleSurvivesRestarts) }

func testScheduleSurvivesRestarts(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	hook := newReceiver(t)
	e := newEnv(t, "timezone: UTC\ndigest:\n  schedule: \"0 8 * * *\"\n"+sources(feedSource("site", s.url("/feed.xml")))+webhookAlert(hook.srv.URL))
	e.mustCycle() // 10:00, the silent first read
	var want []string
	publish := func(now time.Time) {
		id := fmt.Sprintf("h%02d", now.Hour())
		s.publish(safarov(id, now))
		want = append(want, "yekaterinburg-case: Safarov case, report "+id)
	}
	e.until(at("2025-07-01T16:00:00Z"), time.Hour, publish, nil)
	e.restart()
	e.until(at("2025-07-02T07:00:00Z"), time.Hour, publish, nil)
	e.restart()
	hook.mu.Lock()
	hook.fail = 1
	hook.mu.Unlock()
	if _, err := e.cycleAfter(time.Hour); err == nil { // 08:00: gathered, refused
		t.Error("cycle with a refused digest reported no error")
	}
	e.restart()
	e.until(at("2025-07-02T08:10:00Z"), 10*time.Minute, nil, nil)
	ds := hook.digests()
	if len(ds) != 1 || len(hook.refused) != 1 || ds[0].ID != hook.refused[0] {
		t.Fatalf("delivered %d digests, refused %v; want the refused one delivered once, same id", len(ds), hook.refused)
	}
	if got := sorted(ds[0].titles()); !slices.Equal(got, sorted(want)) || len(want) != 21 {
		t.Errorf("morning digest:\n got %q\nwant %q", got, sorted(want))
	}
	if p, err := e.store.Pending(); err != nil || len(p) != 0 {
		t.Errorf("pending after delivery: %d, %v; want none", len(p), err)
	}
}

// TestCustomTemplatesOverSMTP: the desk's own templates, named relative
// to the configuration file, shape the mail a real SMTP server receives,
// from the documented data; HTML stays escaped.
func TestCustomTemplatesOverSMTP(t *testing.T) {
	s := newSite(t)
	mb := newMailbox(t)
	files := map[string]string{
		"desk.txt.tmpl": "{{.Count}} for the desk\n{{range .Topics}}## {{.ID}}: {{.Title}} ({{.Count}})\n" +
			"{{range .Items}}- {{.Title}} <{{.URL}}> [{{.Source}}, {{.Published}}]\n{{end}}{{end}}",
		"desk.html.tmpl": `<p class="desk">{{.Subject}}</p>{{range .Topics}}<h3 id="{{.ID}}">{{.Title}}</h3>` +
			`{{range .Items}}<a href="{{.Link}}">{{.Title}}</a>{{end}}{{end}}`,
	}
	e := newEnvFiles(t, files, sources(feedSource("site", s.url("/feed.xml")))+"alerts:\n"+emailAlert(mb.addr)+
		"      templates: {text: desk.txt.tmpl, html: desk.html.tmpl}\n")
	e.mustCycle()
	s.publish(story{ID: "t1", Title: "Safarov & sons in court", Summary: "x", Published: at("2025-07-01T09:30:00Z")})
	e.mustCycle()
	msgs := mb.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails, want 1", len(msgs))
	}
	want := "1 for the desk\n## yekaterinburg-case: The Yekaterinburg case (1)\n" +
		"- Safarov & sons in court <" + s.url("/article/t1") + "> [site, 2025-07-01 09:30 UTC]"
	if got := strings.TrimSpace(mailText(msgs[0])); got != want {
		t.Errorf("text part:\n got %q\nwant %q", got, want)
	}
	html := strings.ReplaceAll(msgs[0].HTML, "\r\n", "\n")
	for _, part := range []string{`<p class="desk">watcher: 1 new`, `<h3 id="yekaterinburg-case">The Yekaterinburg case</h3>`,
		`<a href="` + s.url("/article/t1") + `">Safarov &amp; sons in court</a>`} {
		if !strings.Contains(html, part) {
			t.Errorf("html part lacks %q:\n%s", part, html)
		}
	}
}

// TestFailingTemplateFallsBack: a template that parses but fails when run
// does not lose the digest: it goes out with the built-in text, and
// nothing stays pending.
func TestFailingTemplateFallsBack(t *testing.T) {
	s := newSite(t)
	mb := newMailbox(t)
	files := map[string]string{"bad.txt.tmpl": "first topic after the ninth: {{(index .Topics 9).Title}}\n"}
	e := newEnvFiles(t, files, sources(feedSource("site", s.url("/feed.xml")))+"alerts:\n"+emailAlert(mb.addr)+
		"      templates: {text: bad.txt.tmpl}\n")
	var logs strings.Builder
	w, err := watch.New(e.cfg, e.store, watch.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.w = w
	e.mustCycle()
	s.publish(safarov("f1", at("2025-07-01T09:30:00Z")))
	if sum := e.mustCycle(); sum.Sent != 1 {
		t.Fatalf("sent %d, want 1", sum.Sent)
	}
	msgs := mb.messages()
	if len(msgs) != 1 || !strings.Contains(mailText(msgs[0]), "== The Yekaterinburg case (1 new) ==") ||
		strings.Contains(mailText(msgs[0]), "ninth") {
		t.Fatalf("mails %d, text:\n%s\nwant the built-in rendering", len(msgs), mailText(msgs[0]))
	}
	if !strings.Contains(logs.String(), "custom template failed") || !strings.Contains(logs.String(), "bad.txt.tmpl") {
		t.Errorf("log does not name the failed template:\n%s", logs.String())
	}
}

// TestCycleScheduleAddsDigestTimes: the daemon's cycles run at the crawl's
// times and also at each digest's time and at the end of quiet hours, in
// the configured zone.
func TestCycleScheduleAddsDigestTimes(t *testing.T) {
	e := newEnv(t, "timezone: Asia/Baku\nschedule: \"*/30 * * * *\"\ndigest:\n  schedule: \"15 8 * * *\"\n"+
		"  quiet_hours: {from: \"22:00\", to: \"07:10\"}\n")
	sched, err := watch.CycleSchedule(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	baku := e.cfg.Location
	var got []string
	for tm := time.Date(2025, 7, 1, 7, 0, 0, 0, baku); len(got) < 6; {
		tm = sched.Next(tm)
		got = append(got, tm.In(baku).Format("15:04"))
	}
	if want := []string{"07:10", "07:30", "08:00", "08:15", "08:30", "09:00"}; !slices.Equal(got, want) {
		t.Errorf("cycle times %v, want %v", got, want)
	}
}

// TestRemovedScheduleReleasesHeld: items held for a schedule that the
// configuration then drops go out with the next cycle, not never.
func TestRemovedScheduleReleasesHeld(t *testing.T) {
	s := newSite(t)
	hook := newReceiver(t)
	e := newEnv(t, "digest: {schedule: \"0 8 * * *\"}\n"+sources(feedSource("site", s.url("/feed.xml")))+webhookAlert(hook.srv.URL))
	e.mustCycle()
	s.publish(safarov("r1", e.clock.Now()))
	e.mustCycle()
	if n := len(hook.digests()); n != 0 {
		t.Fatalf("%d digests before the schedule, want 0", n)
	}
	e.cfg.Digest = nil // the operator removes the digest key and restarts
	e.restart()
	e.mustCycle()
	if got := allTitles(hook); !slices.Equal(got, []string{"yekaterinburg-case: Safarov case, report r1"}) {
		t.Errorf("after the schedule was removed: %q, want the held item", got)
	}
}
