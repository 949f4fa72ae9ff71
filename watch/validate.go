package watch

import (
	"io"
	"log/slog"
	"time"

	"github.com/watcher-news/watcher/config"
)

// Validate builds what a run builds from cfg (the matcher, the fetcher,
// the sinks) and returns the first error a run would stop on, so that
// `watcher check` and a reload refuse exactly what the run refuses.
func Validate(cfg *config.Config) error {
	if _, err := CompileTopics(cfg); err != nil {
		return err
	}
	if _, err := newFetcher(cfg, Options{}); err != nil {
		return err
	}
	_, _, err := newSinks(cfg, Options{Stdout: io.Discard, Logger: slog.New(slog.DiscardHandler)})
	return err
}

// UseStore hands the Watcher the state store its next cycles use, for a
// daemon that holds the state file only during its cycles (so that
// `watcher status` can read it between them). Call it between cycles.
func (w *Watcher) UseStore(s Store) { w.store = s }

// Budget is how long the crawl of one cycle may take (fetch.budget, or
// four fifths of the schedule's gap), for a caller that watches for a
// cycle that runs far longer.
func (w *Watcher) Budget() time.Duration { return w.budget() }
