package main

import (
	"fmt"
	"io"

	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/watch"
)

// runCheck validates the configuration and reports every problem with its
// file and line, and the topics' warnings. It never prints a secret.
func runCheck(g globals, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(g.config)
	if err != nil {
		for _, e := range flatten(err) {
			fmt.Fprintln(stderr, e)
		}
		return exitUsage
	}
	if _, err := watch.CompileTopics(cfg); err != nil {
		for _, e := range flatten(err) {
			fmt.Fprintln(stderr, e)
		}
		return exitUsage
	}
	for _, t := range cfg.Topics {
		for _, w := range match.Lint(match.Topic{ID: t.ID, Title: t.Title, Query: t.Query, Exclude: t.Exclude, MinTerms: t.MinTerms}) {
			fmt.Fprintf(stdout, "%s:%d: topic %s: warning: %s\n", cfg.File, t.Line, t.ID, w)
		}
	}
	if len(cfg.Sources) == 0 {
		fmt.Fprintf(stdout, "%s: warning: no sources: a cycle has nothing to read (the topics still serve `watcher match`)\n", cfg.File)
	}
	sinks := len(cfg.Alerts.Webhooks) + len(cfg.Alerts.Emails)
	where := fmt.Sprintf("%d sinks", sinks)
	if sinks == 0 {
		where = "no sinks: digests go to standard output"
	}
	fmt.Fprintf(stdout, "%s: ok: %d sources, %d topics, %s, schedule %q, state %s\n",
		cfg.File, len(cfg.Sources), len(cfg.Topics), where, cfg.Schedule, cfg.State)
	return exitOK
}

// flatten unpacks an errors.Join tree into its leaves, one per line.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
