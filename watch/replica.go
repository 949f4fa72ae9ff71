package watch

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/watcher-news/watcher/pgstate"
)

// Replicas: several watchers on one PostgreSQL state share the work.
// Each cycle a replica claims (leases, for the crawl's budget) the due
// sources no other replica holds, fetches only those, and when done
// keeps the fetched ones until shortly before the next cycle, so no
// replica reads them again in this one; those it did not reach are
// freed at once. Only the replica holding the sender lock delivers;
// the others' digests wait, committed, for its delivery (this cycle's,
// if it has not read the pending digests yet, or its next).

// claimChunk is how many due names a claim passes: the cost of a claim
// grows with the names passed (see ClaimSources). It takes at most a
// wave, as many as the crawl has workers.
const claimChunk = 100

// replica is the store of a Watcher that runs as a replica, or nil.
func (w *Watcher) replica() *PGStore {
	if w.name == "" {
		return nil
	}
	p, _ := w.store.(*PGStore)
	return p
}

// crawlClaimed is a replica's crawl: in waves, it claims as many due
// sources as it has workers (trying the due list chunk by chunk, from a
// place of its own in it, so that replicas starting together mostly try
// different chunks), fetches them, and claims again, until no due source
// is free or the budget is spent. Claiming a wave at a time, rather than
// every due source at once, lets replicas that start later still take a
// share. The sources never claimed are another replica's: not fetched,
// nothing recorded.
func (w *Watcher) crawlClaimed(ctx context.Context, due []*sourceOutcome, fl *flusher) error {
	ttl := w.budget()
	left := slices.Clone(due)
	h := fnv.New32a()
	h.Write([]byte(w.name))
	offset := int(h.Sum32() % 1024)
	for ctx.Err() == nil && len(left) > 0 {
		wave, err := w.claimWave(ctx, left, ttl, offset)
		if err != nil {
			w.releaseLeases(due, time.Time{})
			return err
		}
		if len(wave) == 0 {
			break
		}
		left = slices.DeleteFunc(left, func(o *sourceOutcome) bool { return o.claimed })
		w.crawlWave(ctx, wave, fl)
	}
	for _, o := range left {
		o.elsewhere, o.notDue, o.skip = true, true, true
	}
	return nil
}

// claimWave claims up to a wave of the sources in left: the first chunk
// (from offset on, going round) in which any is free.
func (w *Watcher) claimWave(ctx context.Context, left []*sourceOutcome, ttl time.Duration, offset int) ([]*sourceOutcome, error) {
	chunks := (len(left) + claimChunk - 1) / claimChunk
	for c := range chunks {
		i := (offset + c) % chunks * claimChunk
		part := left[i:min(i+claimChunk, len(left))]
		names := make([]string, len(part))
		for k, o := range part {
			names[k] = o.src.Name
		}
		got, err := w.replica().DB.ClaimSources(ctx, w.name, names, ttl, workers(w.cfg))
		if err != nil {
			return nil, fmt.Errorf("claim sources: %w", err)
		}
		if len(got) == 0 {
			continue
		}
		var wave []*sourceOutcome
		for _, o := range part {
			if _, ok := slices.BinarySearch(got, o.src.Name); ok {
				o.claimed = true
				wave = append(wave, o)
			}
		}
		return wave, nil
	}
	return nil, nil
}

// releaseLeases ends this cycle's leases: the sources fetched (well or not)
// stay off limits until until, the others are free at once.
func (w *Watcher) releaseLeases(outcomes []*sourceOutcome, until time.Time) {
	if w.replica() == nil {
		return
	}
	var fetched, free []string
	for _, o := range outcomes {
		switch {
		case !o.claimed:
		case o.notReached || o.interrupted || until.IsZero():
			free = append(free, o.src.Name)
		default:
			fetched = append(fetched, o.src.Name)
		}
	}
	// Detached from the cycle's cancellation: a stopped cycle still
	// frees what it did not read, for the other replicas.
	ctx, cancel := w.replica().call()
	defer cancel()
	for _, r := range []struct {
		names []string
		until time.Time
	}{{fetched, until}, {free, time.Time{}}} {
		if len(r.names) == 0 {
			continue
		}
		slices.Sort(r.names)
		if err := w.replica().DB.ReleaseSources(ctx, w.name, r.names, r.until); err != nil {
			// The leases run out by themselves at the crawl's budget.
			w.log.Warn("release source leases", "sources", len(r.names), "err", err)
		}
	}
}

// holdUntil is how long a fetched source stays with this replica: four
// fifths of the way to the next scheduled cycle, which leaves the
// clocks of the replicas a fifth of the gap to disagree by.
func (w *Watcher) holdUntil(start time.Time) time.Time {
	return start.Add(scheduleBudget(w.cfg.Schedule, w.cfg.Location, start))
}

// senderCheckEvery is how often a delivering replica confirms it still
// holds the sender lock (a round trip on the lock's connection).
const senderCheckEvery = time.Second

// deliverAsSender delivers the pending digests if this watcher may: a
// replica only while it holds the sender lock. Should the lock be lost
// (its connection gone, and with it the lock, which another replica may
// then take), the delivery is stopped as a shutdown stops it: the send
// under way counts as no attempt and its digest stays pending, so two
// replicas do not both go on delivering.
func (w *Watcher) deliverAsSender(ctx context.Context, sum *Summary) error {
	p := w.replica()
	if p == nil {
		return w.deliver(ctx, sum)
	}
	l, err := p.DB.AcquireSender(ctx, w.name)
	if err != nil {
		return fmt.Errorf("take the sender lock: %w", err)
	}
	if l == nil {
		w.log.Info("digests left to the replica holding the sender lock", "replica", w.name)
		return nil
	}
	dctx, cancel := context.WithCancelCause(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		t := time.NewTicker(senderCheckEvery)
		defer t.Stop()
		for {
			select {
			case <-dctx.Done():
				return
			case <-t.C:
				if err := l.Check(dctx); err != nil && dctx.Err() == nil {
					w.log.Error("sender lock lost: delivery stopped, digests stay pending", "err", err)
					cancel(err)
					return
				}
			}
		}
	}()
	err = w.deliver(dctx, sum)
	lost := context.Cause(dctx)
	cancel(nil)
	<-watched
	rctx, rcancel := p.call()
	defer rcancel()
	if rerr := l.Release(rctx); rerr != nil && !errors.Is(lost, pgstate.ErrSenderLost) {
		w.log.Warn("release sender lock", "err", rerr)
	}
	if errors.Is(lost, pgstate.ErrSenderLost) {
		return errors.Join(err, lost)
	}
	return err
}
