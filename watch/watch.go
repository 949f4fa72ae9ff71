// Package watch runs one cycle of the watcher: crawl every source, keep the
// items not seen before, match them against the topics, store a digest and
// deliver it to every sink.
//
// It is the only package that sees crawl, match, alert and state together;
// cmd/watcher drives it once (--once) or on a schedule.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/crawl"
	"github.com/watcher-news/watcher/match"
)

// Options are the run-time parts of a Watcher that do not come from the
// configuration file.
type Options struct {
	// Logger receives the per-source and per-cycle log lines.
	Logger *slog.Logger
	// Now is the clock; tests may pass a fake one. Default time.Now.
	Now func() time.Time
	// Stdout receives digests when no sink is configured. Default os.Stdout.
	Stdout io.Writer
	// Version goes into the User-Agent.
	Version string
	// Robots overrides the configured robots.txt policy when not nil.
	Robots *bool
	// Replica names this watcher among several sharing a PostgreSQL
	// state (see replica.go); empty for a watcher alone on its state.
	Replica string
}

// Watcher holds everything a cycle needs. Build it once with New and call
// Cycle as often as the schedule says; it is not meant for two concurrent
// cycles (the daemon's cron chain skips a tick while one runs).
type Watcher struct {
	cfg     *config.Config
	store   Store
	fetcher *crawl.Fetcher
	matcher *match.Matcher
	sinks   []alert.Notifier
	// policies holds, by sink name, the digest schedule of the sinks
	// that have one (see schedule.go).
	policies map[string]*policy
	routes   map[string][]string // sink name: the topics it takes (none: all)
	log      *slog.Logger
	now      func() time.Time
	name     string // Options.Replica
	// mayStillSend, while set (by a replica holding the sender lock),
	// confirms before each send that this watcher may still deliver.
	mayStillSend func(context.Context) error
	// follow holds this cycle's profiles of the topics that follow
	// their story (see follow.go).
	follow   []*follower
	followed followCache
	// stories holds the stories sent, read once (see storycache.go).
	stories storyCache
}

// New builds a Watcher from a loaded configuration and an open state store.
// The store stays owned by the caller, who closes it after the last cycle.
func New(cfg *config.Config, store Store, opts Options) (*Watcher, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	matcher, err := CompileTopics(cfg)
	if err != nil {
		return nil, err
	}
	var pacer *replicaPacer
	var cp crawl.Pacer
	if opts.Replica != "" {
		pacer = &replicaPacer{}
		cp = pacer
	}
	fetcher, err := newFetcherPaced(cfg, opts, cp)
	if err != nil {
		return nil, fmt.Errorf("build fetcher: %w", err)
	}
	sinks, policies, err := newSinks(cfg, opts)
	if err != nil {
		return nil, err
	}
	routes, err := sinkRoutes(cfg, sinks)
	if err != nil {
		return nil, err
	}
	w := &Watcher{
		cfg:      cfg,
		store:    store,
		fetcher:  fetcher,
		matcher:  matcher,
		sinks:    sinks,
		policies: policies,
		routes:   routes,
		log:      opts.Logger,
		now:      opts.Now,
		name:     opts.Replica,
	}
	if pacer != nil {
		pacer.w = w
	}
	return w, nil
}

// CompileTopics compiles the configured topics into a matcher. Query errors
// come back with the configuration file and line of the topic.
func CompileTopics(cfg *config.Config) (*match.Matcher, error) {
	topics := make([]match.Topic, len(cfg.Topics))
	for i, t := range cfg.Topics {
		topics[i] = MatchTopic(t)
	}
	m, err := match.Compile(topics)
	if err == nil {
		return m, nil
	}
	return nil, positionTopicErrors(cfg, err)
}

// MatchTopic maps a configured topic onto the matcher's.
func MatchTopic(t config.Topic) match.Topic {
	return match.Topic{ID: t.ID, Title: t.Title, Query: t.Query, Exclude: t.Exclude, MinTerms: t.MinTerms}
}

// positionTopicErrors prefixes every match.QueryError with the file and line
// of the topic it concerns, so the user can find it.
func positionTopicErrors(cfg *config.Config, err error) error {
	var errs []error
	for _, e := range flatten(err) {
		line := 0
		var qe *match.QueryError
		if errors.As(e, &qe) {
			for _, t := range cfg.Topics {
				if t.ID == qe.Topic {
					line = t.Line
					break
				}
			}
		}
		if line > 0 {
			errs = append(errs, fmt.Errorf("%s:%d: %w", cfg.File, line, e))
		} else {
			errs = append(errs, fmt.Errorf("%s: %w", cfg.File, e))
		}
	}
	return errors.Join(errs...)
}

// flatten unpacks an errors.Join tree into its leaves.
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
