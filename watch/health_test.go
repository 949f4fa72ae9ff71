package watch_test

import (
	"strings"
	"testing"
	"time"
)

// TestSourceHealthInDigest follows a source that breaks, on the fake clock
// and the shipped health.report_after of 6h: it is named once, in a
// digest of its own (nothing matched), when it has failed for 6h, backed
// off or not; not again, even after a restart; and once more when it
// reads again, with how long it failed.
func TestSourceHealthInDigest(t *testing.T) {
	s, ok := newSite(t), newSite(t)
	hook := newReceiver(t)
	e := newEnv(t, sources(feedSource("e1.ru", s.url("/feed.xml")), feedSource("report.az", ok.url("/feed.xml")))+webhookAlert(hook.srv.URL))
	e.mustCycle() // baseline
	s.mu.Lock()
	s.broken = true
	s.mu.Unlock()
	broke := e.clock.Now().Add(time.Hour)
	for range 6 { // failures from 0h to 5h after the first: not yet
		e.cycle()
	}
	if got := hook.digests(); len(got) != 0 {
		t.Fatalf("a digest before the source failed for 6h: %+v", got)
	}
	if sum, _ := e.cycle(); sum.SourcesFailing != 1 { // 6h after the first failure
		t.Errorf("summary counts %d sources failing reported, want 1", sum.SourcesFailing)
	}
	got := hook.digests()
	if len(got) != 1 || len(got[0].SourcesFailing) != 1 || len(got[0].Topics) != 0 {
		t.Fatalf("after 6h of failures the webhook got %+v; want one digest naming the source and no items", got)
	}
	f := got[0].SourcesFailing[0]
	if f.Name != "e1.ru" || f.Since != broke.UTC().Format(time.RFC3339) || !strings.Contains(f.Error, "parse") || f.NextAttempt == "" {
		t.Errorf("sources_failing[0] = %+v; want e1.ru since %s with its parse error and next attempt", f, broke.UTC().Format(time.RFC3339))
	}
	if next, err := time.Parse(time.RFC3339, f.NextAttempt); err != nil || !next.After(e.clock.Now().Add(-time.Second)) {
		t.Errorf("next_attempt %q is not a time after now (%v)", f.NextAttempt, err)
	}
	if len(got[0].SourcesRecovered) != 0 {
		t.Errorf("a recovery reported while failing: %+v", got[0].SourcesRecovered)
	}

	for range 3 {
		e.cycle()
	}
	e.store.Close()
	e.open() // a restart: what was said is remembered in the state file
	for range 3 {
		e.cycle()
	}
	if got := hook.digests(); len(got) != 1 {
		t.Fatalf("the failing source was named again: %d digests", len(got))
	}

	s.mu.Lock()
	s.broken = false
	s.mu.Unlock()
	// Past the longest backoff (max_backoff, 6h), so it is tried again.
	sum, err := e.cycleAfter(6 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if sum.SourcesRecovered != 1 {
		t.Errorf("summary counts %d sources recovered reported, want 1", sum.SourcesRecovered)
	}
	got = hook.digests()
	if len(got) != 2 || len(got[1].SourcesRecovered) != 1 || len(got[1].SourcesFailing) != 0 {
		t.Fatalf("after recovery (%+v) the webhook got %+v; want a second digest naming the recovery", sum, got)
	}
	r := got[1].SourcesRecovered[0]
	failedFor, err := time.ParseDuration(r.FailedFor)
	if r.Name != "e1.ru" || r.Since != f.Since || err != nil || failedFor < 18*time.Hour {
		t.Errorf("sources_recovered[0] = %+v; want e1.ru since %s, failed for 18h or more", r, f.Since)
	}
	e.cycle()
	if got := hook.digests(); len(got) != 2 {
		t.Errorf("the recovery was reported again: %d digests", len(got))
	}
}

// TestSourceHealthOnStdout: without sinks, the digest printed on standard
// output names the failing source too.
func TestSourceHealthOnStdout(t *testing.T) {
	s := newSite(t)
	e := newEnv(t, sources(feedSource("e1.ru", s.url("/feed.xml"))))
	e.mustCycle()
	s.mu.Lock()
	s.broken = true
	s.mu.Unlock()
	for range 7 {
		e.cycle()
	}
	out := e.stdout.String()
	if strings.Count(out, "== Sources failing ==") != 1 || !strings.Contains(out, "* e1.ru: failing since 2025-07-01 11:00 UTC") {
		t.Errorf("standard output does not name the failing source once:\n%s", out)
	}
}
