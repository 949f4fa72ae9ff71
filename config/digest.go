package config

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// DigestPolicy says when a sink's digests go out: at every crawl (no
// policy), or gathered until Schedule's next time, with the Immediate
// topics sent at once and nothing but them sent in QuietHours.
type DigestPolicy struct {
	// Schedule is a cron spec (cron.ParseStandard) in the configuration's
	// timezone; empty means a digest per crawl.
	Schedule string `yaml:"schedule,omitempty"`
	// Immediate lists topic ids whose items go out in the crawl that
	// found them, whatever the schedule.
	Immediate []string `yaml:"immediate,omitempty"`
	// QuietHours, when set, is a daily window in which only Immediate
	// topics are sent; the rest waits for its end.
	QuietHours *QuietHours `yaml:"quiet_hours,omitempty"`
	// Line locates the digest key; ImmediateLines each immediate entry.
	Line           int   `yaml:"-"`
	ImmediateLines []int `yaml:"-"`
	key            string
}

// QuietHours is a daily window, From inclusive to To exclusive, in the
// configuration's timezone. From later than To spans midnight.
type QuietHours struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
	// FromMinute and ToMinute are From and To as minutes after midnight.
	FromMinute int `yaml:"-"`
	ToMinute   int `yaml:"-"`
}

// Templates name the files that replace the built-in digest templates;
// either may be empty (that rendering stays built in). Paths are made
// absolute, relative to the configuration file.
type Templates struct {
	HTML string `yaml:"html,omitempty"`
	Text string `yaml:"text,omitempty"`
	Line int    `yaml:"-"`
}

// SinkPolicy holds the keys every kind of sink takes besides its own
// address: when its digests go out and how they look. Nil fields fall
// back to the top-level digest and templates.
type SinkPolicy struct {
	Digest    *DigestPolicy `yaml:"digest,omitempty"`
	Templates *Templates    `yaml:"templates,omitempty"`
}

// Contains reports whether t, in loc, falls inside the window.
func (q *QuietHours) Contains(t time.Time, loc *time.Location) bool {
	if q == nil {
		return false
	}
	if loc != nil {
		t = t.In(loc)
	}
	m := t.Hour()*60 + t.Minute()
	if q.FromMinute < q.ToMinute {
		return m >= q.FromMinute && m < q.ToMinute
	}
	return m >= q.FromMinute || m < q.ToMinute
}

// digest decodes a digest mapping (top-level or a sink's).
func (d *decoder) digest(key string, n *yaml.Node) *DigestPolicy {
	p := &DigestPolicy{Line: n.Line, key: key}
	d.digests = append(d.digests, p)
	d.mapping(n, key, fields{
		"schedule":    d.str(&p.Schedule),
		"immediate":   d.stringList(&p.Immediate, &p.ImmediateLines),
		"quiet_hours": func(key string, v *yaml.Node) { p.QuietHours = d.quietHours(key, v) },
	})
	if p.Schedule != "" {
		if _, err := cron.ParseStandard(p.Schedule); err != nil {
			v := valueNode(n, "schedule")
			d.errorf(v, key+".schedule", "invalid cron schedule %q%s (use 5 fields such as \"0 8 * * *\")",
				raw(v), detail(v, p.Schedule, err))
		}
	}
	return p
}

// quietHours decodes {from: "22:00", to: "07:00"}.
func (d *decoder) quietHours(key string, n *yaml.Node) *QuietHours {
	q := &QuietHours{}
	d.mapping(n, key, fields{"from": d.str(&q.From), "to": d.str(&q.To)})
	if r := resolve(n); isNull(r) || r.Kind != yaml.MappingNode {
		return nil
	}
	d.required(n, key, map[string]string{"from": q.From, "to": q.To})
	clock := func(name, s string, dst *int) bool {
		if s == "" {
			return false
		}
		t, err := time.Parse("15:04", s)
		if err != nil {
			d.errorf(valueNode(n, name), joinKey(key, name), "expected a time of day such as 22:00 (got %q)", s)
			return false
		}
		*dst = t.Hour()*60 + t.Minute()
		return true
	}
	okFrom := clock("from", q.From, &q.FromMinute)
	okTo := clock("to", q.To, &q.ToMinute)
	if okFrom && okTo && q.FromMinute == q.ToMinute {
		d.errorf(valueNode(n, "to"), key+".to", "must differ from from (%s): a window of no time, or of all day, is not quiet hours", q.From)
	}
	return q
}

// templates decodes {html: FILE, text: FILE}, resolves the paths against
// the configuration file's directory and checks that each parses.
func (d *decoder) templates(key string, n *yaml.Node) *Templates {
	t := &Templates{Line: n.Line}
	d.mapping(n, key, fields{"html": d.str(&t.HTML), "text": d.str(&t.Text)})
	for _, f := range []struct {
		name string
		path *string
	}{{"html", &t.HTML}, {"text", &t.Text}} {
		if *f.path == "" {
			continue
		}
		if !filepath.IsAbs(*f.path) {
			*f.path = filepath.Join(d.dir, *f.path)
		}
		v := valueNode(n, f.name)
		if info, err := os.Stat(*f.path); err != nil {
			d.errorf(v, joinKey(key, f.name), "read template: %v", err)
			continue
		} else if !info.Mode().IsRegular() {
			d.errorf(v, joinKey(key, f.name), "read template %s: not a regular file", *f.path)
			continue
		}
		if d.opts.ValidateTemplate != nil {
			if err := d.opts.ValidateTemplate(f.name, *f.path); err != nil {
				d.errorf(v, joinKey(key, f.name), "%v", err)
			}
		}
	}
	return t
}

// checkDigestTopics reports immediate topic ids that name no topic, in
// every digest key decoded (top-level and every sink's, whatever its
// kind). It runs once the whole file is decoded, topics included, and
// keeps the digest keys for DigestPolicies.
func (d *decoder) checkDigestTopics(c *Config) {
	ids := map[string]bool{}
	for _, t := range c.Topics {
		ids[t.ID] = true
	}
	for _, p := range d.digests {
		for i, id := range p.Immediate {
			if !ids[id] {
				d.errorAt(p.ImmediateLines[i], fmt.Sprintf("%s.immediate[%d]", p.key, i), "no topic has id %q", id)
			}
		}
		c.digests = append(c.digests, p)
	}
}

// DigestPolicies returns every digest key in the file, top-level and
// every sink's, in file order.
func (c *Config) DigestPolicies() []*DigestPolicy {
	return c.digests
}

// PolicyFor returns the digest policy and templates that apply to a sink:
// its own, or else the top-level ones. A nil policy means a digest per
// crawl, as without any digest key.
func (c *Config) PolicyFor(s SinkPolicy) (*DigestPolicy, *Templates) {
	p, t := s.Digest, s.Templates
	if p == nil {
		p = c.Digest
	}
	if t == nil {
		t = c.Templates
	}
	return p, t
}
