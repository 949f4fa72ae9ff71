package alert

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/mail"
	"reflect"
	"strings"
	"testing"
	"time"
)

// healthDigest is a digest that names a failing and a recovered source
// beside its items; the error quotes a hostile server.
func healthDigest() Digest {
	d := bigDigest(2)
	d.ID = "d-health"
	d.SourcesFailing = []SourceHealth{{
		Name: "e1.ru", Since: t0.Add(-75 * time.Hour),
		Error:       "source \"e1.ru\" (https://www.e1.ru/rss): fetch: HTTP 503 <b>Service\u202e Unavailable</b>",
		NextAttempt: t0.Add(6 * time.Hour),
	}}
	d.SourcesRecovered = []SourceHealth{{Name: "apa.az", Since: t0.Add(-7*time.Hour - 20*time.Minute), Recovered: t0, FailedFor: 7*time.Hour + 20*time.Minute}}
	return d
}

func TestRenderHealthGolden(t *testing.T) {
	golden(t, "digest_health.txt.golden", RenderText(healthDigest()))
	html, err := RenderHTML(healthDigest())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "digest_health.html.golden", html)
	if strings.Contains(html, "<b>Service") || !strings.Contains(html, "&lt;b&gt;Service Unavailable&lt;/b&gt;") {
		t.Errorf("the error is not escaped, or not cleaned of bidi overrides, in HTML:\n%s", html)
	}
}

// TestHealthOnlySubject: a digest that only reports health says so.
func TestHealthOnlySubject(t *testing.T) {
	d := healthDigest()
	d.Topics = nil
	if got, want := Subject(d), "watcher: 1 source failing, 1 source recovered"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	if got := Subject(healthDigest()); !strings.HasPrefix(got, "watcher: 1 source failing, 1 source recovered; 2 new — AZAL flight 8243 (2)") {
		t.Errorf("Subject with items = %q", got)
	}
}

// TestWebhookHealthFields: the webhook body carries the contract fields
// sources_failing (name, since, error, next_attempt) and
// sources_recovered (name, since, recovered, failed_for,
// failed_for_seconds), received by a real server.
func TestWebhookHealthFields(t *testing.T) {
	srv, requests := receiver(t, http.StatusOK, "")
	d := healthDigest()
	d.Topics = nil
	if err := newTestWebhook(t, WebhookOptions{URL: srv.URL}).Send(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	got := requests()
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	var body map[string]any
	if err := json.Unmarshal(got[0].body, &body); err != nil {
		t.Fatal(err)
	}
	wantFailing := []any{map[string]any{
		"name": "e1.ru", "since": "2025-06-28T06:30:00Z", "next_attempt": "2025-07-01T15:30:00Z",
		"error": "source \"e1.ru\" (https://www.e1.ru/rss): fetch: HTTP 503 <b>Service Unavailable</b>",
	}}
	if !reflect.DeepEqual(body["sources_failing"], wantFailing) {
		t.Errorf("sources_failing = %#v\nwant %#v", body["sources_failing"], wantFailing)
	}
	wantRecovered := []any{map[string]any{
		"name": "apa.az", "since": "2025-07-01T02:10:00Z", "recovered": "2025-07-01T09:30:00Z",
		"failed_for": "7h20m0s", "failed_for_seconds": float64(26400),
	}}
	if !reflect.DeepEqual(body["sources_recovered"], wantRecovered) {
		t.Errorf("sources_recovered = %#v\nwant %#v", body["sources_recovered"], wantRecovered)
	}
	if body["count"] != float64(0) {
		t.Errorf("count = %v, want 0", body["count"])
	}
	// A digest without health has neither key.
	if raw, err := encodePayload(bigDigest(1)); err != nil || strings.Contains(string(raw), "sources_") {
		t.Errorf("a digest without health: %s (%v)", raw, err)
	}
}

// TestEmailHealth: the mail a real SMTP server receives names the failing
// and recovered sources in both parts.
func TestEmailHealth(t *testing.T) {
	be := &smtpBackend{}
	port, _ := startSMTP(t, be, plainSMTP)
	e := newTestEmail(t, EmailOptions{To: []string{"desk@example.org"}, From: "watcher@example.org",
		Host: "127.0.0.1", Port: port, TLS: "none", Timeout: 10 * time.Second})
	d := healthDigest()
	d.Topics = nil
	if err := e.Send(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(msgs[0].data))
	if err != nil {
		t.Fatal(err)
	}
	parts := alternativeParts(t, msg)
	for _, typ := range []string{"text/plain", "text/html"} {
		p := parts[typ]
		if !strings.Contains(p, "Sources failing") || !strings.Contains(p, "e1.ru") || !strings.Contains(p, "Sources recovered") ||
			!strings.Contains(p, "apa.az") || !strings.Contains(p, "7h 20m") {
			t.Errorf("%s part does not report the sources' health:\n%s", typ, p)
		}
	}
}
