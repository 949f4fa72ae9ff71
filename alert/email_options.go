package alert

import (
	"crypto/tls"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/netip"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// EmailOptions configures an Email notifier.
type EmailOptions struct {
	// To are the recipients; From is the sender address.
	To   []string
	From string
	// Subject, when set, is put before the generated subject.
	Subject string
	// Host and Port name the SMTP server. Port 0 means 587 for
	// "starttls", 465 for "tls" and 25 for "none".
	Host string
	Port int
	// Username and Password, when Username is set, authenticate with
	// SMTP AUTH (PLAIN or LOGIN, whichever the server offers). They
	// are only ever sent over TLS, or to a server on localhost.
	Username, Password string
	// TLS is "starttls" (the default; the server must offer STARTTLS),
	// "tls" (implicit TLS, usually port 465), "opportunistic" (STARTTLS
	// when the server offers it: for a relay on localhost) or "none"
	// (plain text, for tests and local relays only).
	TLS string
	// Timeout bounds one delivery; 0 means 30 seconds.
	Timeout time.Duration
	// Templates, when set, render the message's text and HTML parts.
	Templates *Templates
	// TLSConfig, when set, replaces the default TLS settings (e.g. to
	// trust a private CA). Its ServerName defaults to Host.
	TLSConfig *tls.Config
}

func (o EmailOptions) withDefaults() EmailOptions {
	o.TLS = strings.ToLower(strings.TrimSpace(o.TLS))
	if o.TLS == "" {
		o.TLS = "starttls"
	}
	if o.Port == 0 {
		o.Port = map[string]int{"starttls": 587, "tls": 465, "opportunistic": 587, "none": 25}[o.TLS]
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	return o
}

// validate reports every problem in o at once.
func (o EmailOptions) validate() error {
	var errs []error
	if len(o.To) == 0 {
		errs = append(errs, errors.New("to: at least one recipient is required"))
	}
	for i, to := range o.To {
		if _, err := netmail.ParseAddress(to); err != nil {
			errs = append(errs, fmt.Errorf("to[%d] %q: %w", i, to, err))
		}
	}
	if _, err := netmail.ParseAddress(o.From); err != nil {
		errs = append(errs, fmt.Errorf("from %q: %w", o.From, err))
	}
	if o.Host == "" {
		errs = append(errs, errors.New("host: required"))
	}
	errs = append(errs, o.validateTransport()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("email to %s via %s: %w", strings.Join(o.To, ","), o.Host, err)
	}
	return nil
}

func (o EmailOptions) validateTransport() []error {
	var errs []error
	switch o.TLS {
	case "starttls", "tls", "opportunistic", "none":
	default:
		errs = append(errs, fmt.Errorf("tls: must be starttls, tls, opportunistic or none (got %q)", o.TLS))
	}
	if o.Port < 1 || o.Port > 65535 {
		errs = append(errs, fmt.Errorf("port: must be 1-65535 (got %d)", o.Port))
	}
	if o.Port == 587 && o.TLS != "starttls" && o.TLS != "opportunistic" {
		errs = append(errs, fmt.Errorf("port 587 needs tls: starttls (got %q)", o.TLS))
	}
	if o.Port == 465 && o.TLS != "tls" {
		errs = append(errs, fmt.Errorf("port 465 needs tls: tls (got %q)", o.TLS))
	}
	if o.Username != "" && o.TLS == "none" {
		errs = append(errs, errors.New("username set with tls: none: the password would cross the network in clear"))
	}
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative (got %s)", o.Timeout))
	}
	return errs
}

// clientOptions maps o onto go-mail's client options.
func (o EmailOptions) clientOptions() []mail.Option {
	opts := []mail.Option{mail.WithPort(o.Port), mail.WithTimeout(o.Timeout)}
	switch o.TLS {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if o.TLSConfig != nil {
		cfg := o.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = o.Host
		}
		opts = append(opts, mail.WithTLSConfig(cfg))
	}
	if o.Username != "" {
		// Auto-discovery offers no plain-text mechanism without TLS; to
		// a relay on this machine PLAIN is fine either way (the library
		// itself sends it unencrypted only to localhost).
		auth := mail.SMTPAuthAutoDiscover
		if isLoopback(o.Host) {
			auth = mail.SMTPAuthPlain
		}
		opts = append(opts, mail.WithSMTPAuth(auth),
			mail.WithUsername(o.Username), mail.WithPassword(o.Password))
	}
	return opts
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	h := strings.Trim(strings.ToLower(host), "[]")
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.IsLoopback()
	}
	return h == "localhost"
}
