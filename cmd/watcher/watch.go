package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// loadConfig loads and validates the configuration, queries included.
func loadConfig(path string) (*config.Config, error) {
	return config.Load(path, config.Options{ValidateQuery: match.ParseQuery, ValidateTemplate: alert.ValidateTemplate})
}

// runWatch runs one cycle (--once) or the daemon.
func runWatch(ctx context.Context, g globals, stdout io.Writer, log *slog.Logger) int {
	cfg, err := loadConfig(g.config)
	if err != nil {
		log.Error("invalid configuration", "err", err)
		return exitUsage
	}
	if g.replica != "" && !cfg.StatePostgres() {
		log.Error("invalid configuration", "err", fmt.Errorf("--replica %s: replicas share a PostgreSQL state, and state is the file %s", g.replica, cfg.State))
		return exitUsage
	}
	store, err := openCycleStore(ctx, cfg, state.Options{}, g.replica)
	if err != nil {
		log.Error("open state", "err", err)
		return exitFailed
	}
	defer store.Close()
	w, err := watch.New(cfg, store, watchOptions(log, stdout, g.replica))
	if err != nil {
		log.Error("invalid configuration", "err", err)
		return exitUsage
	}
	mon := newMonitor(cfg, log)
	if !g.once {
		// The daemon opens the state for each cycle; opening it here
		// checked it at start (a damaged or held file, or a database
		// out of reach, is exit 1), and filled what the HTTP listener
		// serves first.
		mon.refresh(ctx, cfg, store, nil, nil)
		if err := store.Close(); err != nil {
			log.Error("close state", "err", err)
			return exitFailed
		}
		return daemon(ctx, g, cfg, w, stdout, log, mon)
	}
	sum, err := cycle(ctx, w, log)
	if cfg.MetricsFile != "" {
		mon.refresh(ctx, cfg, store, &sum, err)
	}
	if err != nil {
		return exitFailed
	}
	if why := nothingRead(sum); why != "" {
		// Nothing could be read: the network or the configuration is
		// at fault, and a cron job should hear of it.
		log.Error("no source could be read this run", "why", why)
		return exitFailed
	}
	return exitOK
}

// watchOptions are the run-time options of every Watcher this process builds.
func watchOptions(log *slog.Logger, stdout io.Writer, replica string) watch.Options {
	return watch.Options{Logger: log, Stdout: stdout, Version: version, Replica: replica}
}

// nothingRead says why no source could be read in a cycle that had some
// to read (each failed, or rests after failing), or returns "". Sources
// whose interval has not come, or not reached for the budget, are not
// failures.
func nothingRead(sum watch.Summary) string {
	if sum.OK > 0 || sum.Failed+sum.BackedOff == 0 {
		return ""
	}
	switch {
	case sum.BackedOff == 0:
		return fmt.Sprintf("every source failed (%d; see the \"source failed\" lines)", sum.Failed)
	case sum.Failed == 0:
		return fmt.Sprintf("every source is backed off after failing (%d; watcher status shows when each is tried next)", sum.BackedOff)
	default:
		return fmt.Sprintf("%d sources failed and %d are backed off after failing (watcher status shows why and when each is tried next)", sum.Failed, sum.BackedOff)
	}
}

// cycle runs one cycle and logs its one-line summary.
func cycle(ctx context.Context, w *watch.Watcher, log *slog.Logger) (watch.Summary, error) {
	sum, err := w.Cycle(ctx)
	attrs := []any{
		"sources", sum.Sources, "ok", sum.OK, "failed", sum.Failed, "not_modified", sum.NotModified,
		"backed_off", sum.BackedOff, "not_due", sum.NotDue, "not_reached", sum.NotReached,
		"new", sum.New, "matched", sum.Matched, "deferred", sum.Deferred, "sent", sum.Sent,
		"send_failed", sum.SendFailed, "parked", sum.Parked, "duration", sum.Duration.Round(time.Millisecond),
	}
	if sum.Elsewhere > 0 {
		attrs = append(attrs, "elsewhere", sum.Elsewhere)
	}
	if sum.SourcesFailing+sum.SourcesRecovered > 0 {
		attrs = append(attrs, "sources_failing_reported", sum.SourcesFailing, "sources_recovered_reported", sum.SourcesRecovered)
	}
	if sum.Related > 0 {
		attrs = append(attrs, "related", sum.Related)
	}
	if len(sum.Failures) > 0 {
		// The names, so the one line says which sources to look at; each
		// cause is on its own "source failed" line above.
		names := make([]string, len(sum.Failures))
		for i, f := range sum.Failures {
			names[i] = f.Source
		}
		attrs = append(attrs, "failed_sources", strings.Join(names, ","))
	}
	log.Info("cycle done", attrs...)
	switch {
	case err != nil && ctx.Err() != nil:
		// A stop signal, not a fault: what was done is saved, the rest
		// is done by the next run.
		log.Warn("cycle interrupted by the stop signal", "err", err)
	case err != nil:
		log.Error("cycle failed", "err", err)
	}
	return sum, err
}

// cronLogger routes the scheduler's messages into slog. SkipIfStillRunning
// reports a skipped tick through Info, which is worth seeing, so it is kept
// at info level; the scheduler's routine wake-ups go to debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.log.Info("cycle skipped: the previous one is still running")
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
