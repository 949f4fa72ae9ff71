package main

import (
	"log/slog"
	"testing"

	"github.com/watcher-news/watcher/config"
)

// TestMonitorSeriesOnlyWhenRead: the series of every source and topic are
// made at zero when something reads them (the listener, the metrics
// file), and not otherwise: a 20,000-source configuration spent 6 MB of
// its live heap on series nobody would read.
func TestMonitorSeriesOnlyWhenRead(t *testing.T) {
	t.Parallel()
	series := func(cfg *config.Config) int {
		m := newMonitor(cfg, slog.New(slog.DiscardHandler))
		families, err := m.metrics.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range families {
			if f.GetName() == "watcher_items_new_total" || f.GetName() == "watcher_items_matched_total" {
				n += len(f.GetMetric())
			}
		}
		return n
	}
	base := func() *config.Config {
		return &config.Config{
			Sources: []config.Source{{Name: "apa"}, {Name: "tass"}},
			Topics:  []config.Topic{{ID: "azal"}},
		}
	}
	unread := base()
	listened := base()
	listened.HTTP.Listen = "127.0.0.1:0"
	filed := base()
	filed.MetricsFile = "watcher.prom"
	if n := series(unread); n != 0 {
		t.Errorf("no listener, no metrics file: %d series made, want none", n)
	}
	if n := series(listened); n != 3 {
		t.Errorf("with a listener: %d series made, want 3 (two sources, one topic)", n)
	}
	if n := series(filed); n != 3 {
		t.Errorf("with a metrics file: %d series made, want 3 (two sources, one topic)", n)
	}
}
