package watch

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/crawl"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/state"
)

// Summary is what one cycle did; cmd/watcher logs it as one line.
type Summary struct {
	Sources     int // configured
	OK          int // fetched and parsed, or answered 304
	NotModified int
	Failed      int
	BackedOff   int // skipped this cycle because they keep failing
	New         int // items not seen before
	Matched     int // new items that matched at least one topic
	Sent        int // digest deliveries accepted by a sink
	SendFailed  int // digest deliveries that failed (kept for the next cycle)
	Parked      int // deliveries given up after the configured attempts
	Failures    []SourceFailure
	Duration    time.Duration
}

// SourceFailure names a source that failed this cycle and why.
type SourceFailure struct {
	Source string
	Err    error
	Next   time.Time // the earliest next attempt
}

// sourceOutcome is what one source contributed to a cycle.
type sourceOutcome struct {
	src     config.Source
	prev    state.Source
	next    state.Source
	res     crawl.Result
	fresh   []item.Item // new items to match
	seen    []string    // keys to record as seen
	touched []string    // keys seen before and still listed
	hits    []matched   // the fresh items that matched a topic
	skip    bool        // backed off: not fetched
	failed  bool
	// interrupted: the cycle was cancelled (shutdown) while this source was
	// fetched. That is not the source's fault, so nothing is recorded.
	interrupted bool
}

// Cycle runs one full cycle: fetch, filter, match, store, deliver. Source
// failures are reported in the Summary and do not fail the cycle; the
// error is for what makes the cycle itself fail (the state file) and for
// deliveries that did not go through (their digests stay pending).
func (w *Watcher) Cycle(ctx context.Context) (Summary, error) {
	start := w.now()
	sum := Summary{Sources: len(w.cfg.Sources)}

	outcomes, err := w.crawlAll(ctx)
	if err != nil {
		return sum, err
	}
	crawled := w.now()
	hits := w.collect(outcomes, &sum)
	if err := w.commit(outcomes, hits); err != nil {
		return sum, err
	}
	w.log.Debug("cycle phases", "crawl_and_match", crawled.Sub(start), "commit", w.now().Sub(crawled))
	if ctx.Err() != nil {
		sum.Duration = w.now().Sub(start)
		return sum, fmt.Errorf("cycle interrupted: %w", context.Cause(ctx))
	}
	derr := w.deliver(ctx, &sum)
	w.prune()
	sum.Duration = w.now().Sub(start)
	return sum, derr
}

// crawlAll fetches every source. A fixed pool of workers takes the
// sources in an order that alternates between hosts: the fetcher bounds
// requests globally and per host, and the pool bounds the goroutines (and
// their stacks and buffers), so ten thousand sources cost no more memory
// than a hundred in flight. Alternating hosts keeps one busy host from
// holding every worker while others sit idle.
func (w *Watcher) crawlAll(ctx context.Context) ([]*sourceOutcome, error) {
	prev, err := w.store.Sources()
	if err != nil {
		return nil, fmt.Errorf("read source state: %w", err)
	}
	outcomes := make([]*sourceOutcome, len(w.cfg.Sources))
	var due []*sourceOutcome
	for i, src := range w.cfg.Sources {
		o := &sourceOutcome{src: src, prev: prev[src.Name]}
		outcomes[i] = o
		if w.now().Before(o.prev.NextAttempt) {
			o.skip = true
			continue
		}
		due = append(due, o)
	}
	queue := make(chan *sourceOutcome)
	var wg sync.WaitGroup
	for range min(len(due), workers(w.cfg)) {
		wg.Go(func() {
			for o := range queue {
				w.crawlOne(ctx, o)
			}
		})
	}
	for _, o := range interleaveHosts(due) {
		queue <- o
	}
	close(queue)
	wg.Wait()
	return outcomes, nil
}

// workers is the size of the crawl pool: enough to keep every request
// slot busy while other workers parse, wait on a busy host or fetch
// article pages.
func workers(cfg *config.Config) int {
	return max(4*cfg.Fetch.Concurrency, 8)
}

// interleaveHosts orders sources round-robin by host, keeping the
// configured order within each host.
func interleaveHosts(due []*sourceOutcome) []*sourceOutcome {
	byHost := map[string][]*sourceOutcome{}
	var hosts []string
	for _, o := range due {
		h := hostOf(o.src.URL())
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], o)
	}
	out := make([]*sourceOutcome, 0, len(due))
	for len(out) < len(due) {
		for _, h := range hosts {
			if q := byHost[h]; len(q) > 0 {
				out = append(out, q[0])
				byHost[h] = q[1:]
			}
		}
	}
	return out
}

// hostOf returns the host of a source URL, or the URL when it has none.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return strings.ToLower(u.Host)
	}
	return raw
}

// crawlOne fetches one source and works out which of its items are new.
func (w *Watcher) crawlOne(ctx context.Context, o *sourceOutcome) {
	// known tells the fetcher which items need no article page. The
	// baseline of a new source is read silently: fetching every article
	// page would cost much and alert nothing.
	known := func(string) bool { return true }
	if o.prev.Initialized {
		known = func(k string) bool {
			seen, err := w.store.SeenKeys(o.src.Name, []string{k})
			return err != nil || seen[k]
		}
	}
	v := crawl.Validators{ETag: o.prev.ETag, LastModified: o.prev.LastModified}
	o.res = w.fetcher.Fetch(ctx, toCrawlSource(o.src), v, known)
	if o.res.Err != nil && ctx.Err() != nil {
		o.interrupted = true
		return
	}
	now := w.now()
	o.next = o.prev
	o.next.LastAttempt = now
	if o.res.Err != nil {
		o.failed = true
		o.next.Failures++
		o.next.LastError = o.res.Err.Error()
		o.next.NextAttempt = now.Add(w.backoff(o.next.Failures, o.res.RetryAfter))
		return
	}
	o.next.Failures = 0
	o.next.LastError = ""
	o.next.LastSuccess = now
	o.next.NextAttempt = time.Time{}
	if o.res.NotModified {
		return
	}
	o.next.ETag, o.next.LastModified = o.res.Validators.ETag, o.res.Validators.LastModified
	err := w.filterNew(o, now)
	// Only the new items are needed from here on; letting go of the rest
	// keeps the live heap at the size of the news, not of every feed.
	o.res.Items = nil
	if err != nil {
		o.failed = true
		o.res.Err = err
		o.next = o.prev
		o.next.LastAttempt = now
		o.next.LastError = err.Error()
		return
	}
	// Matching here, in the crawl's workers, spreads it over the
	// processors; the matcher is safe for concurrent use.
	for _, it := range o.fresh {
		hits := w.matcher.Match(match.Item{Title: it.Title, Summary: it.Summary, Body: it.Body, Lang: it.Lang, Source: it.Source})
		if len(hits) > 0 {
			o.hits = append(o.hits, matched{item: it, hits: hits})
		}
	}
}

// filterNew keeps the items of a successful fetch that were not seen
// before. On a source's first successful fetch everything is recorded as
// seen, and only items published within the backfill window are new.
// Items seen before are "touched", so pruning never forgets a key that a
// feed still lists.
func (w *Watcher) filterNew(o *sourceOutcome, now time.Time) error {
	first := !o.prev.Initialized
	keys := make([]string, 0, len(o.res.Items))
	byKey := make(map[string]item.Item, len(o.res.Items))
	for _, it := range o.res.Items {
		k := it.Key()
		if _, dup := byKey[k]; dup {
			continue // the same GUID twice in one feed: the first one stands
		}
		byKey[k] = it
		keys = append(keys, k)
	}
	seen := map[string]bool{}
	if !first {
		var err error
		if seen, err = w.store.SeenKeys(o.src.Name, keys); err != nil {
			return fmt.Errorf("source %q: read seen items: %w", o.src.Name, err)
		}
	}
	o.next.Initialized = true
	for _, k := range keys {
		it := byKey[k]
		switch {
		case seen[k]:
			o.touched = append(o.touched, k)
		case first:
			o.seen = append(o.seen, k)
			if w.cfg.Backfill > 0 && !it.DateGuessed && now.Sub(it.Published) <= w.cfg.Backfill {
				o.fresh = append(o.fresh, it)
			}
		default:
			o.seen = append(o.seen, k)
			o.fresh = append(o.fresh, it)
		}
	}
	return nil
}

// backoff is how long a source that failed n times in a row rests:
// doubling from one schedule-independent minute up to the configured cap,
// and never less than what the server asked for with Retry-After.
func (w *Watcher) backoff(n int, retryAfter time.Duration) time.Duration {
	if n <= 1 && retryAfter == 0 {
		return 0 // one failure: try again next cycle
	}
	d := time.Minute << min(n-1, 20)
	if limit := w.cfg.Fetch.MaxBackoff; limit > 0 && d > limit {
		d = limit
	}
	return max(d, retryAfter)
}

// matched is one new item with its hits.
type matched struct {
	item item.Item
	hits []match.Hit
}

// collect gathers the matches of every source and fills the summary's
// source counts.
func (w *Watcher) collect(outcomes []*sourceOutcome, sum *Summary) []matched {
	var out []matched
	for _, o := range outcomes {
		switch {
		case o.interrupted:
			continue
		case o.skip:
			sum.BackedOff++
			continue
		case o.failed:
			sum.Failed++
			sum.Failures = append(sum.Failures, SourceFailure{Source: o.src.Name, Err: o.res.Err, Next: o.next.NextAttempt})
			w.log.Warn("source failed", "source", o.src.Name, "failures", o.next.Failures, "next_attempt", o.next.NextAttempt, "err", o.res.Err)
			continue
		case o.res.NotModified:
			sum.NotModified++
		}
		sum.OK++
		sum.New += len(o.fresh)
		out = append(out, o.hits...)
	}
	sum.Matched = len(out)
	return out
}

// toCrawlSource maps a configured source to what the fetcher needs.
func toCrawlSource(s config.Source) crawl.Source {
	return crawl.Source{Name: s.Name, Feed: s.Feed, Page: s.Page, Links: s.Links, Fulltext: s.Fulltext, Lang: s.Lang}
}
