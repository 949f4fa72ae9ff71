package watch

import (
	"io"

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
	_, err := newSinks(cfg, Options{Stdout: io.Discard})
	return err
}
