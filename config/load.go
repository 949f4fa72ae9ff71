package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Load reads and parses the configuration file at path. Relative
// secret_file and password_file paths are relative to path's directory.
func Load(path string, opts Options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(data, path, opts)
}

// Parse parses configuration data read from file (a name used in errors
// and to resolve relative *_file paths). On failure it returns every
// problem found, joined with errors.Join, each one an *Error.
func Parse(data []byte, file string, opts Options) (*Config, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	root, err := parseYAML(data, file)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: file, dir: filepath.Dir(file), opts: opts, budget: walkBudget(root)}
	c := defaults()
	c.File = file
	d.config(root, c)
	d.finish(root, c)
	if len(d.errs) > 0 {
		slices.SortStableFunc(d.errs, byLine)
		errs := make([]error, len(d.errs))
		for i, e := range d.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// parseYAML parses data into a node tree, returning the document's root
// node (nil for an empty file), or a positioned syntax error.
func parseYAML(data []byte, file string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, positioned(data, syntaxError(file, err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, positioned(data, syntaxError(file, err))
		}
		return nil, &Error{File: file, Line: extra.Line, Msg: "more than one YAML document (remove the extra ---)"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// config decodes the top-level mapping into c.
func (d *decoder) config(root *yaml.Node, c *Config) {
	d.mapping(root, "", fields{
		"state":      d.state(&c.State),
		"schedule":   d.str(&c.Schedule),
		"timezone":   d.str(&c.Timezone),
		"backfill":   d.duration(&c.Backfill, false),
		"retention":  d.duration(&c.Retention, true),
		"user_agent": d.str(&c.UserAgent),
		"fetch":      func(key string, n *yaml.Node) { d.fetch(key, n, &c.Fetch) },
		"delivery":   func(key string, n *yaml.Node) { d.delivery(key, n, &c.Delivery) },
		"sources":    func(key string, n *yaml.Node) { d.sources(key, n, &c.Sources) },
		"topics":     func(key string, n *yaml.Node) { d.topics(key, n, &c.Topics) },
		"alerts":     func(key string, n *yaml.Node) { d.alerts(key, n, &c.Alerts) },
		"digest":     func(key string, n *yaml.Node) { c.Digest = d.digest(key, n) },
		"templates":  func(key string, n *yaml.Node) { c.Templates = d.templates(key, n) },

		// The daemon's listener and the metrics file (see http.go).
		"http":         func(key string, n *yaml.Node) { d.http(key, n, &c.HTTP) },
		"metrics_file": func(key string, n *yaml.Node) { d.metricsFile(key, n, &c.MetricsFile) },

		"run_at_start": d.boolean(&c.RunAtStart),
		"health": func(key string, n *yaml.Node) {
			d.mapping(n, key, fields{"report_after": d.duration(&c.Health.ReportAfter, true)})
		},
	})
	d.schedule(root, c)
	d.checkRetention(root, c)
	d.checkDigestTopics(c)
	d.checkRoutes(c)
}

// schedule checks the cron spec and loads the timezone.
func (d *decoder) schedule(root *yaml.Node, c *Config) {
	c.Location = time.Local
	if c.Timezone != "" {
		loc, err := time.LoadLocation(c.Timezone)
		if err != nil {
			d.errorf(valueNode(root, "timezone"), "timezone", "unknown time zone %q", raw(valueNode(root, "timezone")))
		} else {
			c.Location = loc
		}
	}
	if _, err := cron.ParseStandard(c.Schedule); err != nil {
		n := valueNode(root, "schedule")
		d.errorf(n, "schedule", "invalid cron schedule %q%s (use 5 fields such as \"*/30 * * * *\", or \"@every 30m\")",
			raw(n), detail(n, c.Schedule, err))
	}
}

// fetch decodes the fetch section.
func (d *decoder) fetch(key string, n *yaml.Node, f *Fetch) {
	d.mapping(n, key, fields{
		"timeout":         d.duration(&f.Timeout, true),
		"connect_timeout": d.duration(&f.ConnectTimeout, true),
		"max_body":        d.size(&f.MaxBody),
		"max_items":       d.integer(&f.MaxItems, 1),
		"max_articles":    d.integer(&f.MaxArticles, 0),
		"concurrency":     d.integer(&f.Concurrency, 1),
		"per_host":        d.integer(&f.PerHost, 1),
		"host_delay":      d.duration(&f.HostDelay, false),
		"page_delay":      d.duration(&f.PageDelay, false),
		"budget":          d.duration(&f.Budget, false),
		"robots":          d.boolean(&f.Robots),
		"max_backoff":     d.duration(&f.MaxBackoff, true),
	})
}

// delivery decodes the delivery section.
func (d *decoder) delivery(key string, n *yaml.Node, dl *Delivery) {
	d.mapping(n, key, fields{
		"max_attempts": d.integer(&dl.MaxAttempts, 1),
		"timeout":      d.duration(&dl.Timeout, true),
	})
}

// finish reports a missing or empty topics list. (A list of bad entries
// has had each entry reported.) No sources is allowed: a file that only
// defines topics serves `watcher match`, and `watcher check` warns.
func (d *decoder) finish(root *yaml.Node, c *Config) {
	if n := valueNode(root, "topics"); isNull(n) || (n.Kind == yaml.SequenceNode && len(n.Content) == 0) {
		d.errorf(n, "topics", "at least one topic is required")
	}
}
