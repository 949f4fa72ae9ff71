package config

import (
	"fmt"
	"net/mail"
	"net/netip"
	"strings"

	"go.yaml.in/yaml/v3"
)

// email decodes and checks one email entry.
func (d *decoder) email(key string, n *yaml.Node) Email {
	e := Email{Line: n.Line}
	n = resolve(n)
	var toLines []int
	d.mapping(n, key, d.sinkPolicy(&e.SinkPolicy, fields{
		"name":    d.str(&e.Name),
		"to":      d.stringList(&e.To, &toLines),
		"from":    d.str(&e.From),
		"subject": d.str(&e.Subject),
		"smtp":    func(key string, v *yaml.Node) { d.smtp(key, v, &e.SMTP) },
	}))
	if !d.entry(n, key) {
		return e
	}
	for i, to := range e.To {
		d.address(toLines[i], fmt.Sprintf("%s.to[%d]", key, i), to)
	}
	if len(e.To) == 0 && !d.bad[valueNode(n, "to")] {
		d.errorf(n, key+".to", "at least one address is required")
	}
	if e.From != "" {
		d.address(valueNode(n, "from").Line, key+".from", e.From)
	}
	d.required(n, key, map[string]string{"from": e.From})
	if !has(n, "smtp") {
		d.errorf(n, key+".smtp", "required")
	}
	e.Named = e.Name != ""
	if e.Name == "" && len(e.To) > 0 {
		e.Name = "email " + strings.Join(e.To, ",")
	}
	return e
}

// address checks one mail address such as "Desk <desk@example.org>".
func (d *decoder) address(line int, key, addr string) {
	if _, err := mail.ParseAddress(addr); err != nil {
		d.errorAt(line, key, "invalid email address: %v", err)
	}
}

// smtp decodes and checks the smtp mapping of an email entry.
func (d *decoder) smtp(key string, n *yaml.Node, s *SMTP) {
	var passwordFile string
	d.mapping(n, key, fields{
		"host":          d.str(&s.Host),
		"port":          d.integer(&s.Port, 1),
		"username":      d.str(&s.Username),
		"password":      d.rawStr(&s.Password),
		"password_file": d.str(&passwordFile),
		"tls":           d.str(&s.TLS),
	})
	n = resolve(n)
	if isNull(n) || n.Kind != yaml.MappingNode {
		return
	}
	d.required(n, key, map[string]string{"host": s.Host})
	d.secretFile(n, key, "password", &s.Password, passwordFile)
	switch s.TLS {
	case "":
		s.TLS = defaultTLS(s.Host)
	case "starttls", "tls", "none", "opportunistic":
	default:
		d.errorf(valueNode(n, "tls"), key+".tls", "must be starttls, tls, opportunistic or none (got %q)", raw(valueNode(n, "tls")))
	}
	switch {
	case s.Port > 65535:
		d.errorf(valueNode(n, "port"), key+".port", "must be at most 65535 (got %d)", s.Port)
	case s.Port == 0 && s.TLS == "tls":
		s.Port = 465
	case s.Port == 0 && s.TLS == "none":
		s.Port = 25 // as the mailer defaults it: 587 would refuse plain text below
	case s.Port == 0:
		s.Port = 587
	}
	d.transport(n, key, s)
}

// transport refuses the port, TLS and login combinations the mailer
// refuses when it sends (alert.EmailOptions checks the same), so that
// `watcher check` and a reload reject them with a line, not the first
// delivery with exit 2.
func (d *decoder) transport(n *yaml.Node, key string, s *SMTP) {
	at := func(name string) *yaml.Node {
		if v := valueNode(n, name); v != nil {
			return v
		}
		return n
	}
	tlsNode := at("tls")
	if d.bad[tlsNode] {
		return
	}
	switch {
	case s.Port == 587 && s.TLS != "starttls" && s.TLS != "opportunistic":
		d.errorf(tlsNode, key+".tls", "port 587 is for STARTTLS: use tls: starttls, or port 465 for tls: %s (got %q)", s.TLS, s.TLS)
	case s.Port == 465 && s.TLS != "tls":
		d.errorf(tlsNode, key+".tls", "port 465 is for implicit TLS: use tls: tls, or port 587 for tls: %s (got %q)", s.TLS, s.TLS)
	}
	if s.Username != "" && s.TLS == "none" {
		d.errorf(at("username"), key+".username", "set with tls: none: the password would cross the network in clear (use starttls, tls or opportunistic)")
	}
}

// defaultTLS is STARTTLS, required, for a mail server across the network;
// a relay on this machine (localhost, loopback addresses) often offers no
// TLS at all, so there it is used when offered.
func defaultTLS(host string) string {
	h := strings.Trim(strings.ToLower(host), "[]")
	if ip, err := netip.ParseAddr(h); (err == nil && ip.IsLoopback()) || h == "localhost" {
		return "opportunistic"
	}
	return "starttls"
}
