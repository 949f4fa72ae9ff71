package config

import "fmt"

// Route is one configured sink as every kind shares it: where it is in
// the file, its name, and the topics it takes (none: all).
type Route struct {
	Key        string // "alerts.slack[0]"
	Name       string
	Line       int
	Topics     []string
	topicLines []int
}

// Routes lists every sink: webhooks, emails, then slack, discord,
// telegram, matrix and ntfy, each kind in file order.
func (a *Alerts) Routes() []Route { return a.allRoutes() }

// routes lists the chat sinks, in the order the file's kinds are listed
// in Alerts. (Webhooks and emails are listed by allRoutes.)
func (a *Alerts) routes() []Route {
	var out []Route
	add := func(kind string, i int, c ChatSink) {
		out = append(out, Route{Key: fmt.Sprintf("alerts.%s[%d]", kind, i), Name: c.Name, Line: c.Line, Topics: c.Topics, topicLines: c.TopicLines})
	}
	for i, s := range a.Slack {
		add("slack", i, s.ChatSink)
	}
	for i, s := range a.Discord {
		add("discord", i, s.ChatSink)
	}
	for i, s := range a.Telegram {
		add("telegram", i, s.ChatSink)
	}
	for i, s := range a.Matrix {
		add("matrix", i, s.ChatSink)
	}
	for i, s := range a.Ntfy {
		add("ntfy", i, s.ChatSink)
	}
	return out
}

// allRoutes lists every sink: webhooks, emails, then the chat sinks.
func (a *Alerts) allRoutes() []Route {
	var out []Route
	for i, w := range a.Webhooks {
		out = append(out, Route{Key: fmt.Sprintf("alerts.webhook[%d]", i), Name: w.Name, Line: w.Line, Topics: w.Topics, topicLines: w.TopicLines})
	}
	for i, e := range a.Emails {
		out = append(out, Route{Key: fmt.Sprintf("alerts.email[%d]", i), Name: e.Name, Line: e.Line, Topics: e.Topics, topicLines: e.TopicLines})
	}
	return append(out, a.routes()...)
}

// Sinks counts the configured sinks of every kind.
func (a *Alerts) Sinks() int { return len(a.allRoutes()) }

// checkRoutes reports every topics: entry of a sink that names no
// configured topic, or names one twice. It runs once the whole file is
// read, since alerts may come before topics.
func (d *decoder) checkRoutes(c *Config) {
	known := make(map[string]bool, len(c.Topics))
	for _, t := range c.Topics {
		known[t.ID] = true
	}
	for _, r := range c.Alerts.allRoutes() {
		seen := map[string]int{}
		for i, id := range r.Topics {
			key := fmt.Sprintf("%s.topics[%d]", r.Key, i)
			switch first, dup := seen[id]; {
			case dup:
				d.errorAt(r.topicLines[i], key, "topic %q listed twice (first at line %d)", id, first)
			case !known[id]:
				d.errorAt(r.topicLines[i], key, "unknown topic %q (the topics are %s)", id, topicList(c.Topics))
			}
			if _, dup := seen[id]; !dup {
				seen[id] = r.topicLines[i]
			}
		}
	}
}

// topicList names the configured topic ids for an error message.
func topicList(ts []Topic) string {
	if len(ts) == 0 {
		return "none"
	}
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		s += t.ID
	}
	return s
}
