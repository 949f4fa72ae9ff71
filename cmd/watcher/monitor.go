package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/serve"
	"github.com/watcher-news/watcher/watch"
)

// monitor keeps what the HTTP listener and the metrics file show: the
// metrics, the health and a snapshot of the state, refreshed after every
// cycle while the state file is open. It holds neither the state file nor
// the watcher, only what it copied out of them.
type monitor struct {
	cfg     *config.Config
	log     *slog.Logger
	now     func() time.Time
	metrics *serve.Metrics
	srv     *serve.Server
	health  serve.Health
}

func newMonitor(cfg *config.Config, log *slog.Logger) *monitor {
	m := &monitor{cfg: cfg, log: log, now: time.Now, metrics: serve.NewMetrics()}
	m.srv = serve.New(serve.Options{Metrics: m.metrics, Logger: log})
	// Sinks are left out: their series appear with their first delivery,
	// under the name the delivery reports. Nor are the others made when
	// nobody reads them (no listener, no metrics file): a series per
	// source took 6 MB of a 20,000-source cycle's live heap, twice that
	// of its peak memory.
	if m.read() {
		m.metrics.Known(sourceNames(cfg), topicIDs(cfg), nil)
	}
	m.health.Started = m.now()
	m.health.Deadline = m.deadline(m.health.Started)
	return m
}

// read reports whether anybody reads what the monitor keeps: the HTTP
// listener or the metrics file.
func (m *monitor) read() bool { return m.cfg.HTTP.Listen != "" || m.cfg.MetricsFile != "" }

// refresh reads the state file into the snapshot; after a cycle (sum not
// nil) it also counts the cycle and judges the daemon's health by it.
// With metrics_file set it writes the file. Errors are logged: the
// listener then keeps serving the last good snapshot.
//
// cfg is the configuration the cycle ran on: a reload replaces it. Calls
// come one at a time (at start, then from each cycle in turn).
func (m *monitor) refresh(ctx context.Context, cfg *config.Config, store watch.Store, sum *watch.Summary, cycleErr error) {
	m.cfg = cfg
	if !m.read() {
		return // nobody reads it: spare the walk over the state file
	}
	if sum != nil {
		c := cycleOf(*sum, cycleErr, ctx.Err() != nil, m.now())
		m.metrics.ObserveCycle(c)
		if c.Result != "interrupted" {
			m.health.Cycles++
			m.health.LastEnd = c.End
			m.health.LastErr = failureOf(*sum, cycleErr)
			m.health.Deadline = m.deadline(c.End)
		}
	}
	snap, err := m.snapshot(store)
	if err != nil {
		m.log.Warn("refresh the status served over HTTP", "err", err)
		snap = m.srv.Snapshot() // the last good one, with the new health
	} else {
		m.metrics.SetStatus(snap.Status)
	}
	snap.Health = m.health
	m.srv.Update(snap)
	if m.cfg.MetricsFile != "" {
		if err := m.metrics.WriteFile(m.cfg.MetricsFile); err != nil {
			m.log.Warn("write metrics file", "err", err)
		}
	}
}

// snapshot reads the status table and the recent matches.
func (m *monitor) snapshot(store watch.Store) (serve.Snapshot, error) {
	sinks, err := watch.SinkNames(m.cfg)
	if err != nil {
		return serve.Snapshot{}, err
	}
	st, err := statusOf(m.cfg.Sources, sinks, store, m.now())
	if err != nil {
		return serve.Snapshot{}, err
	}
	recent, err := store.Recent()
	if err != nil {
		return serve.Snapshot{}, err
	}
	snap := serve.Snapshot{Status: st, Recent: map[string][]serve.Match{}}
	for _, t := range m.cfg.Topics {
		snap.Topics = append(snap.Topics, serve.Topic{ID: t.ID, Title: t.Title})
		for _, r := range recent[t.ID] {
			snap.Recent[t.ID] = append(snap.Recent[t.ID], serve.Match{Topic: r.Topic, Key: r.Key, Title: r.Title,
				URL: r.URL, Source: r.Source, Published: r.Published, Snippet: r.Snippet, Matched: r.Matched})
		}
	}
	return snap, nil
}

// deadline is when a cycle should have ended if the last one ended at t:
// two ticks of the schedule later, plus the crawl's budget (fetch.budget,
// or the gap between those ticks). Past it, /healthz reports the daemon
// stuck.
func (m *monitor) deadline(t time.Time) time.Time {
	sched, err := cron.ParseStandard(m.cfg.Schedule)
	if err != nil {
		return time.Time{} // config loading has ruled this out
	}
	t = t.In(m.cfg.Location)
	first := sched.Next(t)
	second := sched.Next(first)
	if first.IsZero() || second.IsZero() {
		return time.Time{}
	}
	budget := m.cfg.Fetch.Budget
	if budget == 0 {
		budget = second.Sub(first)
	}
	return second.Add(budget)
}

// failureOf says why a cycle failed, as `watcher --once` would exit 1 for
// it, or "" when it did not.
func failureOf(sum watch.Summary, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case sum.OK == 0 && sum.Failed > 0:
		return fmt.Sprintf("every source failed (%d)", sum.Failed)
	}
	return ""
}

// cycleOf maps a cycle's summary onto what the metrics count.
func cycleOf(sum watch.Summary, err error, interrupted bool, end time.Time) serve.Cycle {
	c := serve.Cycle{
		Result: "ok", End: end, Duration: sum.Duration,
		NewBySource: sum.NewBySource, MatchedByTopic: sum.MatchedByTopic,
		Sources: map[string]int{
			"ok": sum.OK - sum.NotModified, "failing": sum.Failed, "backed_off": sum.BackedOff,
			"not_modified": sum.NotModified, "not_due": sum.NotDue, "not_reached": sum.NotReached,
		},
	}
	switch {
	case err != nil && interrupted:
		c.Result = "interrupted"
	case failureOf(sum, err) != "":
		c.Result = "failed"
	}
	for _, f := range sum.Failures {
		c.Failures = append(c.Failures, serve.Failure{Source: f.Source, Cause: f.Cause})
	}
	for _, d := range sum.Deliveries {
		c.Deliveries = append(c.Deliveries, serve.Delivery{Sink: d.Sink, Outcome: d.Outcome})
	}
	return c
}

// listen binds http.listen and serves the monitor's snapshot on it until
// ctx ends; wait returns once the listener has shut down.
func (m *monitor) listen(ctx context.Context) (wait func(), err error) {
	if m.cfg.HTTP.Listen == "" {
		return func() {}, nil
	}
	ln, err := serve.Listen(m.cfg.HTTP.Listen)
	if err != nil {
		return nil, err
	}
	m.log.Info("http listening", "addr", ln.Addr().String())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.srv.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
			m.log.Error("http listener stopped", "err", err)
		}
	}()
	return func() { <-done }, nil
}

func sourceNames(cfg *config.Config) []string {
	out := make([]string, len(cfg.Sources))
	for i, s := range cfg.Sources {
		out[i] = s.Name
	}
	return out
}

func topicIDs(cfg *config.Config) []string {
	out := make([]string, len(cfg.Topics))
	for i, t := range cfg.Topics {
		out[i] = t.ID
	}
	return out
}
