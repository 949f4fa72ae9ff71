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
		unique(w.Name, w.Line)
	}
	for _, e := range a.Emails {
		unique(e.Name, e.Line)
	}
}

// webhook decodes and checks one webhook entry.
func (d *decoder) webhook(key string, n *yaml.Node) Webhook {
	w := Webhook{Line: n.Line}
	n = resolve(n)
	var secretFile string
	d.mapping(n, key, d.sinkPolicy(&w.SinkPolicy, fields{
		"name":        d.str(&w.Name),
		"url":         d.httpURL(&w.URL),
		"secret":      d.rawStr(&w.Secret),
		"secret_file": d.str(&secretFile),
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
