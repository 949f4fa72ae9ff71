package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// TouchEvery is how often the state refreshes the seen time of a key a
// source still lists (both stores rewrite it once it is a day old). A
// key is forgotten once its seen time is older than the retention, so
// the retention must outlast that day plus the longest a source may go
// unread: otherwise a key still listed is forgotten, and its item is new
// again and sent a second time.
const TouchEvery = 24 * time.Hour // state.TouchEvery; config imports nothing, a test in watch ties them

// MinRetention is the shortest retention accepted whatever the sources:
// it also covers a schedule that runs as rarely as once a week.
const MinRetention = 7 * 24 * time.Hour

// checkRetention rejects a retention that could forget a key a source
// still lists: shorter than MinRetention, or than a day (TouchEvery)
// plus a day's margin plus the longest a source may go unread (a failing
// one backed off up to fetch.max_backoff, one with an interval and its
// jitter).
func (d *decoder) checkRetention(root *yaml.Node, c *Config) {
	gap, why := c.Fetch.MaxBackoff, "fetch.max_backoff"
	for _, s := range c.Sources {
		if g := s.Interval + s.Jitter; g > gap {
			gap, why = g, fmt.Sprintf("the interval and jitter of source %q", s.Name)
		}
	}
	need := TouchEvery + gap + 24*time.Hour
	switch {
	case c.Retention < MinRetention:
		d.errorf(valueNode(root, "retention"), "retention",
			"%s is shorter than the minimum of %s: a key a source still lists is refreshed once a day, and a shorter memory could forget it and send its item again",
			c.Retention, MinRetention)
	case c.Retention < need:
		d.errorf(valueNode(root, "retention"), "retention",
			"%s is shorter than %s, a day plus %s (%s) plus a day: a source unread that long could have its keys forgotten and its items sent again",
			c.Retention, need, why, gap)
	}
}
