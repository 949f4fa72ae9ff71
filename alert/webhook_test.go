package alert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// received is one request as a webhook receiver saw it.
type received struct {
	header http.Header
	body   []byte
}

// receiver starts an httptest server that records requests and answers
// with status and body.
func receiver(t *testing.T, status int, answer string) (*httptest.Server, func() []received) {
	t.Helper()
	var (
		mu  sync.Mutex
		got []received
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: read body: %v", err)
		}
		mu.Lock()
		got = append(got, received{header: r.Header.Clone(), body: body})
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), got...)
	}
}

func newTestWebhook(t *testing.T, o WebhookOptions) *Webhook {
	t.Helper()
	w, err := NewWebhook(o)
	if err != nil {
		t.Fatalf("NewWebhook: %v", err)
	}
	return w
}

func TestWebhookDelivers(t *testing.T) {
	const secret = "hook-s3cret"
	srv, requests := receiver(t, http.StatusNoContent, "")
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL + "/hook", Secret: secret, UserAgent: "watcher/test"})
	if err := w.Send(t.Context(), testDigest()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs := requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	for key, want := range map[string]string{
		"Content-Type":        "application/json",
		"Idempotency-Key":     "d-20250701-0930",
		"X-Watcher-Digest-Id": "d-20250701-0930",
		"X-Watcher-Event":     "digest",
		"User-Agent":          "watcher/test",
	} {
		if got := r.header.Get(key); got != want {
			t.Errorf("header %s = %q, want %q", key, got, want)
		}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(r.body)
	wantSig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := r.header.Get("X-Watcher-Signature"); !hmac.Equal([]byte(got), []byte(wantSig)) {
		t.Errorf("X-Watcher-Signature = %q, want %q", got, wantSig)
	}
	checkPayload(t, r.body)
}

// checkPayload decodes the body as a receiver would, into its own types,
// and checks every field against the fixture.
func checkPayload(t *testing.T, body []byte) {
	t.Helper()
	type item struct{ Title, URL, Source, Published, Snippet string }
	type topic struct {
		ID, Title string
		Items     []item
	}
	var p struct {
		ID, Created string
		Topics      []topic
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	if p.ID != "d-20250701-0930" || p.Created != "2025-07-01T09:30:00Z" {
		t.Errorf("id, created = %q, %q", p.ID, p.Created)
	}
	if len(p.Topics) != 4 {
		t.Fatalf("got %d topics, want 4 (config order, empty ones too)", len(p.Topics))
	}
	wantTopics := []string{"yekaterinburg", "sputnik-detainees", "azal-8243", "empty"}
	for i, tp := range p.Topics {
		if tp.ID != wantTopics[i] {
			t.Errorf("topics[%d].id = %q, want %q", i, tp.ID, wantTopics[i])
		}
	}
	if p.Topics[0].Title != "The Yekaterinburg case" || len(p.Topics[0].Items) != 2 {
		t.Fatalf("topics[0] = %+v", p.Topics[0])
	}
	want := item{
		Title:     "Суд в Екатеринбурге продлил арест фигурантам дела",
		URL:       "https://www.interfax.ru/russia/1000001",
		Source:    "Interfax",
		Published: "2025-07-01T07:30:00Z",
		Snippet:   "Ziyaddin and Huseyn Safarov died in custody after the 27 June raid.",
	}
	if p.Topics[0].Items[0] != want {
		t.Errorf("first item = %+v\nwant %+v", p.Topics[0].Items[0], want)
	}
	if got := p.Topics[0].Items[1].URL; got != "https://apa.az/xeber/1000002?utm_source=rss" {
		t.Errorf("second item url = %q, want the link as given", got)
	}
	if got := p.Topics[0].Items[1].Published; got != "2025-07-01T07:00:00Z" {
		t.Errorf("published = %q, want UTC RFC 3339", got)
	}
	if got := p.Topics[1].Items[0].Title; got != "Sputnik Azerbaijan detainees update" {
		t.Errorf("bidi title = %q, want the characters stripped", got)
	}
	if items := p.Topics[3].Items; items == nil || len(items) != 0 {
		t.Errorf("empty topic items = %#v, want []", items)
	}
}

func TestWebhookNoSecretNoSignature(t *testing.T) {
	srv, requests := receiver(t, http.StatusOK, "ok")
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL})
	if err := w.Send(t.Context(), testDigest()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if sig := requests()[0].header.Get("X-Watcher-Signature"); sig != "" {
		t.Errorf("unsigned webhook sent X-Watcher-Signature %q", sig)
	}
}
