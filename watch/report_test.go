package watch_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/watcher-news/watcher/watch"
)

// TestSummaryNamesCauses: sources failing in different ways over real
// sockets each get their cause from the small fixed list, and the counts
// per source, per topic and per sink add up to what the servers served.
func TestSummaryNamesCauses(t *testing.T) {
	t.Parallel()
	good := newSite(t)
	broken := newSite(t)
	broken.broken = true
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }))
		t.Cleanup(srv.Close)
		return srv.URL + "/feed.xml"
	}
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><html><head><title>Home</title></head><body><p>Hello</p></body></html>")
	}))
	t.Cleanup(html.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/feed.xml"
	ln.Close()
	secure := httptest.NewTLSServer(http.NotFoundHandler()) // its certificate is trusted by nobody
	t.Cleanup(secure.Close)
	hook := newReceiver(t)

	e := newEnv(t, sources(
		feedSource("good", good.url("/feed.xml")),
		feedSource("broken", broken.url("/feed.xml")),
		feedSource("gone", status(404)),
		feedSource("down", status(503)),
		feedSource("homepage", html.URL+"/"),
		feedSource("closed", closed),
		feedSource("untrusted", secure.URL+"/feed.xml"),
	)+webhookAlert(hook.srv.URL))
	good.publish(story{ID: "g0", Title: "Weather in Baku", Published: at("2025-06-30T10:00:00Z")})
	sum := e.mustCycle() // the baseline: nothing new
	want := map[string]string{
		"broken": watch.CauseParse, "gone": watch.CauseHTTP4xx, "down": watch.CauseHTTP5xx,
		"homepage": watch.CauseNotFeed, "closed": watch.CauseConnect,
		"untrusted": watch.CauseTLS,
	}
	got := map[string]string{}
	for _, f := range sum.Failures {
		got[f.Source] = f.Cause
		if f.Cause != watch.FailureCause(f.Err) {
			t.Errorf("%s: cause %q, but FailureCause says %q", f.Source, f.Cause, watch.FailureCause(f.Err))
		}
	}
	for src, cause := range want {
		if got[src] != cause {
			t.Errorf("source %s: cause %q, want %q (err: %v)", src, got[src], cause, errOf(sum, src))
		}
	}

	good.publish(
		story{ID: "g1", Title: "Safarov brothers: autopsy results", Published: at("2025-07-01T08:00:00Z")},
		story{ID: "g2", Title: "Kartavykh and Safarov in court", Published: at("2025-07-01T08:30:00Z")},
		story{ID: "g3", Title: "Football results", Published: at("2025-07-01T08:40:00Z")},
	)
	e.clock.Add(24 * time.Hour) // past every backoff
	sum, _ = e.cycle()
	if sum.NewBySource["good"] != 3 || len(sum.NewBySource) != 1 {
		t.Errorf("new by source = %v, want good: 3", sum.NewBySource)
	}
	if m := sum.MatchedByTopic; m["yekaterinburg-case"] != 2 || m["sputnik-detainees"] != 1 {
		t.Errorf("matched by topic = %v, want yekaterinburg-case 2, sputnik-detainees 1", m)
	}
	if d := sum.Deliveries; len(d) != 1 || d[0].Outcome != watch.DeliverySent || len(hook.digests()) != 1 {
		t.Errorf("deliveries = %+v, webhook got %d digests; want one sent", d, len(hook.digests()))
	}
	recent, err := e.store.Recent()
	if err != nil {
		t.Fatal(err)
	}
	if r := recent["yekaterinburg-case"]; len(r) != 2 || r[0].URL != good.url("/article/g2") && r[1].URL != good.url("/article/g2") {
		t.Errorf("recent yekaterinburg-case = %+v, want g1 and g2 with their links", r)
	}
}

func errOf(sum watch.Summary, src string) error {
	for _, f := range sum.Failures {
		if f.Source == src {
			return f.Err
		}
	}
	return nil
}

// TestSummaryNamesTimeout: a source that does not answer within the
// request timeout fails with the cause "timeout".
func TestSummaryNamesTimeout(t *testing.T) {
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	// A one-second request timeout, so the test does not wait the shipped 30s.
	e := newEnvFetch(t, "  timeout: 1s\n", sources(feedSource("slow", slow.URL+"/feed.xml")))
	sum, _ := e.cycle()
	if len(sum.Failures) != 1 || sum.Failures[0].Cause != watch.CauseTimeout {
		t.Errorf("failures %+v, want slow failing with cause timeout", sum.Failures)
	}
}
