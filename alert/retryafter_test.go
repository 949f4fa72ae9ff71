package alert

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestWebhookRetryAfter: a 503 or 429 with Retry-After tells the caller
// how long to wait, in seconds or as a date, capped at a day.
func TestWebhookRetryAfter(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name, header string
		status       int
		want, slack  time.Duration
	}{
		{"seconds", "120", 503, 2 * time.Minute, 0},
		{"http date", now.Add(time.Hour).UTC().Format(http.TimeFormat), 429, time.Hour, 5 * time.Second},
		{"capped at a day", "999999", 503, 24 * time.Hour, 0},
		{"absent", "", 503, 0, 0},
		{"unreadable", "soon", 503, 0, 0},
		{"in the past", now.Add(-time.Hour).UTC().Format(http.TimeFormat), 503, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			wh, err := NewWebhook(WebhookOptions{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			err = wh.Send(context.Background(), testDigest())
			if !Retryable(err) {
				t.Fatalf("Send = %v, want a retryable error", err)
			}
			got := RetryAfter(err)
			if got < tc.want-tc.slack || got > tc.want+tc.slack {
				t.Errorf("RetryAfter = %s, want %s (±%s)", got, tc.want, tc.slack)
			}
		})
	}
}
