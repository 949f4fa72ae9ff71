package alert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Bounds on reading a webhook answer: the error shows the first bytes, the
// rest is drained up to a limit so the connection can be reused.
const (
	errorBodyBytes = 200
	drainBytes     = 64 << 10
)

// check turns an answer into nil or a SendError, and drains and closes
// the body.
func (w *Webhook) check(resp *http.Response) error {
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainBytes))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := resp.Status
	if resp.Status == "" {
		msg = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if b := clean(string(head)); b != "" {
		msg += ": " + b
	}
	retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
	return &SendError{Sink: w.name, Retryable: retry, RetryAfter: retryAfter(resp.Header, time.Now()), Err: errors.New(msg)}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date. Zero
// when absent or unreadable; at most a day, whatever the server says.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), 24*time.Hour)
}

// doError describes a failed round trip without the URL (which may hold
// a token in its query; the sink name already says where) and names our
// own timeout as the cause when it fired.
func (w *Webhook) doError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", cause, err)
		}
	}
	err = redact(err, w.o.Secret)
	return fmt.Errorf("post: %w", err)
}
