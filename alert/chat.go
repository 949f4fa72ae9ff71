package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ChatOptions are the settings every chat sink shares.
type ChatOptions struct {
	// Timeout bounds one request; 0 means 10 seconds.
	Timeout time.Duration
	// Client sends the requests; nil means a client of our own with the
	// default transport. Redirects are never followed (see NewWebhook).
	Client *http.Client
	// UserAgent is sent with every request; "" means "watcher".
	UserAgent string
}

// chat is what the chat sinks share: it splits a digest into parts with
// the sink's format, sends them one request each, and turns the answers
// into SendErrors. Each service supplies the format and the request.
type chat struct {
	name   string
	o      ChatOptions
	secret string // the token, hidden from every error
	format format
	// request builds the HTTP request for part i (0-based) of n.
	request func(ctx context.Context, d Digest, i, n int, p part) (*http.Request, error)
	// accepted reports whether a 2xx answer's body says the message was
	// taken; nil means any 2xx answer is.
	accepted func(body []byte) error
}

func (o ChatOptions) withDefaults() ChatOptions {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.UserAgent == "" {
		o.UserAgent = "watcher"
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout + 5*time.Second}
	}
	c := *o.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	o.Client = &c
	return o
}

// Name returns the sink's name: the service and where it posts, never
// the token.
func (c *chat) Name() string { return c.name }

// Send delivers every part of d.
func (c *chat) Send(ctx context.Context, d Digest) error {
	return c.SendFrom(ctx, d, 0, nil)
}

// SendFrom delivers the parts of d after the first done; see Parted.
func (c *chat) SendFrom(ctx context.Context, d Digest, done int, accepted func(int)) error {
	if !validID(d.ID) {
		return &SendError{Sink: c.name, Err: fmt.Errorf("digest id %q: not a valid id", clean(d.ID))}
	}
	parts := c.format.split(d)
	waits := 0
	for i := done; i < len(parts); {
		err := c.post(ctx, d, i, len(parts), parts[i])
		if err != nil {
			if wait := RetryAfter(err); wait > 0 && wait <= maxInlineWait && waits < maxInlineWaits {
				waits++
				if sleep(ctx, wait) {
					continue // the same part again
				}
			}
			return err
		}
		if accepted != nil {
			accepted(i + 1)
		}
		i++
	}
	return nil
}

// A rate limit that asks for a short wait (Discord's webhooks allow about
// five messages in two seconds, so a digest in many parts meets one) is
// waited out within the send, a few times at most, so that a split digest
// does not dribble out one burst per cycle. A longer wait goes back to the
// outbox, which retries on a later cycle.
const (
	maxInlineWait  = 5 * time.Second
	maxInlineWaits = 3
)

// sleep waits for d or until ctx is done, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Parts returns how many messages d becomes for this sink.
func (c *chat) Parts(d Digest) int { return len(c.format.split(d)) }

// post sends one part and checks the answer.
func (c *chat) post(ctx context.Context, d Digest, i, n int, p part) error {
	fail := func(retry bool, after time.Duration, err error) error {
		if n > 1 {
			err = fmt.Errorf("part %d of %d: %w", i+1, n, err)
		}
		return &SendError{Sink: c.name, Retryable: retry, RetryAfter: after, Err: redact(err, c.secret)}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.o.Timeout, fmt.Errorf("timeout after %s", c.o.Timeout))
	defer cancel()
	req, err := c.request(ctx, d, i, n, p)
	if err != nil {
		return fail(false, 0, err)
	}
	req.Header.Set("User-Agent", c.o.UserAgent)
	resp, err := c.o.Client.Do(req)
	if err != nil {
		return fail(true, 0, roundTripError(ctx, err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, chatAnswerBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainBytes))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if c.accepted == nil {
			return nil
		}
		if err := c.accepted(body); err != nil {
			return fail(false, 0, err)
		}
		return nil
	}
	retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
	after := max(retryAfter(resp.Header, time.Now()), bodyRetryAfter(body))
	return fail(retry, after, errors.New(answer(resp, body)))
}

// chatAnswerBytes bounds how much of an answer is read and parsed: the
// services' answers are a few hundred bytes.
const chatAnswerBytes = 16 << 10

// answer describes a refusal: the status and the start of the body.
func answer(resp *http.Response, body []byte) string {
	msg := resp.Status
	if msg == "" {
		msg = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if b := clean(string(body[:min(len(body), errorBodyBytes)])); b != "" {
		msg += ": " + b
	}
	return msg
}

// bodyRetryAfter reads the wait a service put in a JSON answer: Discord's
// retry_after (seconds, fractional), Telegram's parameters.retry_after
// (seconds) and Matrix's retry_after_ms. Zero when there is none; at most
// a day.
func bodyRetryAfter(body []byte) time.Duration {
	var a struct {
		RetryAfter   float64 `json:"retry_after"`
		RetryAfterMS float64 `json:"retry_after_ms"`
		Parameters   struct {
			RetryAfter float64 `json:"retry_after"`
		} `json:"parameters"`
	}
	if json.Unmarshal(body, &a) != nil {
		return 0
	}
	secs := max(a.RetryAfter, a.Parameters.RetryAfter, a.RetryAfterMS/1000)
	return min(max(time.Duration(secs*float64(time.Second)), 0), 24*time.Hour)
}

// roundTripError describes a failed round trip without the URL, which
// may carry the token (Telegram's is in the path), and names our own
// timeout when it fired.
func roundTripError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", cause, err)
		}
	}
	return fmt.Errorf("post: %w", err)
}

// jsonRequest builds a request with a JSON body. HTML is not escaped
// (Go's default turns < into six bytes), so the body's size is what the
// format measured.
func jsonRequest(ctx context.Context, method, link string, v any) (*http.Request, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, link, &b)
	if err != nil {
		return nil, errors.New("build request: bad URL") // the URL may hold the token
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// checkChatURL checks an http(s) URL with a host, without quoting it.
func checkChatURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: does not parse", what)
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("%s: scheme must be http or https (got %q)", what, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("%s: has no host", what)
	}
	return nil
}

// withoutLastSegment returns a URL's host and path less its last
// segment, where Slack and Discord put a webhook's token.
func withoutLastSegment(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	p := strings.TrimSuffix(u.Path, "/")
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return u.Host + p[:i]
	}
	return u.Host
}

// partLabel is " (part i of n)" for a digest sent in several parts.
func partLabel(i, n int) string {
	if n <= 1 {
		return ""
	}
	return " (part " + strconv.Itoa(i+1) + " of " + strconv.Itoa(n) + ")"
}
