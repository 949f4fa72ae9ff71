package alert

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"

	mail "github.com/wneessen/go-mail"
)

// Send delivers d as one message to all recipients. The Message-ID is
// derived from the digest ID, so a resent digest can be recognised.
// SMTP 4xx replies and connection failures are retryable; 5xx replies,
// TLS failures and refused authentication are not. ctx bounds the dial;
// the whole session is bounded by Timeout, which go-mail sets as the
// connection's deadline.
func (e *Email) Send(ctx context.Context, d Digest) error {
	if !validID(d.ID) {
		return &SendError{Sink: e.name, Err: fmt.Errorf("digest id %q: not a valid id", clean(d.ID))}
	}
	msg, err := e.message(d)
	if err != nil {
		return &SendError{Sink: e.name, Err: err}
	}
	if err := e.client.DialAndSendWithContext(ctx, msg); err != nil {
		return &SendError{Sink: e.name, Retryable: smtpRetryable(err), Err: redact(err, e.o.Password)}
	}
	return nil
}

// message builds the multipart/alternative mail for d.
func (e *Email) message(d Digest) (*mail.Msg, error) {
	// A custom template that fails falls back to the built-in one
	// (logged by Templates): the digest still goes out.
	html, err := e.o.Templates.HTML(d)
	if html == "" && err != nil {
		return nil, err
	}
	text, _ := e.o.Templates.Text(d)
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := m.From(e.o.From); err != nil {
		return nil, fmt.Errorf("set from: %w", err)
	}
	if err := m.To(e.o.To...); err != nil {
		return nil, fmt.Errorf("set to: %w", err)
	}
	subject := Subject(d)
	if e.o.Subject != "" {
		subject = clean(e.o.Subject) + " " + subject
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageIDWithValue(d.ID + "@watcher")
	m.SetGenHeader("X-Watcher-Digest-Id", d.ID)
	m.SetGenHeader(mail.HeaderUserAgent, "watcher")
	m.SetBodyString(mail.TypeTextPlain, text)
	m.AddAlternativeString(mail.TypeTextHTML, html)
	return m, nil
}

// smtpRetryable classifies a go-mail failure. Server replies carry their
// code: 4xx is temporary, 5xx permanent. Without a code, a broken or
// refused connection is worth retrying (go-mail's SendError keeps its
// causes unexported, so its Reason stands in for them); anything else
// (no STARTTLS, a certificate that does not verify, no usable AUTH)
// needs a fix first.
func smtpRetryable(err error) bool {
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		return se.IsTemp()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 400 && te.Code < 500
	}
	if errors.As(err, &se) {
		// No reply code: the connection failed mid-transaction, unless
		// the message itself could not be sent this way.
		switch se.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			return false
		}
		return true
	}
	return isNetworkError(err) && !isTLSError(err)
}
