package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, for callers that branch on the kind of failure.
var (
	// ErrNotAFeed: the body is not RSS, Atom or JSON Feed (often an HTML page).
	ErrNotAFeed = errors.New("not a feed")
	// ErrBodyTooLarge: a response body passed Options.MaxBody.
	ErrBodyTooLarge = errors.New("response body too large")
	// ErrEmpty: the server answered 2xx with an empty body.
	ErrEmpty = errors.New("empty response body")
	// ErrPrivateAddress: a host not in Options.AllowHosts resolved to a
	// loopback, private, link-local, multicast or unspecified address.
	ErrPrivateAddress = errors.New("address is not public")
)

// StatusError is a non-2xx HTTP answer.
type StatusError struct {
	Code int
	// RetryAfter is the delay a 429 or 503 answer asked for, 0 if none.
	RetryAfter time.Duration
}

// Error describes the status, and the requested delay if there was one.
func (e *StatusError) Error() string {
	s := fmt.Sprintf("HTTP status %d %s", e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// newStatusError builds the error for a non-2xx answer, reading
// Retry-After (seconds or HTTP-date) on 429 and 503.
func newStatusError(code int, h http.Header, now time.Time) *StatusError {
	e := &StatusError{Code: code}
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), now)
	}
	return e
}

// parseRetryAfter reads a Retry-After value; unreadable or past values
// give 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(secs)*time.Second, 0)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now).Round(time.Second), 0)
	}
	return 0
}

// timeoutError is the cause given to a request's timeout. It says how
// long the request had, and still matches context.DeadlineExceeded.
type timeoutError struct{ limit time.Duration }

func (e timeoutError) Error() string      { return fmt.Sprintf("timeout after %s", e.limit) }
func (timeoutError) Timeout() bool        { return true }
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// explain replaces an error caused by the ended context with the
// context's cause ("timeout after 30s"), which says what happened; the
// URL and operation are named by the caller already.
func explain(ctx context.Context, err error) error {
	var te timeoutError
	if errors.As(err, &te) {
		return te // a request's own timeout, wrapped by net/http in its URL
	}
	if ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	if errors.Is(err, ctx.Err()) || errors.Is(err, cause) || isTimeout(err) {
		return cause
	}
	return err
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// formatSize prints a byte limit the way a person writes it.
func formatSize(n int64) string {
	switch {
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= 1024 && n%1024 == 0:
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return fmt.Sprintf("%d bytes", n)
}
