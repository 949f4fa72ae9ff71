package config

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// redacted stands in for every secret in Redacted's output.
const redacted = "<redacted>"

// Redacted returns the effective configuration, defaults included, as
// YAML, with every secret (webhook secrets, SMTP passwords, whatever came
// from a *_file, passwords in source URLs) replaced by "<redacted>" or
// "xxxxx". Webhook URLs keep only their
// scheme and host, since a path or query often carries a token.
func (c *Config) Redacted() string {
	cp := *c
	cp.State = RedactState(c.State)
	cp.Alerts = Alerts{}
	cp.Sources = nil
	for _, s := range c.Sources {
		s.Feed, s.Page = redactPassword(s.Feed), redactPassword(s.Page)
		cp.Sources = append(cp.Sources, s)
	}
	for _, w := range c.Alerts.Webhooks {
		w.URL = redactURL(w.URL)
		if w.Secret != "" {
			w.Secret = redacted
		}
		cp.Alerts.Webhooks = append(cp.Alerts.Webhooks, w)
	}
	for _, e := range c.Alerts.Emails {
		if e.SMTP.Password != "" {
			e.SMTP.Password = redacted
		}
		cp.Alerts.Emails = append(cp.Alerts.Emails, e)
	}
	cp.Alerts.Slack, cp.Alerts.Discord, cp.Alerts.Telegram, cp.Alerts.Matrix, cp.Alerts.Ntfy = redactChat(c.Alerts)
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&cp); err != nil {
		// Encode fails only on types it cannot encode; Config has none.
		return "# cannot encode configuration: " + err.Error() + "\n"
	}
	return b.String()
}

// redactChat returns copies of the chat sinks with their tokens, and the
// paths of the webhook URLs that carry them, replaced.
func redactChat(a Alerts) ([]Slack, []Discord, []Telegram, []Matrix, []Ntfy) {
	var (
		sl []Slack
		di []Discord
		tg []Telegram
		mx []Matrix
		nt []Ntfy
	)
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return redacted
	}
	for _, s := range a.Slack {
		s.URL = redactURL(s.URL)
		sl = append(sl, s)
	}
	for _, s := range a.Discord {
		s.URL = redactURL(s.URL)
		di = append(di, s)
	}
	for _, s := range a.Telegram {
		s.Token = mask(s.Token)
		tg = append(tg, s)
	}
	for _, s := range a.Matrix {
		s.Token = mask(s.Token)
		mx = append(mx, s)
	}
	for _, s := range a.Ntfy {
		// The topic stays (it names the sink); user info and a query
		// (ntfy takes ?auth=) may hold credentials.
		s.URL, s.Token = withoutCredentials(s.URL), mask(s.Token)
		nt = append(nt, s)
	}
	return sl, di, tg, mx, nt
}

// withoutCredentials returns raw without user information, query and
// fragment.
func withoutCredentials(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// redactURL keeps a URL's scheme and host, and replaces any user
// information, path or query with the redaction marker.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	kept := url.URL{Scheme: u.Scheme, Host: u.Host}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return kept.String() + "/" + redacted
	}
	return kept.String()
}

// redactPassword masks the password of a URL's user information, if any.
func redactPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
