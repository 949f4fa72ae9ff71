package serve

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Cycle is what one cycle did, as the metrics count it.
type Cycle struct {
	// Result is "ok", "failed" (what makes `watcher --once` exit 1) or
	// "interrupted" (cut short by the stop signal).
	Result   string
	End      time.Time
	Duration time.Duration
	// Sources counts the configured sources by what the cycle did with
	// them: one of SourceStates each.
	Sources        map[string]int
	Failures       []Failure
	NewBySource    map[string]int
	MatchedByTopic map[string]int
	Deliveries     []Delivery
}

// Failure is one source that failed a cycle, and why, as one of a short
// fixed list of causes.
type Failure struct{ Source, Cause string }

// Delivery is one attempt at sending a digest to a sink: "sent", "failed"
// (kept for a retry) or "parked" (given up).
type Delivery struct{ Sink, Outcome string }

// SourceStates are the values of the state label of watcher_sources.
var SourceStates = []string{"ok", "failing", "backed_off", "not_modified", "not_due", "not_reached"}

// Metrics are the watcher's own Prometheus metrics, in a registry of
// their own (the HTTP listener adds the Go and process collectors; the
// metrics file leaves them out, as node_exporter has its own).
type Metrics struct {
	reg         *prometheus.Registry
	cycles      *prometheus.CounterVec
	duration    prometheus.Histogram
	lastSuccess prometheus.Gauge
	sources     *prometheus.GaugeVec
	failures    *prometheus.CounterVec
	itemsNew    *prometheus.CounterVec
	matched     *prometheus.CounterVec
	deliveries  *prometheus.CounterVec
	digests     *prometheus.GaugeVec
	srcSuccess  *prometheus.GaugeVec
	srcFailures *prometheus.GaugeVec
}

// NewMetrics registers the watcher's metrics in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		cycles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watcher_cycles_total", Help: "Cycles run, by result: ok, failed or interrupted.",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "watcher_cycle_duration_seconds", Help: "How long each completed cycle took, crawl to delivery.",
			// From a second (a few feeds) to half an hour (the shipped schedule).
			Buckets: []float64{1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800},
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "watcher_last_success_timestamp_seconds", Help: "When the last cycle that ended ok ended, as a Unix time.",
		}),
		sources: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "watcher_sources", Help: "Configured sources by what the last cycle did with them.",
		}, []string{"state"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watcher_fetch_failures_total", Help: "Failed reads of a source, by source and cause.",
		}, []string{"source", "cause"}),
		itemsNew: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watcher_items_new_total", Help: "Items not seen before, by source.",
		}, []string{"source"}),
		matched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watcher_items_matched_total", Help: "New items that matched a topic, by topic.",
		}, []string{"topic"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watcher_deliveries_total", Help: "Digest deliveries by sink and outcome: sent, failed (retried later) or parked.",
		}, []string{"sink", "outcome"}),
		digests: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "watcher_digests", Help: "Digests in the state waiting for a sink that may take them now (pending), only for sinks' digest schedules (held), or given up by a sink (parked).",
		}, []string{"state"}),
		srcSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "watcher_source_last_success_timestamp_seconds", Help: "When each source was last read well, as a Unix time.",
		}, []string{"source"}),
		srcFailures: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "watcher_source_consecutive_failures", Help: "Failed reads in a row of each source (0 once it is read well).",
		}, []string{"source"}),
	}
	m.reg.MustRegister(m.cycles, m.duration, m.lastSuccess, m.sources, m.failures,
		m.itemsNew, m.matched, m.deliveries, m.digests, m.srcSuccess, m.srcFailures)
	for _, r := range []string{"ok", "failed", "interrupted"} {
		m.cycles.WithLabelValues(r)
	}
	for _, s := range SourceStates {
		m.sources.WithLabelValues(s)
	}
	for _, s := range []string{"pending", "held", "parked"} {
		m.digests.WithLabelValues(s)
	}
	return m
}

// Registry is where the metrics are registered.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Known creates the series of every configured source, topic and sink at
// zero, so that a rate over them exists before their first event.
func (m *Metrics) Known(sources, topics, sinks []string) {
	for _, s := range sources {
		m.itemsNew.WithLabelValues(s)
	}
	for _, t := range topics {
		m.matched.WithLabelValues(t)
	}
	for _, s := range sinks {
		for _, o := range []string{"sent", "failed", "parked"} {
			m.deliveries.WithLabelValues(s, o)
		}
	}
}

// ObserveCycle counts one cycle.
func (m *Metrics) ObserveCycle(c Cycle) {
	m.cycles.WithLabelValues(c.Result).Inc()
	if c.Result == "interrupted" {
		return // its counts are partial; the next cycle redoes the work
	}
	m.duration.Observe(c.Duration.Seconds())
	if c.Result == "ok" {
		m.lastSuccess.Set(float64(c.End.UnixNano()) / 1e9)
	}
	for _, s := range SourceStates {
		m.sources.WithLabelValues(s).Set(float64(c.Sources[s]))
	}
	for _, f := range c.Failures {
		m.failures.WithLabelValues(f.Source, f.Cause).Inc()
	}
	for s, n := range c.NewBySource {
		m.itemsNew.WithLabelValues(s).Add(float64(n))
	}
	for t, n := range c.MatchedByTopic {
		m.matched.WithLabelValues(t).Add(float64(n))
	}
	for _, d := range c.Deliveries {
		m.deliveries.WithLabelValues(d.Sink, d.Outcome).Inc()
	}
}

// SetStatus sets the gauges read from the state file: digests waiting or
// parked, and each source's last success and failures in a row. Sources
// no longer in the status lose their series.
func (m *Metrics) SetStatus(st Status) {
	m.digests.WithLabelValues("pending").Set(float64(st.State.Pending))
	m.digests.WithLabelValues("held").Set(float64(st.State.Held))
	m.digests.WithLabelValues("parked").Set(float64(st.State.Parked))
	m.srcSuccess.Reset()
	m.srcFailures.Reset()
	for _, s := range st.Sources {
		if !s.LastSuccess.IsZero() {
			m.srcSuccess.WithLabelValues(s.Name).Set(float64(s.LastSuccess.UnixNano()) / 1e9)
		}
		m.srcFailures.WithLabelValues(s.Name).Set(float64(s.Failures))
	}
}

// WriteFile writes the metrics in the Prometheus text format to path, for
// node_exporter's textfile collector: to a temporary file beside it, then
// renamed over it, so the collector never reads half a file.
func (m *Metrics) WriteFile(path string) error {
	if err := prometheus.WriteToTextfile(path, m.reg); err != nil {
		return fmt.Errorf("write metrics file %s: %w", path, err)
	}
	return nil
}
