package alert

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"time"
)

// SendError is a failed delivery to one sink. Retryable tells whether the
// same digest may succeed later (a 5xx or 429 answer, an SMTP 4xx reply, a
// network failure) or will fail the same way until something is fixed (a
// 4xx answer, an SMTP 5xx reply, a bad certificate, a malformed digest).
type SendError struct {
	// Sink is the notifier's Name: secrets and credentials are redacted.
	Sink      string
	Retryable bool
	// RetryAfter is how long the sink asked us to wait (a webhook's
	// Retry-After on 429 or 503), zero when it did not say.
	RetryAfter time.Duration
	Err        error
}

// RetryAfter returns how long the sink behind err asked to be left alone,
// or zero.
func RetryAfter(err error) time.Duration {
	var se *SendError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// Error reads "send to <sink>: <cause>".
func (e *SendError) Error() string {
	return "send to " + e.Sink + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SendError) Unwrap() error { return e.Err }

// Retryable reports whether err, or an error it wraps, is a SendError
// worth retrying. It is false for nil and for any other error.
func Retryable(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Retryable
}

// isNetworkError reports whether err is a failure of the connection (a
// refusal, a reset, a peer that hung up) or a deadline rather than an
// answer from the other side. Those are worth
// retrying: the sink never said no.
func isNetworkError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// redactedError hides a secret that a library may have put in a message.
type redactedError struct {
	err    error
	secret string
}

func (e redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, "<redacted>")
}

func (e redactedError) Unwrap() error { return e.err }

// minRedact is the shortest secret redact looks for: a shorter one would
// match ordinary words ("p" in "support") and garble the message, and no
// library we use quotes credentials anyway.
const minRedact = 4

// redact wraps err so that its message never shows secret.
func redact(err error, secret string) error {
	if err == nil || len(secret) < minRedact || !strings.Contains(err.Error(), secret) {
		return err
	}
	return redactedError{err: err, secret: secret}
}

// isTLSError reports whether err is a failed certificate check, which
// retrying will not mend.
func isTLSError(err error) bool {
	var (
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		hn x509.HostnameError
		ci x509.CertificateInvalidError
	)
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci)
}
