package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

var _ Notifier = (*Webhook)(nil)

// WebhookOptions configures a Webhook.
type WebhookOptions struct {
	// URL is the http or https endpoint to POST to.
	URL string
	// Secret, when set, signs each body: X-Watcher-Signature carries
	// "sha256=" and the hex HMAC-SHA256 of the exact body.
	Secret string
	// Timeout bounds one delivery; 0 means 10 seconds.
	Timeout time.Duration
	// Client sends the requests; nil means a client of our own with the
	// default transport (TLS verification on). Either way the webhook
	// works on a copy that does not follow redirects.
	Client *http.Client
	// UserAgent is sent with every request; "" means "watcher".
	UserAgent string
}

// Webhook POSTs digests as JSON to one URL.
type Webhook struct {
	o    WebhookOptions
	name string
}

// NewWebhook checks o and returns a Webhook.
func NewWebhook(o WebhookOptions) (*Webhook, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.UserAgent == "" {
		o.UserAgent = "watcher"
	}
	if o.Client == nil {
		// Timeout backs up the per-request context deadline.
		o.Client = &http.Client{Timeout: o.Timeout + 5*time.Second}
	}
	// Redirects are not followed: on 301-303 the client would repeat the
	// POST as a bodiless GET and a 200 from there would count as
	// delivered. A 3xx is reported instead, so the URL gets fixed.
	c := *o.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	o.Client = &c
	return &Webhook{o: o, name: webhookName(o.URL)}, nil
}

func (o WebhookOptions) validate() error {
	u, err := url.Parse(o.URL)
	if err != nil {
		// The parse error quotes the URL, which may hold a token.
		return errors.New("webhook url: does not parse")
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("webhook %s: scheme must be http or https (got %q)", redactURL(o.URL), u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("webhook %s: url has no host", redactURL(o.URL))
	}
	if o.Timeout < 0 {
		return fmt.Errorf("webhook %s: timeout must not be negative (got %s)", redactURL(o.URL), o.Timeout)
	}
	return nil
}

// Name returns "webhook ", the URL's scheme and host, and a hash of its
// path if it has one (see webhookName).
func (w *Webhook) Name() string { return w.name }

// Send POSTs d as JSON. A 2xx answer is success; 5xx, 429 and network
// failures are retryable; other answers are permanent failures.
func (w *Webhook) Send(ctx context.Context, d Digest) error {
	if !validID(d.ID) {
		return &SendError{Sink: w.name, Err: fmt.Errorf("digest id %q: not a valid id", clean(d.ID))}
	}
	body, err := encodePayload(d)
	if err != nil {
		return &SendError{Sink: w.name, Err: fmt.Errorf("encode digest %s: %w", d.ID, err)}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, w.o.Timeout,
		fmt.Errorf("timeout after %s", w.o.Timeout))
	defer cancel()
	resp, err := w.o.Client.Do(w.request(ctx, d.ID, body))
	if err != nil {
		return &SendError{Sink: w.name, Retryable: true, Err: w.doError(ctx, err)}
	}
	return w.check(resp)
}

// request builds the signed POST. The URL was checked in NewWebhook and
// the method is constant, so building cannot fail.
func (w *Webhook) request(ctx context.Context, id string, body []byte) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, w.o.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", w.o.UserAgent)
	req.Header.Set("Idempotency-Key", id)
	req.Header.Set("X-Watcher-Digest-Id", id)
	req.Header.Set("X-Watcher-Event", "digest")
	if w.o.Secret != "" {
		req.Header.Set("X-Watcher-Signature", "sha256="+sign(w.o.Secret, body))
	}
	return req
}

// sign returns the hex HMAC-SHA256 of body keyed with secret.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
