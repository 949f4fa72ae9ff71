package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// loadConfig loads and validates the configuration, queries included.
func loadConfig(path string) (*config.Config, error) {
	return config.Load(path, config.Options{ValidateQuery: match.ParseQuery})
}

// runWatch runs one cycle (--once) or the daemon.
func runWatch(ctx context.Context, g globals, stdout io.Writer, log *slog.Logger) int {
	cfg, err := loadConfig(g.config)
	if err != nil {
		log.Error("invalid configuration", "err", err)
		return exitUsage
	}
	store, err := state.Open(cfg.State, state.Options{})
	if err != nil {
		log.Error("open state", "err", err)
		return exitFailed
	}
	defer store.Close()
	w, err := watch.New(cfg, store, watch.Options{Logger: log, Stdout: stdout, Version: version})
	if err != nil {
		log.Error("invalid configuration", "err", err)
		return exitUsage
	}
	if g.once {
		sum, err := cycle(ctx, w, log)
		if err == nil && sum.OK == 0 && sum.Failed > 0 {
			// Nothing could be read: the network or the configuration is
			// at fault, and a cron job should hear of it.
			log.Error("every source failed", "failed", sum.Failed)
			return exitFailed
		}
		if err != nil {
			return exitFailed
		}
		return exitOK
	}
	return daemon(ctx, cfg, w, log)
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

// daemon runs cycles on the configured schedule until ctx is cancelled
// (SIGTERM or SIGINT). A cycle still running at the next tick makes that
// tick skip, never stack; on shutdown the running cycle is cancelled and
// waited for, so the state file is left consistent.
func daemon(ctx context.Context, cfg *config.Config, w *watch.Watcher, log *slog.Logger) int {
	cl := cronLogger{log}
	c := cron.New(
		cron.WithLocation(cfg.Location),
		cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)),
	)
	id, err := c.AddFunc(cfg.Schedule, func() { _, _ = cycle(ctx, w, log) })
	if err != nil {
		log.Error("invalid schedule", "schedule", cfg.Schedule, "err", err)
		return exitUsage
	}
	c.Start()
	log.Info("watcher started", "version", version, "schedule", cfg.Schedule,
		"sources", len(cfg.Sources), "topics", len(cfg.Topics), "next_run", c.Entry(id).Next)
	<-ctx.Done()
	log.Info("stopping: waiting for the running cycle to end")
	stopped := c.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(30 * time.Second):
		log.Error("a cycle did not end within 30s of the stop signal")
		return exitFailed
	}
	log.Info("watcher stopped")
	return exitOK
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
