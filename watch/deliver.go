package watch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/story"
)

// commit writes everything the crawl learnt: the sources' new validators
// and health, the keys now seen, and the digest of what matched. The store
// writes a large cycle (a cold one over many sources) in bounded
// transactions, each source's state and keys together; the digest goes in
// one transaction with the keys of every source whose items it holds, so a
// crash can neither lose a matched item (seen, in no digest) nor send it
// twice. A crash between transactions leaves some sources as they were;
// the next cycle reads them again.
//
// seq numbers the digests of one cycle (see commitChunks): each is made a
// nanosecond after the one before, so that their stories, keyed by time,
// stay apart however fast a clock moves; s, when not nil, numbers them
// for each sink (see series).
func (w *Watcher) commit(outcomes []*sourceOutcome, hits []matched, seq int, s *series) error {
	b := state.Batch{Sources: map[string]state.Source{}, Seen: map[string][]string{}, Touched: map[string][]string{},
		Archive: map[string][]state.Archived{}}
	carried := map[string]bool{}
	for _, o := range outcomes {
		if (o.skip && o.health == nil) || o.interrupted || o.flushed {
			continue
		}
		if !o.part {
			b.Sources[o.src.Name] = o.next
		}
		if len(o.seen) > 0 {
			b.Seen[o.src.Name] = append(b.Seen[o.src.Name], o.seen...)
		}
		if len(o.touched) > 0 {
			b.Touched[o.src.Name] = o.touched
		}
		if len(o.fresh) > 0 {
			b.Archive[o.src.Name] = append(b.Archive[o.src.Name], archiveItems(o.fresh)...)
		}
		if len(o.hits) > 0 || o.health != nil {
			carried[o.src.Name] = true
		}
	}
	health := healthReports(outcomes)
	if len(hits) > 0 || health != nil {
		ds, stories, err := w.digest(hits, health, seq)
		if err != nil {
			return err
		}
		if len(ds) > 0 {
			s.place(ds)
			for _, m := range hits {
				carried[m.item.Source] = true
			}
			b.Digest, b.More, b.Stories = ds[0], ds[1:], stories
			b.DigestSources = slices.Sorted(maps.Keys(carried))
		} else {
			// Every sink has topics: and none takes these.
			w.log.Info("matched items go to no sink: no sink's topics take them", "items", len(hits))
		}
		b.Recent = recentMatches(hits)
	}
	if err := w.store.Commit(b); err != nil {
		return fmt.Errorf("save cycle: %w", err)
	}
	return nil
}

// digest builds the stored digests of this cycle's matches, grouped by
// topic in configuration order, one entry per story (see groupStories),
// with the sources named for their health: one digest, unless sinks with
// a digest schedule split it (see outbox), and the records of the stories
// it sends. Its id is a hash of the time and what it carries; it is
// stored with the digest, so it is the same however often its delivery is
// retried.
func (w *Watcher) digest(hits []matched, health *digestHealth, seq int) ([]*state.Digest, []state.Story, error) {
	reports := make(map[string][]report)
	related := make(map[string][]alert.Entry) // by topic: items the query missed (see follow.go)
	now := w.now().UTC().Add(time.Duration(seq))
	h := sha256.New()
	h.Write([]byte(now.Format(time.RFC3339Nano)))
	for _, m := range hits {
		h.Write([]byte(m.item.Key()))
		p := story.Fingerprint(story.Doc{Source: m.item.Source, Lang: m.item.Lang, Published: m.item.Published,
			Title: m.item.Title, Summary: m.item.Summary, Body: m.item.Body})
		for _, hit := range m.hits {
			reports[hit.Topic] = append(reports[hit.Topic], report{entry: alert.Entry{
				Title:     m.item.Title,
				URL:       m.item.URL,
				Source:    m.item.Source,
				Published: m.item.Published,
				Snippet:   hit.Snippet,
			}, print: p})
		}
		for topic, rel := range m.related {
			related[topic] = append(related[topic], alert.Entry{
				Title:     m.item.Title,
				URL:       m.item.URL,
				Source:    m.item.Source,
				Published: m.item.Published,
				Snippet:   relatedSnippet(m.item),
				Related:   relatedEntry(rel),
			})
		}
	}
	health.hash(h)
	topics := make([]string, len(w.cfg.Topics))
	for i, t := range w.cfg.Topics {
		topics[i] = t.ID
	}
	sent, counted := w.sentStories(now)
	groups, stories := groupStories(w.log, reports, topics, sent, counted, w.sinksByTopic())
	// Related items are entries of their own, after the topic's matches:
	// each is explained by the matches it resembles, not grouped with them.
	for topic, es := range related {
		groups[topic] = append(groups[topic], es...)
	}
	// The id starts with the time in milliseconds, so digests are stored
	// in the order they are made: a new one goes at the end of the state
	// file's B-tree, beside the last, and neither it nor a delivery
	// rewrites (and reads back into memory) older digests that happen to
	// share its page, as random ids made every cycle do.
	d := alert.Digest{ID: fmt.Sprintf("%012x", uint64(max(now.UnixMilli(), 0))) + hex.EncodeToString(h.Sum(nil)[:6]), Created: now}
	for _, t := range w.cfg.Topics {
		if items := groups[t.ID]; len(items) > 0 {
			d.Topics = append(d.Topics, alert.Topic{ID: t.ID, Title: t.Title, Items: items})
		}
	}
	// A story of a topic no sink takes is sent nowhere: it is not kept
	// as sent, so a later report of it, once a sink takes the topic, is
	// not an addition to a story its reader never had.
	kept := stories[:0]
	for _, st := range stories {
		var r storyRecord
		if json.Unmarshal(st.Data, &r) == nil && !w.takes(r.Topic) {
			continue
		}
		st.Created = now
		kept = append(kept, st)
	}
	stories = kept
	health.addTo(&d)
	ds, err := w.outbox(d.Sorted())
	if err != nil {
		return nil, nil, err
	}
	return ds, stories, nil
}

// sinksByTopic names, for each topic, the sinks that take it.
func (w *Watcher) sinksByTopic() map[string][]string {
	out := make(map[string][]string, len(w.cfg.Topics))
	for _, t := range w.cfg.Topics {
		for _, s := range w.sinks {
			if w.sinkTakes(s.Name(), t.ID) {
				out[t.ID] = append(out[t.ID], s.Name())
			}
		}
	}
	return out
}

// takes reports whether some sink takes topic.
func (w *Watcher) takes(topic string) bool {
	for _, s := range w.sinks {
		if w.sinkTakes(s.Name(), topic) {
			return true
		}
	}
	return len(w.sinks) == 0
}

// sinkTakes reports whether the sink named sink takes topic (its topics:;
// none: every topic).
func (w *Watcher) sinkTakes(sink, topic string) bool {
	route := w.routes[sink]
	return len(route) == 0 || slices.Contains(route, topic)
}

// deliver sends every pending digest, oldest first, to every sink that has
// not accepted it yet and is due. A failing sink is retried on later cycles
// with the same digest id, and parked (reported loudly, kept in the state
// file) after the configured number of attempts. One digest that keeps
// failing does not hold back later ones.
func (w *Watcher) deliver(ctx context.Context, sum *Summary) error {
	pending, err := w.store.Pending()
	if err != nil {
		return fmt.Errorf("read pending digests: %w", err)
	}
	var errs []error
	// Every digest waiting for a sink that is gone is rerouted first,
	// before any is gathered or sent, all against the digests as stored
	// before (see reroute): so a shutdown while sending cannot leave a
	// crawl's digests half rerouted, and a renamed sink's held digests
	// are gathered under its new name in this cycle.
	var stored []state.Digest
	storedOnce := func() ([]state.Digest, error) {
		if stored == nil {
			all, err := w.store.Digests()
			if err != nil {
				return nil, fmt.Errorf("read stored digests: %w", err)
			}
			stored = all
		}
		return stored, nil
	}
	ready := pending[:0]
	for _, pd := range pending {
		pd, err := w.reroute(pd, storedOnce)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ready = append(ready, pd)
	}
	gathered, err := w.release(ready)
	if err != nil {
		errs = append(errs, err)
	}
	if gathered {
		if ready, err = w.store.Pending(); err != nil {
			return fmt.Errorf("read pending digests: %w", err)
		}
	}
	for _, pd := range ready {
		if ctx.Err() != nil {
			break // shutting down: the rest stays pending as it is
		}
		var d alert.Digest
		if err := json.Unmarshal(pd.Payload, &d); err != nil {
			errs = append(errs, w.parkUnreadable(pd, err, sum))
			continue
		}
		for _, s := range w.sinks {
			del, ok := pd.Sinks[s.Name()]
			if !ok || del.Delivered || del.Parked || del.Held || w.now().Before(del.NextAttempt) {
				continue // held: waits for the sink's schedule (release)
			}
			if len(pd.Merged) > 0 && w.policies[s.Name()].quietNow(w.now()) {
				continue // a retry of a scheduled digest waits out quiet hours
			}
			rd := routed(d, w.routes[s.Name()])
			if del.Parts > 0 {
				// Partly sent: the rest goes out as the digest was cut. A
				// route changed since (a reload) would cut it anew, and
				// the parts already accepted would no longer count parts
				// of it: items of the topics it still takes would be
				// skipped. The stored digest is what was cut: the outbox
				// stores a sink's digests with its topics only.
				rd = d
			}
			rd = rd.For(s.Name())
			rd.Series = alert.Series{N: del.SeriesN, Of: del.SeriesOf}
			if rd.Count() == 0 && len(rd.SourcesFailing) == 0 && len(rd.SourcesRecovered) == 0 {
				// Stored for this sink before its topics changed; nothing
				// in it is for the sink now.
				w.skipRouted(pd.ID, s.Name())
				continue
			}
			if err := w.send(ctx, s, rd, del, sum); err != nil {
				errs = append(errs, err)
			}
		}
		w.warnUnknownSinks(pd)
	}
	w.remindParked()
	return errors.Join(errs...)
}

// remindParked logs, every cycle, that digests were given up on, so an
// operator who missed the error when they were parked still sees them.
func (w *Watcher) remindParked() {
	parked, err := w.store.Parked()
	if err != nil {
		w.log.Warn("list parked digests", "err", err)
		return
	}
	if len(parked) > 0 {
		w.log.Warn("parked digests wait for an operator (see watcher status)",
			"digests", len(parked), "oldest", parked[0].ID, "created", parked[0].Created)
	}
}

// send delivers one digest to one sink and records the outcome.
func (w *Watcher) send(ctx context.Context, s alert.Notifier, d alert.Digest, del *state.Delivery, sum *Summary) error {
	if w.mayStillSend != nil {
		if err := w.mayStillSend(ctx); err != nil {
			// Not the sink's fault, and no attempt: the digest stays
			// pending with its id for whoever may send now.
			return fmt.Errorf("digest %s to %s not sent: %w", d.ID, s.Name(), err)
		}
	}
	sctx, cancel := context.WithTimeoutCause(ctx, w.cfg.Delivery.Timeout,
		fmt.Errorf("%s: timeout after %s", s.Name(), w.cfg.Delivery.Timeout))
	err := w.sendTo(sctx, s, d, del)
	cancel()
	if err != nil && ctx.Err() != nil {
		// Shutdown, not the sink's fault: no attempt is counted, and the
		// digest stays pending with its id for the next run.
		w.log.Warn("digest delivery interrupted, will retry", "sink", s.Name(), "digest", d.ID, "err", err)
		return fmt.Errorf("digest %s: %w", d.ID, err)
	}
	attempts := w.cfg.Delivery.MaxAttempts
	if err != nil && !alert.Retryable(err) {
		attempts = del.Attempts + 1 // a permanent refusal parks at once
	}
	// The sink's own Retry-After, when it gave one, wins over our backoff
	// if it asks for longer.
	next := w.now().Add(max(deliveryBackoff(del.Attempts+1), alert.RetryAfter(err)))
	parked, rerr := w.store.RecordDelivery(d.ID, s.Name(), err, next, attempts)
	if rerr != nil {
		return fmt.Errorf("digest %s: record delivery to %s: %w", d.ID, s.Name(), rerr)
	}
	switch {
	case err == nil:
		sum.Sent++
		sum.Deliveries = append(sum.Deliveries, DeliveryOutcome{Sink: s.Name(), Outcome: DeliverySent})
		w.log.Info("digest sent", "sink", s.Name(), "digest", d.ID, "items", d.Count(), "reports", d.Reports())
		return nil
	case parked:
		sum.Parked++
		sum.Deliveries = append(sum.Deliveries, DeliveryOutcome{Sink: s.Name(), Outcome: DeliveryParked})
		w.log.Error("digest parked: delivery given up, kept in state", "sink", s.Name(), "digest", d.ID,
			"items", d.Count(), "attempts", del.Attempts+1, "err", err)
	default:
		sum.SendFailed++
		sum.Deliveries = append(sum.Deliveries, DeliveryOutcome{Sink: s.Name(), Outcome: DeliveryFailed})
		w.log.Warn("digest not delivered, will retry", "sink", s.Name(), "digest", d.ID, "next_attempt", next, "err", err)
	}
	return fmt.Errorf("digest %s: %w", d.ID, err)
}

// parkUnreadable parks, for every sink still waiting, a stored digest
// whose payload cannot be decoded (only a damaged state file does that):
// retrying cannot help, and it must not fail every run from now on. It
// stays in the file, shown by `watcher status`, and is logged loudly.
func (w *Watcher) parkUnreadable(pd state.Digest, cause error, sum *Summary) error {
	err := fmt.Errorf("digest %s: stored payload unreadable: %w", pd.ID, cause)
	for name, del := range pd.Sinks {
		if del.Delivered || del.Parked {
			continue
		}
		if _, rerr := w.store.RecordDelivery(pd.ID, name, err, time.Time{}, del.Attempts+1); rerr != nil {
			return errors.Join(err, fmt.Errorf("digest %s: park: %w", pd.ID, rerr))
		}
		sum.Parked++
		sum.Deliveries = append(sum.Deliveries, DeliveryOutcome{Sink: name, Outcome: DeliveryParked})
		w.log.Error("digest parked: stored payload unreadable", "sink", name, "digest", pd.ID, "err", cause)
	}
	return err
}

// warnUnknownSinks logs sinks a pending digest waits for that are no longer
// configured, so a digest stuck after a configuration change is visible.
func (w *Watcher) warnUnknownSinks(pd state.Digest) {
	for name, del := range pd.Sinks {
		if del.Delivered || del.Parked {
			continue
		}
		if !slices.ContainsFunc(w.sinks, func(s alert.Notifier) bool { return s.Name() == name }) {
			w.log.Warn("pending digest waits for a sink that is no longer configured", "digest", pd.ID, "sink", name)
		}
	}
}

// deliveryBackoff is the pause before the next attempt at a failed
// delivery: the next cycle for the first retries, then doubling to a day.
func deliveryBackoff(attempt int) time.Duration {
	if attempt <= 2 {
		return 0
	}
	return min(time.Minute<<min(attempt-2, 20), 24*time.Hour)
}

// prune forgets seen items and delivered digests older than the retention.
//
// It runs at most every tenth of the retention, and at most daily: it
// walks every seen key, and forgetting a key a day late costs nothing
// (Touched keeps the keys a feed still lists).
func (w *Watcher) prune() {
	every := min(w.cfg.Retention/10, 24*time.Hour)
	_, seen, digests, err := w.store.PruneEvery(w.now().Add(-w.cfg.Retention), every)
	if err != nil {
		w.log.Warn("prune state", "err", err)
		return
	}
	if seen+digests > 0 {
		w.log.Info("state pruned", "seen", seen, "digests", digests)
	}
}
