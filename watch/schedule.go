package watch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/state"
)

// policy is when one sink's digests go out, from its digest key (or the
// top-level one). A sink without one (nil) gets a digest per crawl.
//
// The matches a sink has not had yet live in the state file, never in
// memory: each crawl's digest is stored with the sink's delivery "held",
// and when the sink is due (release) its held digests are gathered into
// one, stored in the same transaction that marks them gathered, and sent
// like any digest, with its id, retries and parking. So a restart, a
// --once run or a crash anywhere between loses nothing and sends nothing
// twice.
type policy struct {
	sched     cron.Schedule // nil: every crawl (quiet hours only)
	immediate map[string]bool
	quiet     *config.QuietHours
	loc       *time.Location
}

// newPolicy maps a configured digest policy; nil for one that changes
// nothing (no schedule and no quiet hours: immediate means nothing there).
func newPolicy(cfg *config.Config, p *config.DigestPolicy) (*policy, error) {
	if p == nil || (p.Schedule == "" && p.QuietHours == nil) {
		return nil, nil
	}
	pol := &policy{quiet: p.QuietHours, loc: cfg.Location, immediate: map[string]bool{}}
	for _, id := range p.Immediate {
		pol.immediate[id] = true
	}
	if p.Schedule != "" {
		s, err := cron.ParseStandard(p.Schedule)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: digest.schedule: %w", cfg.File, p.Line, err)
		}
		pol.sched = s
	}
	return pol, nil
}

// due reports whether a sink whose oldest held digest was made at oldest
// may be sent its gathered digest now: the schedule has had a time since
// then (every crawl, without a schedule), and now is outside quiet hours.
// A schedule time that falls in quiet hours waits for their end.
func (p *policy) due(oldest, now time.Time) bool {
	if p == nil {
		return true // no schedule (any more): at once
	}
	if p.quietNow(now) {
		return false
	}
	if p.sched == nil {
		return true
	}
	if p.loc != nil {
		oldest = oldest.In(p.loc)
	}
	return !now.Before(p.sched.Next(oldest))
}

// quietNow reports whether now is in the sink's quiet hours.
func (p *policy) quietNow(now time.Time) bool {
	return p != nil && p.quiet.Contains(now, p.loc)
}

// sinkSetup is what the configuration says about one sink beyond its
// address: its policy and its templates.
func sinkSetup(cfg *config.Config, sp config.SinkPolicy, log *slog.Logger) (*policy, *alert.Templates, error) {
	dp, tp := cfg.PolicyFor(sp)
	pol, err := newPolicy(cfg, dp)
	if err != nil {
		return nil, nil, err
	}
	if tp == nil {
		return pol, nil, nil
	}
	t, err := alert.ParseTemplates(tp.Text, tp.HTML, log)
	if err != nil {
		return nil, nil, fmt.Errorf("%s:%d: templates: %w", cfg.File, tp.Line, err)
	}
	return pol, t, nil
}

// outbox turns a cycle's digest into the digests to store: for a sink
// without a policy all of d, sent at once; for one with a policy, its
// immediate topics sent at once and the rest held. Sinks that get the
// same topics share one stored digest; the one with every topic keeps
// d's id. The first digest returned is the one with every topic, if any
// sink gets it.
//
// The sources named for their health go to every sink once: with what it
// gets at once, or else with what it holds (its next digest), or else
// alone, held when the sink has a schedule.
func (w *Watcher) outbox(d alert.Digest) ([]*state.Digest, error) {
	all := make([]string, len(d.Topics))
	for i, t := range d.Topics {
		all[i] = t.ID
	}
	health := len(d.SourcesFailing) > 0 || len(d.SourcesRecovered) > 0
	parts := w.routeParts(all, health)
	out := make([]*state.Digest, 0, len(parts))
	for _, p := range parts {
		sub := d
		if len(p.topics) < len(all) || p.health != health {
			sub = subDigest(d, p.topics, p.health)
		}
		payload, err := json.Marshal(sub)
		if err != nil {
			return nil, fmt.Errorf("encode digest %s: %w", sub.ID, err)
		}
		out = append(out, &state.Digest{ID: sub.ID, Created: d.Created, Payload: payload, Sinks: p.sinks})
	}
	return out, nil
}

// routePart is one digest outbox stores: its topics, whether it names
// sources for their health, and the sinks that get it.
type routePart struct {
	topics []string
	health bool
	sinks  map[string]*state.Delivery
}

// routeParts decides, for a digest of the topics all (in configuration
// order) with or without health reports, which digests outbox stores and
// for which sinks (see outbox): the one with every topic first, if any
// sink gets it.
func (w *Watcher) routeParts(all []string, health bool) []*routePart {
	var parts []*routePart
	byKey := map[string]*routePart{}
	add := func(topics []string, health bool, sink string, held bool) {
		if len(topics) == 0 && !health {
			return
		}
		k := fmt.Sprint(health, topics)
		p := byKey[k]
		if p == nil {
			p = &routePart{topics: topics, health: health, sinks: map[string]*state.Delivery{}}
			byKey[k] = p
			parts = append(parts, p)
		}
		p.sinks[sink] = &state.Delivery{Held: held}
	}
	for _, s := range w.sinks {
		// Only the topics the sink takes (topics:; none: all of them).
		mine := all
		if route := w.routes[s.Name()]; len(route) > 0 {
			mine = nil
			for _, id := range all {
				if slices.Contains(route, id) {
					mine = append(mine, id)
				}
			}
		}
		pol := w.policies[s.Name()]
		if pol == nil {
			add(mine, health, s.Name(), false)
			continue
		}
		var now, later []string
		for _, id := range mine {
			if pol.immediate[id] {
				now = append(now, id)
			} else {
				later = append(later, id)
			}
		}
		add(now, health && len(now) > 0, s.Name(), false)
		add(later, health && len(now) == 0, s.Name(), true)
	}
	slices.SortStableFunc(parts, func(a, b *routePart) int { return len(b.topics) - len(a.topics) })
	return parts
}

// subDigest is d with only the given topics, and its health reports or
// none, under an id of its own.
func subDigest(d alert.Digest, topics []string, health bool) alert.Digest {
	key := append([]string{d.ID}, topics...)
	if !health {
		key = append(key, "-health")
	}
	sub := alert.Digest{ID: derivedID(d.Created, key), Created: d.Created}
	if health {
		sub.SourcesFailing, sub.SourcesRecovered = d.SourcesFailing, d.SourcesRecovered
	}
	for _, t := range d.Topics {
		if slices.Contains(topics, t.ID) {
			sub.Topics = append(sub.Topics, t)
		}
	}
	return sub
}

// derivedID is a digest id made from a time and the parts it stands for:
// time-ordered like the crawl's ids, and the same however often it is made
// from the same parts.
func derivedID(t time.Time, parts []string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%012x", uint64(max(t.UnixMilli(), 0))) + hex.EncodeToString(h.Sum(nil)[:6])
}

// release gathers, for every sink with a policy that is due, its held
// digests into one stored digest, which the delivery loop then sends.
// A sink that has held digests but no policy any more (its digest key was
// removed) gets them at once, so a configuration change strands nothing.
// It reports whether anything was gathered (the pending list changed).
func (w *Watcher) release(pending []state.Digest) (bool, error) {
	changed := false
	var errs []error
	for _, s := range w.sinks {
		pol := w.policies[s.Name()]
		var held []state.Digest
		for _, pd := range pending {
			if del := pd.Sinks[s.Name()]; del != nil && del.Held && !del.Delivered && !del.Parked {
				held = append(held, pd)
			}
		}
		if len(held) == 0 || !pol.due(held[0].Created, w.now()) {
			continue
		}
		if err := w.gather(s.Name(), held); err != nil {
			errs = append(errs, err)
			continue
		}
		changed = true
	}
	if len(errs) > 0 {
		return changed, fmt.Errorf("gather scheduled digests: %w", errors.Join(errs...))
	}
	return changed, nil
}

// gather stores one digest for sink with the items of every held digest,
// topics in configuration order; or, when they hold more items of a topic
// than a message shows (alert.MaxItemsPerTopic), several, each gathering
// consecutive held digests up to that many. A held digest whose content
// cannot be read is left out (the delivery loop parks it, loudly). The
// runs are cut first, so that each digest of several says which it is of
// how many; each run's digests are read again when it is gathered, so
// only one run's contents are held at a time.
func (w *Watcher) gather(sink string, held []state.Digest) error {
	runs := gatherRuns(held)
	for i, run := range runs {
		ids := make([]string, 0, len(run))
		parts := make([]alert.Digest, 0, len(run))
		for _, pd := range run {
			var d alert.Digest
			if err := json.Unmarshal(pd.Payload, &d); err != nil {
				continue // gatherRuns has left these out
			}
			ids = append(ids, pd.ID)
			parts = append(parts, d)
		}
		if err := w.gatherInto(sink, ids, parts, i, len(runs)); err != nil {
			return err // the rest stays held, gathered next cycle
		}
	}
	return nil
}

// gatherRuns cuts the readable held digests into runs of consecutive ones
// that together hold at most alert.MaxItemsPerTopic items of each topic
// (a held digest over it alone is a run of its own).
func gatherRuns(held []state.Digest) [][]state.Digest {
	var runs [][]state.Digest
	var cur []state.Digest
	perTopic := map[string]int{}
	for _, pd := range held {
		var d alert.Digest
		if err := json.Unmarshal(pd.Payload, &d); err != nil {
			continue
		}
		over := false
		for _, t := range d.Topics {
			over = over || perTopic[t.ID]+len(t.Items) > alert.MaxItemsPerTopic
		}
		if over && len(cur) > 0 {
			runs = append(runs, cur)
			cur, perTopic = nil, map[string]int{}
		}
		for _, t := range d.Topics {
			perTopic[t.ID] += len(t.Items)
		}
		cur = append(cur, pd)
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// gatherInto stores one digest for sink with the items of the held
// digests ids, whose contents are parts: the seq-th (from 0) of the of
// digests of one gathering. Each is made a nanosecond after the one
// before, so they are sent in order however fast a clock moves.
func (w *Watcher) gatherInto(sink string, ids []string, parts []alert.Digest, seq, of int) error {
	now := w.now().UTC().Add(time.Duration(seq))
	d := w.mergeDigests(derivedID(now, append([]string{sink}, ids...)), now, parts)
	payload, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode digest %s: %w", d.ID, err)
	}
	del := &state.Delivery{}
	if of > 1 {
		del.SeriesN, del.SeriesOf = seq+1, of
	}
	sd := state.Digest{ID: d.ID, Created: now, Payload: payload, Merged: ids,
		Sinks: map[string]*state.Delivery{sink: del}}
	if err := w.store.Merge(sd, sink); err != nil {
		return err
	}
	w.log.Info("scheduled digest gathered", "sink", sink, "digest", d.ID, "digests", len(ids), "items", d.Count())
	return nil
}

// mergeDigests joins digests into one: each topic once, in configuration
// order (topics no longer configured after them), with the items of all.
func (w *Watcher) mergeDigests(id string, created time.Time, parts []alert.Digest) alert.Digest {
	return MergeDigests(w.cfg, id, created, parts)
}

// MergeDigests joins digests into one, as a scheduled digest gathers the
// crawls' digests and a preview shows what waits: each topic once, in the
// order of cfg's topics (topics no longer configured after them), with the
// items of all.
func MergeDigests(cfg *config.Config, id string, created time.Time, parts []alert.Digest) alert.Digest {
	order := map[string]int{}
	for i, t := range cfg.Topics {
		order[t.ID] = i
	}
	var topics []alert.Topic
	index := map[string]int{}
	for _, p := range parts {
		for _, t := range p.Topics {
			i, ok := index[t.ID]
			if !ok {
				i = len(topics)
				index[t.ID] = i
				topics = append(topics, alert.Topic{ID: t.ID, Title: t.Title})
			}
			topics[i].Items = append(topics[i].Items, t.Items...)
		}
	}
	rank := func(id string) int {
		if r, ok := order[id]; ok {
			return r
		}
		return len(order)
	}
	slices.SortStableFunc(topics, func(a, b alert.Topic) int { return rank(a.ID) - rank(b.ID) })
	for i := range topics {
		topics[i].Items = foldAdditions(topics[i].Items)
	}
	d := alert.Digest{ID: id, Created: created, Topics: topics}
	// Each source's health once, as the latest part tells it: one that
	// failed and has recovered since is named as recovered.
	type told struct {
		h         alert.SourceHealth
		recovered bool
	}
	var names []string
	last := map[string]told{}
	for _, p := range parts {
		for _, list := range []struct {
			hs        []alert.SourceHealth
			recovered bool
		}{{p.SourcesFailing, false}, {p.SourcesRecovered, true}} {
			for _, h := range list.hs {
				if _, ok := last[h.Name]; !ok {
					names = append(names, h.Name)
				}
				last[h.Name] = told{h, list.recovered}
			}
		}
	}
	for _, n := range names {
		if t := last[n]; t.recovered {
			d.SourcesRecovered = append(d.SourcesRecovered, t.h)
		} else {
			d.SourcesFailing = append(d.SourcesFailing, t.h)
		}
	}
	return d.Sorted()
}

// CycleSchedule is when the daemon runs a cycle: at the crawl's schedule,
// and also at every digest schedule's times and at the end of every quiet
// hours, so that a digest goes out at its time even when the crawl has no
// tick then (the cycle is what delivers). A cycle at such a time crawls
// too: a digest made then is as fresh as it can be.
func CycleSchedule(cfg *config.Config) (cron.Schedule, error) {
	specs := []string{cfg.Schedule}
	add := func(p *config.DigestPolicy) {
		if p == nil {
			return
		}
		if p.Schedule != "" {
			specs = append(specs, p.Schedule)
		}
		if q := p.QuietHours; q != nil {
			specs = append(specs, fmt.Sprintf("%d %d * * *", q.ToMinute%60, q.ToMinute/60))
		}
	}
	for _, p := range cfg.DigestPolicies() {
		add(p)
	}
	zone := ""
	if cfg.Location != nil {
		zone = "CRON_TZ=" + cfg.Location.String() + " "
	}
	var u unionSchedule
	for _, spec := range slices.Compact(specs) {
		// The zone goes into each spec: the daemon's scheduler keeps the
		// zone it was made with, and a reload may change it.
		s, err := cron.ParseStandard(zone + spec)
		if err != nil {
			return nil, fmt.Errorf("%s: schedule %q: %w", cfg.File, spec, err)
		}
		u = append(u, s)
	}
	if len(u) == 1 {
		return u[0], nil
	}
	return u, nil
}

// unionSchedule fires at the times of each of its schedules.
type unionSchedule []cron.Schedule

// Next returns the earliest of the schedules' next times.
func (u unionSchedule) Next(t time.Time) time.Time {
	var next time.Time
	for _, s := range u {
		if n := s.Next(t); !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return next
}
