package alert

import (
	"fmt"
	netmail "net/mail"
	"strings"

	mail "github.com/wneessen/go-mail"
)

var _ Notifier = (*Email)(nil)

// Email sends digests as multipart/alternative (text and HTML) mail.
type Email struct {
	o      EmailOptions
	name   string
	client *mail.Client
}

// NewEmail checks o and returns an Email notifier. It does not connect.
func NewEmail(o EmailOptions) (*Email, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	c, err := mail.NewClient(o.Host, o.clientOptions()...)
	if err != nil {
		return nil, fmt.Errorf("email %s: %w", o.Host, redact(err, o.Password))
	}
	return &Email{o: o, name: "email " + strings.Join(addresses(o.To), ","), client: c}, nil
}

// addresses returns the bare addresses of validated recipients, so the
// notifier's name does not change when a display name does.
func addresses(to []string) []string {
	out := make([]string, len(to))
	for i, s := range to {
		a, _ := netmail.ParseAddress(s) // validate accepted every one
		out[i] = a.Address
	}
	return out
}

// Name returns "email " and the recipients' addresses.
func (e *Email) Name() string { return e.name }
