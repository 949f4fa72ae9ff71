package watch

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
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
// grows with the names passed (see ClaimSources).
const claimChunk = 100

// replica is the store of a Watcher that runs as a replica, or nil.
func (w *Watcher) replica() *PGStore {
	if w.name == "" {
		return nil
	}
	p, _ := w.store.(*PGStore)
	return p
}

// crawlClaimed is a replica's crawl. It claims hosts, not single sources:
// each claim leases a few hosts no other replica holds (trying the due
// hosts chunk by chunk, from a place of its own in the list, so that
// replicas starting together mostly try different chunks), then the due
// sources of those hosts, and queues them for the workers; as hosts are
// done it claims more, until no due host is free or the budget is spent.
// So every source of a host is read by one replica in a cycle, and the
// host's politeness (requests in flight, pauses, the slow-down of a host
// in trouble, a Retry-After handed over with the host) holds across
// replicas as it does within one watcher. Claiming a few hosts at a time,
// rather than every due host at once, lets replicas that start later
// still take a share. The sources never claimed are another replica's:
// not fetched, nothing recorded.
func (w *Watcher) crawlClaimed(ctx context.Context, due []*sourceOutcome, fl *flusher) error {
	ttl := w.budget()
	byHost := map[string][]*sourceOutcome{}
	var hosts []string // in the order of their first due source
	for _, o := range due {
		h := hostOf(o.src.URL())
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], o)
	}
	f := fnv.New32a()
	f.Write([]byte(w.name))
	offset := int(f.Sum32() % 1024)
	// As many hosts in the crawl at once as keep every worker busy.
	busyHosts := max(workers(w.cfg)/max(w.cfg.Fetch.PerHost, 1), 1)

	cctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	q := newHostQueue(w.cfg.Fetch.PerHost)
	var held []pgstate.HostClaim
	var claimErr error
	var claimer sync.WaitGroup
	claimer.Go(func() {
		defer q.close()
		left := hosts
		for len(left) > 0 {
			room := q.room(cctx, busyHosts)
			if room == 0 {
				return
			}
			got, err := w.claimHosts(cctx, left, ttl, offset, room)
			if err == nil && len(got) > 0 {
				held = append(held, got...)
				var sources []*sourceOutcome
				sources, err = w.claimSourcesOf(cctx, got, byHost, ttl)
				q.add(sources)
			}
			if err != nil {
				if cctx.Err() == nil {
					claimErr = err
					stop(err)
				}
				return
			}
			if len(got) == 0 {
				return
			}
			left = slices.DeleteFunc(left, func(h string) bool {
				_, ok := slices.BinarySearchFunc(got, h, func(c pgstate.HostClaim, h string) int { return strings.Compare(c.Host, h) })
				return ok
			})
		}
	})
	w.crawlQueue(cctx, q, workers(w.cfg), fl)
	claimer.Wait()
	w.releaseHosts(held)
	for _, o := range due {
		if !o.claimed {
			o.elsewhere, o.notDue, o.skip = true, true, true
		}
	}
	if claimErr != nil {
		return claimErr
	}
	return nil
}

// claimReports keeps the health report of a backed-off source to one
// replica: every replica sees that the source has been failing long
// enough to say so, and each would name it in its own digest. The
// replica that leases the source (which it does not fetch) names it; the
// others drop the report, and write nothing for the source.
func (w *Watcher) claimReports(ctx context.Context, outcomes []*sourceOutcome) error {
	var names []string
	for _, o := range outcomes {
		if o.skip && !o.notDue && o.health != nil {
			names = append(names, o.src.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	got, err := w.replica().DB.ClaimSources(ctx, w.name, names, w.budget(), 0)
	if err != nil {
		return fmt.Errorf("claim sources to report: %w", err)
	}
	for _, o := range outcomes {
		if !o.skip || o.notDue || o.health == nil {
			continue
		}
		if _, ok := slices.BinarySearch(got, o.src.Name); ok {
			o.claimed = true
			continue
		}
		o.health, o.next = nil, o.prev
	}
	return nil
}

// claimHosts claims up to limit of the hosts in left: from the first
// chunk (from offset on, going round) in which any is free. The pause a
// host's previous holder handed over is put into the crawler.
func (w *Watcher) claimHosts(ctx context.Context, left []string, ttl time.Duration, offset, limit int) ([]pgstate.HostClaim, error) {
	chunks := (len(left) + claimChunk - 1) / claimChunk
	for c := range chunks {
		i := (offset + c) % chunks * claimChunk
		got, err := w.replica().DB.ClaimHosts(ctx, w.name, left[i:min(i+claimChunk, len(left))], ttl, limit)
		if err != nil {
			return nil, fmt.Errorf("claim hosts: %w", err)
		}
		if len(got) == 0 {
			continue
		}
		for _, c := range got {
			if !c.PausedUntil.IsZero() {
				w.fetcher.PauseHost(c.Host, c.PausedUntil)
			}
		}
		return got, nil
	}
	return nil, nil
}

// claimSourcesOf claims the due sources of the hosts got, in their due
// order. A source of these hosts that another replica holds (one it
// fetched earlier this cycle, before the host was given back) is left
// to it.
func (w *Watcher) claimSourcesOf(ctx context.Context, got []pgstate.HostClaim, byHost map[string][]*sourceOutcome, ttl time.Duration) ([]*sourceOutcome, error) {
	var cands []*sourceOutcome
	for _, c := range got {
		cands = append(cands, byHost[c.Host]...)
	}
	names := make([]string, len(cands))
	for i, o := range cands {
		names[i] = o.src.Name
	}
	claimed, err := w.replica().DB.ClaimSources(ctx, w.name, names, ttl, 0)
	if err != nil {
		return nil, fmt.Errorf("claim sources: %w", err)
	}
	var out []*sourceOutcome
	for _, o := range cands {
		if _, ok := slices.BinarySearch(claimed, o.src.Name); ok {
			o.claimed = true
			out = append(out, o)
		}
	}
	return out, nil
}

// replicaPacer spaces the paused requests of each host (article pages,
// listings, and any request under a host_delay) across replicas: every
// replica books its starts through the host's row in the database
// (ReserveHost). Feeds need no booking by default (host_delay 0), and the
// host lease already keeps a feed host's requests in flight with one
// replica; pages, though, are often on hosts other than their feed's
// (an aggregator's links), which several replicas may read at once.
type replicaPacer struct{ w *Watcher }

func (p *replicaPacer) Reserve(ctx context.Context, key string, gap time.Duration) (time.Duration, error) {
	r := p.w.replica()
	if r == nil {
		return 0, nil // on a file, or alone: the crawler's own pauses hold
	}
	return r.DB.ReserveHost(ctx, key, gap)
}

// releaseHosts gives back the hosts claimed this cycle, each with the
// Retry-After pause it is under, for the replica that reads it next.
func (w *Watcher) releaseHosts(held []pgstate.HostClaim) {
	if len(held) == 0 {
		return
	}
	for i := range held {
		held[i].PausedUntil = w.fetcher.HostPause(held[i].Host)
	}
	ctx, cancel := w.replica().call()
	defer cancel()
	if err := w.replica().DB.ReleaseHosts(ctx, w.name, held); err != nil {
		// The leases run out by themselves at the crawl's budget.
		w.log.Warn("release host leases", "hosts", len(held), "err", err)
	}
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
// holds the sender lock (a round trip on the lock's connection) while a
// send is under way; it also confirms it before each send.
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
	// Before each send as well: a lock lost between two sends stops the
	// next before it starts.
	w.mayStillSend = func(ctx context.Context) error {
		if err := l.Check(ctx); err != nil {
			if dctx.Err() == nil {
				w.log.Error("sender lock lost: delivery stopped, digests stay pending", "err", err)
			}
			cancel(err)
			return err
		}
		return nil
	}
	err = w.deliver(dctx, sum)
	w.mayStillSend = nil
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
