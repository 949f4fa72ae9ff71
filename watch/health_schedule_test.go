package watch_test

import (
	"testing"
	"time"
)

// TestSourceHealthWithDigestSchedule: a failing source is named once to
// every sink, each in its own next digest. A sink without a schedule hears
// of it in the cycle that finds the source has failed for
// health.report_after; one with a morning digest in that morning's
// digest, gathered with what else it held, and never twice.
func TestSourceHealthWithDigestSchedule(t *testing.T) {
	broken, ok := newSite(t), newSite(t)
	desk, morning := newReceiver(t), newReceiver(t)
	e := newEnv(t, "timezone: UTC\n"+sources(feedSource("e1.ru", broken.url("/feed.xml")), feedSource("report.az", ok.url("/feed.xml")))+
		webhookAlert(desk.srv.URL)+"    - url: "+morning.srv.URL+"\n      digest: {schedule: \"0 8 * * *\"}\n")
	e.mustCycle() // baseline
	broken.mu.Lock()
	broken.broken = true
	broken.mu.Unlock()
	for range 7 { // hourly failures; the 7th cycle is 6h after the first
		e.cycle()
	}
	if got := desk.digests(); len(got) != 1 || len(got[0].SourcesFailing) != 1 || got[0].SourcesFailing[0].Name != "e1.ru" {
		t.Fatalf("the sink without a schedule got %+v; want one digest naming e1.ru", got)
	}
	if got := morning.digests(); len(got) != 0 {
		t.Fatalf("the morning sink got %+v before its digest time", got)
	}
	// On to the next morning's digest and past it.
	for e.clock.Now().UTC().Hour() != 9 {
		e.cycle()
	}
	got := morning.digests()
	if len(got) != 1 || len(got[0].SourcesFailing) != 1 || got[0].SourcesFailing[0].Name != "e1.ru" {
		t.Fatalf("the morning sink got %+v; want its morning digest naming e1.ru once", got)
	}
	if d := desk.digests(); len(d) != 1 {
		t.Errorf("the sink without a schedule got %d digests; want the one naming e1.ru, once", len(d))
	}
	for range 24 {
		e.cycleAfter(time.Hour)
	}
	if n := len(morning.digests()); n != 1 {
		t.Errorf("the morning sink got %d digests over the next day, with nothing new; want none more", n)
	}
}
