package serve

import (
	"fmt"
	"time"
)

// Health is what /healthz judges by. The daemon updates it after every
// cycle.
type Health struct {
	// Started is when the daemon started.
	Started time.Time
	// Cycles counts the cycles completed since the start (a cycle cut
	// short by the stop signal does not count).
	Cycles int
	// LastEnd is when the last completed cycle ended.
	LastEnd time.Time
	// LastErr is why the last completed cycle failed, or empty: it failed
	// when `watcher --once` would have exited 1 (the state file, a digest
	// not delivered, or no source read at all).
	LastErr string
	// Deadline is when the next cycle should have ended: two ticks of the
	// schedule after the last one (or the start) plus the crawl's
	// budget. Past it, the daemon is stuck or its cycles stopped.
	Deadline time.Time
}

// Check returns whether the daemon is healthy at now and a one-line
// reason. Before the first cycle it is healthy ("starting") until the
// deadline.
func (h Health) Check(now time.Time) (bool, string) {
	switch {
	case !h.Deadline.IsZero() && now.After(h.Deadline) && h.Cycles == 0:
		return false, fmt.Sprintf("no cycle has completed since the start at %s (one was due by %s)", stamp(h.Started), stamp(h.Deadline))
	case !h.Deadline.IsZero() && now.After(h.Deadline):
		return false, fmt.Sprintf("no cycle has completed since %s (one was due by %s)", stamp(h.LastEnd), stamp(h.Deadline))
	case h.Cycles == 0:
		return true, "starting: no cycle has completed yet"
	case h.LastErr != "":
		return false, fmt.Sprintf("the last cycle, ended %s, failed: %s", stamp(h.LastEnd), h.LastErr)
	}
	return true, fmt.Sprintf("ok: the last cycle ended %s", stamp(h.LastEnd))
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
