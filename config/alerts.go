package config

import (
	"net/url"

	"go.yaml.in/yaml/v3"
)

// alerts decodes the alerts section and checks sink names are unique.
func (d *decoder) alerts(key string, n *yaml.Node, a *Alerts) {
	d.mapping(n, key, fields{
		"webhook": func(key string, n *yaml.Node) {
			d.sequence(n, key, func(key string, item *yaml.Node) {
				a.Webhooks = append(a.Webhooks, d.webhook(key, item))
			})
		},
		"email": func(key string, n *yaml.Node) {
			d.sequence(n, key, func(key string, item *yaml.Node) {
				a.Emails = append(a.Emails, d.email(key, item))
			})
		},
		"slack": func(key string, n *yaml.Node) {
			d.sequence(n, key, func(key string, item *yaml.Node) { a.Slack = append(a.Slack, d.slack(key, item)) })
		},
		"discord": func(key string, n *yaml.Node) {
			d.sequence(n, key, func(key string, item *yaml.Node) { a.Discord = append(a.Discord, d.discord(key, item)) })
		},
		"telegram": func(key string, n *yaml.Node) {
			d.sequence(n, key, func(key string, item *yaml.Node) { a.Telegram = append(a.Telegram, d.telegram(key, item)) })
		},
		"matrix": func(key string, n *yaml.Node) {
			d.sequence(n, key, func(key string, item *yaml.Node) { a.Matrix = append(a.Matrix, d.matrix(key, item)) })
		},
		"ntfy": func(key string, n *yaml.Node) {
			d.sequence(n, key, func(key string, item *yaml.Node) { a.Ntfy = append(a.Ntfy, d.ntfy(key, item)) })
		},
	})
	firstLine := map[string]int{}
	unique := func(name string, line int) {
		if name == "" {
			return // an entry already reported as incomplete
		}
		if first, dup := firstLine[name]; dup {
			d.errorAt(line, key, "two alerts named %q (first at line %d); give one a different name", name, first)
			return
		}
		firstLine[name] = line
	}
	for _, w := range a.Webhooks {
		if !w.Named && w.URL != "" {
			// An unnamed webhook is known by its address (see Named), not
			// by the host its default name shows: two on one host with
			// different paths are two sinks. A path may hold a token, so
			// the error names the host only.
			if first, dup := firstLine["webhook "+w.URL]; dup {
				d.errorAt(w.Line, key, "two webhooks with the same URL on %s (first at line %d); remove one", hostOf(w.URL), first)
				continue
			}
			firstLine["webhook "+w.URL] = w.Line
			continue
		}
		unique(w.Name, w.Line)
	}
	for _, e := range a.Emails {
		unique(e.Name, e.Line)
	}
	for _, r := range a.routes() {
		unique(r.Name, r.Line)
	}
}

// webhook decodes and checks one webhook entry.
func (d *decoder) webhook(key string, n *yaml.Node) Webhook {
	w := Webhook{Line: n.Line}
	n = resolve(n)
	var secretFile string
	d.mapping(n, key, d.untemplated("webhook", &w.SinkPolicy, fields{
		"name":        d.str(&w.Name),
		"url":         d.httpURL(&w.URL),
		"secret":      d.rawStr(&w.Secret),
		"secret_file": d.str(&secretFile),
		"topics":      d.stringList(&w.Topics, &w.TopicLines),
	}))
	if !d.entry(n, key) {
		return w
	}
	d.required(n, key, map[string]string{"url": w.URL})
	d.secretFile(n, key, "secret", &w.Secret, secretFile)
	w.Named = w.Name != ""
	if w.Name == "" && w.URL != "" {
		w.Name = "webhook " + hostOf(w.URL)
	}
	return w
}

// sinkPolicy adds to a sink entry's fields the keys every kind of sink
// takes (digest, templates), decoded into p. Every sink kind calls it on
// its own fields, so the keys mean the same everywhere.
func (d *decoder) sinkPolicy(p *SinkPolicy, fs fields) fields {
	fs["digest"] = func(key string, n *yaml.Node) { p.Digest = d.digest(key, n) }
	fs["templates"] = func(key string, n *yaml.Node) { p.Templates = d.templates(key, n) }
	return fs
}

// untemplated is sinkPolicy for a sink whose messages no template shapes
// (a webhook's JSON is a contract; a chat service has its own markup):
// a templates key there would be read and then ignored, so it is an error.
func (d *decoder) untemplated(kind string, p *SinkPolicy, fs fields) fields {
	fs = d.sinkPolicy(p, fs)
	fs["templates"] = func(key string, n *yaml.Node) {
		d.errorf(n, key, "a %s sink is not templated: templates apply to email and to standard output", kind)
		d.templates(key, n) // what else is wrong with it, too
	}
	return fs
}

// hostOf returns the host of a URL already checked by checkHTTPURL.
func hostOf(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Host
}

// rawStr decodes a string into dst without trimming it, for secrets.
func (d *decoder) rawStr(dst *string) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		if s, ok := d.scalar(n, key); ok {
			*dst = s
		}
	}
}
