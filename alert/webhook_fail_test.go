package alert

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestWebhookStatus(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		answer    string
		wantErr   string // "" means success
		retryable bool
	}{
		{"200", 200, "ok", "", false},
		{"202", 202, "", "", false},
		{"503", 503, "down for maintenance", ": 503 Service Unavailable: down for maintenance", true},
		{"500", 500, "", ": 500 Internal Server Error", true},
		{"429", 429, "slow down", ": 429 Too Many Requests: slow down", true},
		{"400", 400, `{"error":"bad digest"}`, `: 400 Bad Request: {"error":"bad digest"}`, false},
		{"404", 404, "", ": 404 Not Found", false},
		{"redirect not followed", 302, "moved", ": 302 Found: moved", false},
		{"long body cut", 502, strings.Repeat("x", 5000), ": 502 Bad Gateway: " + strings.Repeat("x", 200), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := receiver(t, tc.status, tc.answer)
			w := newTestWebhook(t, WebhookOptions{URL: srv.URL + "/hook"})
			err := w.Send(t.Context(), testDigest())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if want := "send to " + w.Name() + tc.wantErr; err.Error() != want {
				t.Errorf("error = %q\nwant    %q", err, want)
			}
			if Retryable(err) != tc.retryable {
				t.Errorf("Retryable = %v, want %v", Retryable(err), tc.retryable)
			}
		})
	}
}

func TestWebhookConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	w := newTestWebhook(t, WebhookOptions{URL: "http://" + addr + "/hook?token=s3cret"})
	err = w.Send(t.Context(), testDigest())
	if err == nil {
		t.Fatal("Send succeeded with nothing listening")
	}
	if !Retryable(err) {
		t.Errorf("connection refused not retryable: %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the query token: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "send to webhook http://"+addr+"/…") || !strings.Contains(err.Error(), ": post: ") {
		t.Errorf("error = %q", err)
	}
}

func TestWebhookCancelStopsHangingReceiver(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	tests := []struct {
		name    string
		timeout time.Duration
		cancel  bool
		wantErr string
	}{
		{"caller cancels", time.Minute, true, "context canceled"},
		{"own timeout", 50 * time.Millisecond, false, "timeout after 50ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newTestWebhook(t, WebhookOptions{URL: srv.URL, Timeout: tc.timeout})
			ctx, cancel := t.Context(), func() {}
			if tc.cancel {
				ctx, cancel = contextCancelledSoon(t)
			}
			defer cancel()
			err := w.Send(ctx, testDigest())
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Send error = %v, want one mentioning %q", err, tc.wantErr)
			}
			if !Retryable(err) {
				t.Errorf("not retryable: %v", err)
			}
		})
	}
}

func TestWebhookSecretNeverShown(t *testing.T) {
	const secret = "very-secret-key"
	srv, _ := receiver(t, 403, "signature mismatch")
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL + "/p?key=" + secret, Secret: secret})
	err := w.Send(t.Context(), testDigest())
	if err == nil {
		t.Fatal("Send succeeded on 403")
	}
	for _, s := range []string{err.Error(), w.Name()} {
		if strings.Contains(s, secret) {
			t.Errorf("secret shown in %q", s)
		}
	}
	if !strings.HasPrefix(w.Name(), "webhook "+srv.URL+"/…") || strings.Contains(w.Name(), "/p") {
		t.Errorf("Name() = %q, want the scheme, host and a hash of the path", w.Name())
	}
}

// TestWebhookNameHidesPathToken: a token in the path (as Mattermost,
// Teams and Discord hooks carry it) is in no name or error; two hooks of
// one host still have different names, and a hook its own name each time.
func TestWebhookNameHidesPathToken(t *testing.T) {
	const token = "xoxb7Hq2sPzR9vL1"
	srv, _ := receiver(t, 500, "broken")
	a := newTestWebhook(t, WebhookOptions{URL: srv.URL + "/hooks/" + token})
	b := newTestWebhook(t, WebhookOptions{URL: srv.URL + "/hooks/other" + token})
	again := newTestWebhook(t, WebhookOptions{URL: srv.URL + "/hooks/" + token})
	err := a.Send(t.Context(), testDigest())
	if err == nil {
		t.Fatal("Send succeeded on 500")
	}
	for _, s := range []string{a.Name(), b.Name(), err.Error()} {
		if strings.Contains(s, token) || strings.Contains(s, "/hooks") {
			t.Errorf("the path is shown in %q", s)
		}
	}
	if a.Name() == b.Name() || a.Name() != again.Name() {
		t.Errorf("names %q, %q, %q: want two hooks told apart and one hook named the same each time", a.Name(), b.Name(), again.Name())
	}
	root := newTestWebhook(t, WebhookOptions{URL: srv.URL + "/"})
	if root.Name() != "webhook "+srv.URL {
		t.Errorf("a hook at the root is named %q, want %q", root.Name(), "webhook "+srv.URL)
	}
}

func TestWebhookRejectsBadDigestID(t *testing.T) {
	srv, requests := receiver(t, 200, "")
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL})
	d := testDigest()
	d.ID = "a\r\nX-Injected: 1"
	err := w.Send(t.Context(), d)
	if err == nil || Retryable(err) || !strings.Contains(err.Error(), "not a valid id") {
		t.Errorf("Send error = %v, want a permanent invalid-id error", err)
	}
	if n := len(requests()); n != 0 {
		t.Errorf("receiver got %d requests for an invalid digest", n)
	}
}

func TestNewWebhookErrors(t *testing.T) {
	tests := []struct {
		name, url string
		timeout   time.Duration
		want      string
	}{
		{"ftp", "ftp://example.org/x", 0, `webhook ftp://example.org/x: scheme must be http or https (got "ftp")`},
		{"javascript", "javascript:alert(1)", 0, `scheme must be http or https (got "javascript")`},
		{"no host", "http:///x?token=t0ken", 0, "webhook http:///x: url has no host"},
		{"empty", "", 0, `scheme must be http or https (got "")`},
		{"bad escape", "https://example.org/%zz?t=t0ken", 0, "webhook url: does not parse"},
		{"negative timeout", "https://example.org/", -time.Second, "timeout must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewWebhook(WebhookOptions{URL: tc.url, Timeout: tc.timeout})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewWebhook error = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "t0ken") {
				t.Errorf("error shows the query token: %v", err)
			}
		})
	}
}
