package watch

import (
	"hash"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/state"
)

// healthReport is what a digest says about one source's health.
type healthReport struct {
	recovered bool
	alert.SourceHealth
}

// digestHealth is every source a cycle's digest names for its health, in
// configuration order.
type digestHealth struct {
	failing, recovered []alert.SourceHealth
}

// noteHealth decides whether this cycle's digest names o's source: as
// failing, once it has failed for longer than health.report_after (backed
// off or not), and as recovered, once it answers again after being named.
// Either way the source's state records it with the digest, so each is
// said once, across restarts. It also keeps FailingSince: set by the
// first failure of a run, cleared by a success.
func (w *Watcher) noteHealth(o *sourceOutcome) {
	if o.interrupted || o.notDue {
		return
	}
	now := w.now()
	if o.skip {
		// Backed off: its state is written this cycle only if the
		// digest names it (commit skips it otherwise).
		o.next = o.prev
	}
	switch {
	case o.failed && o.next.Failures == 0:
		return // the state file failed, not the source
	case o.next.Failures > 0:
		if o.next.FailingSince.IsZero() {
			// The first failure of a run; for a file from before this
			// was recorded, the last success is the best bound.
			o.next.FailingSince = o.prev.LastSuccess
			if o.next.FailingSince.IsZero() || o.prev.Failures == 0 {
				o.next.FailingSince = now
			}
		}
		if !w.failingTooLong(o.next, now) {
			return
		}
		o.next.HealthReported = true
		next := o.next.NextAttempt
		if next.IsZero() || next.Before(now) {
			next = w.nextCycle(now)
		}
		o.health = &healthReport{SourceHealth: alert.SourceHealth{
			Name: o.src.Name, Since: o.next.FailingSince.UTC(), Error: o.next.LastError, NextAttempt: next.UTC(),
		}}
		w.log.Warn("source failing for longer than health.report_after: named in this cycle's digest",
			"source", o.src.Name, "since", o.next.FailingSince, "err", o.next.LastError)
	case o.notReached:
		return
	default:
		if o.prev.HealthReported {
			o.health = &healthReport{recovered: true, SourceHealth: alert.SourceHealth{
				Name: o.src.Name, Since: o.prev.FailingSince.UTC(), Recovered: now.UTC(), FailedFor: now.Sub(o.prev.FailingSince),
			}}
			w.log.Info("source recovered: named in this cycle's digest", "source", o.src.Name,
				"failed_for", now.Sub(o.prev.FailingSince).Round(time.Second))
		}
		o.next.FailingSince, o.next.HealthReported = time.Time{}, false
	}
}

// failingTooLong reports whether a source in state s is failing, has not
// been named for it yet, and has failed for health.report_after or more.
func (w *Watcher) failingTooLong(s state.Source, now time.Time) bool {
	return s.Failures > 0 && !s.HealthReported && !s.FailingSince.IsZero() && now.Sub(s.FailingSince) >= w.cfg.Health.ReportAfter
}

// nextCycle is when the schedule runs next after now: the next attempt of
// a source that is not backed off.
func (w *Watcher) nextCycle(now time.Time) time.Time {
	sched, err := cron.ParseStandard(w.cfg.Schedule)
	if err != nil {
		return now
	}
	if w.cfg.Location != nil {
		now = now.In(w.cfg.Location)
	}
	return sched.Next(now)
}

// healthReports gathers the outcomes' reports, or nil when there are none.
func healthReports(outcomes []*sourceOutcome) *digestHealth {
	var dh digestHealth
	for _, o := range outcomes {
		switch {
		case o.health == nil:
		case o.health.recovered:
			dh.recovered = append(dh.recovered, o.health.SourceHealth)
		default:
			dh.failing = append(dh.failing, o.health.SourceHealth)
		}
	}
	if len(dh.failing)+len(dh.recovered) == 0 {
		return nil
	}
	return &dh
}

// hash adds the reports to a digest's id.
func (dh *digestHealth) hash(h hash.Hash) {
	if dh == nil {
		return
	}
	for _, s := range dh.failing {
		h.Write([]byte("failing\x00" + s.Name + "\x00"))
	}
	for _, s := range dh.recovered {
		h.Write([]byte("recovered\x00" + s.Name + "\x00"))
	}
}

// addTo puts the reports in d.
func (dh *digestHealth) addTo(d *alert.Digest) {
	if dh == nil {
		return
	}
	d.SourcesFailing, d.SourcesRecovered = dh.failing, dh.recovered
}
