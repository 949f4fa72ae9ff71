package main

import (
	"fmt"
	"io"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/watch"
)

// runCheck validates the configuration and reports every problem with its
// file and line, and the topics' warnings. It never prints a secret.
func runCheck(g globals, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(g.config)
	if err != nil {
		return configError(stderr, err)
	}
	if err := watch.Validate(cfg); err != nil {
		return configError(stderr, err)
	}
	for _, t := range cfg.Topics {
		for _, w := range match.Lint(watch.MatchTopic(t)) {
			fmt.Fprintf(stdout, "%s:%d: topic %s: warning: %s\n", cfg.File, t.Line, t.ID, w)
		}
	}
	for _, p := range cfg.DigestPolicies() {
		if p.Schedule == "" && p.QuietHours == nil && len(p.Immediate) > 0 {
			fmt.Fprintf(stdout, "%s:%d: digest: warning: immediate has no effect without a schedule or quiet_hours (every crawl's digest goes out at once)\n", cfg.File, p.Line)
		}
	}
	for _, id := range unrouted(cfg) {
		fmt.Fprintf(stdout, "%s: warning: topic %s goes to no sink: every sink has topics: without it\n", cfg.File, id)
	}
	if len(cfg.Sources) == 0 {
		fmt.Fprintf(stdout, "%s: warning: no sources: a cycle has nothing to read (the topics still serve `watcher match`)\n", cfg.File)
	}
	sinks := cfg.Alerts.Sinks()
	where := fmt.Sprintf("%d sinks", sinks)
	if sinks == 0 {
		where = "no sinks: digests go to standard output"
	}
	fmt.Fprintf(stdout, "%s: ok: %d sources, %d topics, %s, schedule %q, state %s\n",
		cfg.File, len(cfg.Sources), len(cfg.Topics), where, cfg.Schedule, config.RedactState(cfg.State))
	return exitOK
}

// unrouted lists the topics no sink takes, when every sink lists its
// topics: their matches are seen and go nowhere.
func unrouted(cfg *config.Config) []string {
	routes := cfg.Alerts.Routes()
	taken := map[string]bool{}
	for _, r := range routes {
		if len(r.Topics) == 0 {
			return nil // this sink takes every topic
		}
		for _, id := range r.Topics {
			taken[id] = true
		}
	}
	var out []string
	for _, t := range cfg.Topics {
		if len(routes) > 0 && !taken[t.ID] {
			out = append(out, t.ID)
		}
	}
	return out
}
