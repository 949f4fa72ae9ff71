package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// delivery is one webhook request as the receiver saw it.
type delivery struct {
	header string   // X-Watcher-Digest-Id
	id     string   // the id in the body
	urls   []string // the item URLs, in order
	status int      // what the receiver answered
}

// hookRecorder is a real webhook endpoint. For every request it asks answer
// what to do; it records every request it read in full, whatever it
// answered, so tests see retries as well as acceptances.
type hookRecorder struct {
	url string

	mu     sync.Mutex
	reqs   []delivery
	answer func(n int, id string) int // n counts requests from 0; returns a status
}

func newHookRecorder(t *testing.T, answer func(n int, id string) int) *hookRecorder {
	h := &hookRecorder{answer: answer}
	h.url = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := readDelivery(r)
		if err != nil {
			t.Errorf("webhook: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		d.status = h.answer(len(h.reqs), d.id)
		h.reqs = append(h.reqs, d)
		h.mu.Unlock()
		w.WriteHeader(d.status)
	}))
	return h
}

// newServer serves h on 127.0.0.1 until the test ends and returns its URL.
func newServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// setAnswer replaces the answer policy.
func (h *hookRecorder) setAnswer(answer func(n int, id string) int) {
	h.mu.Lock()
	h.answer = answer
	h.mu.Unlock()
}

// requests returns a copy of what the receiver saw so far.
func (h *hookRecorder) requests() []delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]delivery(nil), h.reqs...)
}

// readDelivery decodes a webhook request's digest.
func readDelivery(r *http.Request) (delivery, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return delivery{}, fmt.Errorf("read body: %w", err)
	}
	var d struct {
		ID     string `json:"id"`
		Topics []struct {
			Items []struct {
				URL  string `json:"url"`
				Also []struct {
					URL string `json:"url"`
				} `json:"also"`
			} `json:"items"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return delivery{}, fmt.Errorf("body is not a digest: %w", err)
	}
	out := delivery{header: r.Header.Get("X-Watcher-Digest-Id"), id: d.ID}
	for _, tp := range d.Topics {
		for _, it := range tp.Items {
			out.urls = append(out.urls, it.URL)
			for _, a := range it.Also { // the other reports of its story
				out.urls = append(out.urls, a.URL)
			}
		}
	}
	return out, nil
}

// always answers every request with code.
func always(code int) func(int, string) int { return func(int, string) int { return code } }

// synthConfig writes a configuration over the feed server's synthetic feeds
// 0..n-1 and the given topic query, with extra appended (alerts, delivery).
// The fetch settings are the shipped ones but for a 10s request timeout,
// so that a test of a stuck server ends sooner.
func synthConfig(t *testing.T, dir string, f farm, n int, query, extra string) {
	t.Helper()
	var cfg strings.Builder
	cfg.WriteString("state: watcher.db\nfetch:\n  timeout: 10s\nsources:\n")
	for i := range n {
		fmt.Fprintf(&cfg, "  - name: s%d\n    feed: %s/synthetic/%d\n", i, f.base, i)
	}
	fmt.Fprintf(&cfg, "topics:\n  - id: watched\n    title: Watched\n    query: %s\n", query)
	cfg.WriteString(extra)
	writeConfig(t, dir, cfg.String())
}

// webhookAlerts is the alerts section for one webhook, with the delivery
// attempts limit.
func webhookAlerts(url string, maxAttempts int) string {
	return fmt.Sprintf("delivery:\n  max_attempts: %d\n  timeout: 5s\nalerts:\n  webhook:\n    - url: %s\n", maxAttempts, url)
}

// mustStatus runs `watcher status` and fails the test unless it exits 0.
func mustStatus(t *testing.T, dir string) string {
	t.Helper()
	r := watcher(t, dir, nil, "status")
	if r.code != exitOK {
		t.Fatalf("watcher status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return r.stdout
}
