package watch

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

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
	NotDue      int // skipped: their interval has not passed
	NotReached  int // due, but the cycle's budget ran out first (or their host asked to wait): first next cycle
	Elsewhere   int // due, but another replica has them this cycle (see replica.go)
	Deferred    int // new items kept unseen until their article page can be read
	New         int // items not seen before
	Matched     int // new items that matched at least one topic
	Related     int // new items delivered only as related to a topic that follows its story
	Sent        int // digest deliveries accepted by a sink
	SendFailed  int // digest deliveries that failed (kept for the next cycle)
	Parked      int // deliveries given up after the configured attempts
	Failures    []SourceFailure
	Duration    time.Duration
	// NewBySource and MatchedByTopic split New and the matches (an item
	// that matched two topics counts once in each).
	NewBySource    map[string]int
	MatchedByTopic map[string]int
	// Deliveries lists every delivery attempt of the cycle, in order.
	Deliveries []DeliveryOutcome
	// SourcesFailing and SourcesRecovered count the sources this
	// cycle's digest names for their health (see health.report_after).
	SourcesFailing, SourcesRecovered int
}

// SourceFailure names a source that failed this cycle and why.
type SourceFailure struct {
	Source string
	Err    error
	Next   time.Time // the earliest next attempt
	Cause  string    // FailureCause(Err): one of the Cause constants
}

// sourceOutcome is what one source contributed to a cycle.
type sourceOutcome struct {
	// src points into the configuration: an outcome is kept for every
	// source for the whole cycle, and a copy of each was 150 bytes.
	src     *config.Source
	prev    state.Source
	next    state.Source
	res     crawl.Result
	fresh   []item.Item // new items to match
	seen    []string    // keys to record as seen
	touched []string    // keys seen before and still listed
	hits    []matched   // the fresh items that matched a topic
	skip    bool        // backed off: not fetched
	notDue  bool        // its interval has not passed: not fetched
	// notReached: due, but not fetched (or not to the end) because the
	// cycle's budget ran out or its host asked to wait. Not a failure:
	// only that is recorded, and the source goes first next cycle.
	notReached bool
	deferred   int // new items left unseen for their article page
	failed     bool
	// interrupted: the cycle was cancelled (shutdown) while this source was
	// fetched. That is not the source's fault, so nothing is recorded.
	interrupted bool
	// flushed: written while the crawl went on (it matched nothing).
	flushed bool
	// claimed: leased to this replica for the cycle; elsewhere: another
	// replica has it (then notDue and skip are set too).
	claimed, elsewhere bool
	// health, when set, names the source in this cycle's digest as
	// failing or recovered; its state is written with the digest.
	health *healthReport
	// newItems counts the fresh items a flush archived and let go of.
	newItems int
	// part: not the source's outcome but a part of its matches, cut off
	// for a digest of their own (see splitSource). Only the keys and text
	// of its items are written, not the source's state.
	part bool
}

// Cycle runs one full cycle: fetch, filter, match, store, deliver. Source
// failures are reported in the Summary and do not fail the cycle; the
// error is for what makes the cycle itself fail (the state file) and for
// deliveries that did not go through (their digests stay pending).
func (w *Watcher) Cycle(ctx context.Context) (Summary, error) {
	start := w.now()
	sum := Summary{Sources: len(w.cfg.Sources)}

	w.follow = w.loadFollowers()
	budget := w.budget()
	crawlCtx, cancel := context.WithTimeoutCause(ctx, budget, budgetError{budget})
	outcomes, err := w.crawlAll(crawlCtx)
	cancel()
	if err != nil {
		return sum, err
	}
	crawled := w.now()
	hits := w.collect(outcomes, &sum)
	if err := w.commitChunks(outcomes, hits); err != nil {
		w.releaseLeases(outcomes, time.Time{}) // nothing recorded: let others read them
		return sum, err
	}
	w.releaseLeases(outcomes, w.holdUntil(start))
	w.log.Debug("cycle phases", "crawl_and_match", crawled.Sub(start), "commit", w.now().Sub(crawled))
	if ctx.Err() != nil {
		sum.Duration = w.now().Sub(start)
		return sum, fmt.Errorf("cycle interrupted: %w", context.Cause(ctx))
	}
	derr := w.deliverAsSender(ctx, &sum)
	w.prune()
	sum.Duration = w.now().Sub(start)
	return sum, derr
}

// crawlAll fetches every due source. A fixed pool of workers takes the
// sources from a queue per host (see hostQueue), so ten thousand sources
// cost no more memory than the hundred in flight, and one busy host holds
// no more workers than it has slots. The crawl ends at ctx's deadline, the
// cycle's budget: the sources not reached by then are recorded as such.
func (w *Watcher) crawlAll(ctx context.Context) ([]*sourceOutcome, error) {
	prev, err := w.store.Sources()
	if err != nil {
		return nil, fmt.Errorf("read source state: %w", err)
	}
	outcomes := make([]*sourceOutcome, len(w.cfg.Sources))
	var due []*sourceOutcome
	now := w.now()
	for i := range w.cfg.Sources {
		src := &w.cfg.Sources[i]
		o := &sourceOutcome{src: src, prev: prev[src.Name]}
		outcomes[i] = o
		switch {
		case now.Before(o.prev.NextAttempt):
			o.skip = true
			w.noteHealth(o) // backed off, and perhaps failing long enough to say so
		case !isDue(*src, o.prev, now):
			o.notDue, o.skip = true, true // skip: nothing to record
		default:
			due = append(due, o)
		}
	}
	// The sources tried longest ago go first: those the last cycle did
	// not reach, then the rest in turn.
	slices.SortStableFunc(due, func(a, b *sourceOutcome) int { return a.prev.LastAttempt.Compare(b.prev.LastAttempt) })
	fl := newFlusher(w)
	defer fl.close()
	if w.replica() != nil {
		if err := w.claimReports(ctx, outcomes); err != nil {
			return outcomes, err
		}
		return outcomes, w.crawlClaimed(ctx, due, fl)
	}
	w.crawlWave(ctx, due, fl)
	return outcomes, nil
}

// crawlWave fetches the sources of due with the pool of workers.
func (w *Watcher) crawlWave(ctx context.Context, due []*sourceOutcome, fl *flusher) {
	q := newHostQueue(w.cfg.Fetch.PerHost)
	q.add(due)
	q.close()
	w.crawlQueue(ctx, q, min(len(due), workers(w.cfg)), fl)
}

// crawlQueue fetches the sources q hands out with n workers, until q is
// closed and empty.
func (w *Watcher) crawlQueue(ctx context.Context, q *hostQueue, n int, fl *flusher) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for {
				o, done := q.next(ctx)
				if o == nil {
					return
				}
				if ctx.Err() != nil {
					w.notReached(o, context.Cause(ctx))
				} else {
					w.crawlOne(ctx, o)
				}
				w.noteHealth(o)
				done()
				fl.add(o)
			}
		})
	}
	wg.Wait()
}

// hostQueue hands out due sources so that each host has at most perHost
// of its sources in the crawl at once, in their order within the host,
// and the hosts take turns. Workers therefore never pile up behind one
// busy host while others wait, and the order the cycle chose (longest
// unread first) is the order in which a host's sources are read: the
// transport's host slots, which workers reach in the order the scheduler
// happens to run them, do not decide it. Sources may be added while the
// crawl runs (a replica adds those of each host it claims) until the
// queue is closed.
type hostQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	hosts   []*hostSources // in order of first appearance
	byHost  map[string]*hostSources
	cursor  int  // where the round-robin resumes
	left    int  // sources not yet handed out
	closed  bool // no more sources will be added
	perHost int
}

type hostSources struct {
	queue  []*sourceOutcome
	active int
}

func newHostQueue(perHost int) *hostQueue {
	q := &hostQueue{perHost: max(perHost, 1), byHost: map[string]*hostSources{}}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// add queues due behind the sources of their hosts already queued.
func (q *hostQueue) add(due []*sourceOutcome) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, o := range due {
		h := hostOf(o.src.URL())
		hs, ok := q.byHost[h]
		if !ok {
			hs = &hostSources{}
			q.byHost[h] = hs
			q.hosts = append(q.hosts, hs)
		}
		hs.queue = append(hs.queue, o)
	}
	q.left += len(due)
	q.cond.Broadcast()
}

// close says no more sources will be added: once those queued are
// handed out, next returns nil.
func (q *hostQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// room waits until fewer than k hosts have sources queued or in the
// crawl, and returns how many fewer; 0 once ctx is done.
func (q *hostQueue) room(ctx context.Context, k int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for ctx.Err() == nil {
		busy := 0
		for _, hs := range q.hosts {
			if len(hs.queue) > 0 || hs.active > 0 {
				busy++
			}
		}
		if busy < k {
			return k - busy
		}
		q.wait(ctx)
	}
	return 0
}

// next returns the next source to crawl and a func to call when it is
// done, or nil when the queue is closed and every source has been handed
// out. Once ctx is done, it hands out the rest without waiting for their
// hosts, so that they are recorded as not reached at once.
func (q *hostQueue) next(ctx context.Context) (*sourceOutcome, func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.left > 0 || !q.closed {
		for i := range q.hosts {
			hs := q.hosts[(q.cursor+i)%len(q.hosts)]
			if len(hs.queue) == 0 || (hs.active >= q.perHost && ctx.Err() == nil) {
				continue
			}
			o := hs.queue[0]
			hs.queue = hs.queue[1:]
			hs.active++
			q.left--
			q.cursor = (q.cursor + i + 1) % len(q.hosts)
			return o, func() {
				q.mu.Lock()
				hs.active--
				q.mu.Unlock()
				q.cond.Broadcast()
			}
		}
		// Nothing to hand out now: wait for a source to finish, for
		// more to be added, or for the queue to close. (Once ctx is
		// done, every queued source is handed out above, and only an
		// add or the close can follow.)
		if ctx.Err() != nil {
			q.cond.Wait()
		} else {
			q.wait(ctx)
		}
	}
	return nil, nil
}

// wait waits for a source to finish or ctx to end; q.mu is held.
func (q *hostQueue) wait(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.cond.Broadcast()
	})
	defer stop()
	q.cond.Wait()
}

// budgetError is the cause of a crawl that used up the cycle's budget. It
// is a crawl.ErrDeferred: the sources it stops were not reached, they did
// not fail.
type budgetError struct{ budget time.Duration }

func (e budgetError) Error() string {
	return fmt.Sprintf("%s: the cycle's budget of %s was used up first", crawl.ErrDeferred, e.budget)
}
func (budgetError) Is(target error) bool { return target == crawl.ErrDeferred }

// budget is how long the crawl of one cycle may take: fetch.budget, or by
// default four fifths of the shortest gap between the schedule's next
// ticks, so that a cycle ends (and delivers) before the next is due.
func (w *Watcher) budget() time.Duration {
	if w.cfg.Fetch.Budget > 0 {
		return w.cfg.Fetch.Budget
	}
	return scheduleBudget(w.cfg.Schedule, w.cfg.Location, w.now())
}

// scheduleBudget is four fifths of the shortest of the next gaps between
// the ticks of spec (at least a second; an hour if spec does not parse,
// which config loading has already ruled out).
func scheduleBudget(spec string, loc *time.Location, now time.Time) time.Duration {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return time.Hour
	}
	if loc != nil {
		now = now.In(loc)
	}
	gap := time.Duration(math.MaxInt64)
	t := sched.Next(now)
	for range 8 {
		n := sched.Next(t)
		if n.IsZero() {
			break
		}
		gap = min(gap, n.Sub(t))
		t = n
	}
	if gap == time.Duration(math.MaxInt64) {
		return time.Hour
	}
	return max(gap*4/5, time.Second)
}

// isDue reports whether a source with an interval is due: its interval
// (plus its own share of the jitter) has passed since it was last read.
// A source never read, or without an interval, is always due.
func isDue(src config.Source, prev state.Source, now time.Time) bool {
	if src.Interval <= 0 || prev.LastSuccess.IsZero() {
		return true
	}
	wait := src.Interval
	if src.Jitter > 0 {
		h := fnv.New64a()
		h.Write([]byte(src.Name))
		wait += time.Duration(h.Sum64() % uint64(src.Jitter))
	}
	return !now.Before(prev.LastSuccess.Add(wait))
}

// notReached records that a due source was not fetched (to the end): only
// that, so that it keeps its health and its place at the head of the
// next cycle.
func (w *Watcher) notReached(o *sourceOutcome, cause error) {
	o.notReached = true
	o.next = o.prev
	o.next.NotReached = cause.Error()
	o.res = crawl.Result{Source: o.src.Name}
}

// workers is the size of the crawl pool: enough to keep every request
// slot busy while other workers parse or wait for a host's pause.
func workers(cfg *config.Config) int {
	return max(2*cfg.Fetch.Concurrency, 8)
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
			// On a read error the item counts as unseen: kept, not
			// skipped (filterNew then fails the source with the error).
			seen, err := w.store.SeenKeys(o.src.Name, []string{k})
			return err == nil && seen[k]
		}
	}
	v := crawl.Validators{ETag: o.prev.ETag, LastModified: o.prev.LastModified}
	cs := toCrawlSource(*o.src)
	// What the cycle will not use need not be parsed: on a first read
	// (unless backfill asks for matches) only the items' keys, later the
	// items not seen before.
	cs.KeysOnly = !o.prev.Initialized && w.cfg.Backfill == 0
	cs.SkipKnown = o.prev.Initialized
	cs.Seen = func(keys []string) map[string]bool {
		seen, err := w.store.SeenKeys(o.src.Name, keys)
		if err != nil {
			return nil // all unseen: kept, and filterNew reports the error
		}
		return seen
	}
	o.res = w.fetcher.Fetch(ctx, cs, v, known)
	if o.res.Err != nil && (ctx.Err() != nil || errors.Is(o.res.Err, crawl.ErrDeferred)) {
		if errors.Is(context.Cause(ctx), crawl.ErrDeferred) || errors.Is(o.res.Err, crawl.ErrDeferred) {
			w.notReached(o, o.res.Err)
			return
		}
		o.interrupted = true // shut down: nothing is recorded
		return
	}
	now := w.now()
	o.next = o.prev
	o.next.LastAttempt = now
	o.next.NotReached = ""
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
	o.res.Items, o.res.Known = nil, nil // the known keys are in o.touched
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
		hits := w.matcher.Match(matchItem(it))
		rel := relate(w.follow, it, hits)
		if len(hits) > 0 || len(rel) > 0 {
			o.hits = append(o.hits, matched{item: it, hits: hits, related: rel})
		}
	}
}

// filterNew keeps the items of a successful fetch that were not seen
// before. On a source's first successful fetch everything not seen is
// recorded as seen, and only items published within the backfill window
// are new.
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
	// The items the fetcher left out as seen are still listed: touched.
	o.touched = append(o.touched, o.res.Known...)
	// On a first read too: a first read's backfill with more matches than
	// a digest holds is written in parts, the source's state with the last
	// (see splitSource), so a crash in between leaves a source not yet
	// read whose first items are seen, and sent.
	seen, err := w.store.SeenKeys(o.src.Name, keys)
	if err != nil {
		return fmt.Errorf("source %q: %w: %w", o.src.Name, errStateRead, err)
	}
	o.next.Initialized = true
	tries := o.prev.ArticleTries
	o.next.ArticleTries = nil
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
		case o.res.Pending[k] != nil && !w.giveUpArticle(o, it, k, tries[k], o.res.Pending[k]):
			// Left unseen: the next cycle reads its page again.
			o.deferred++
		default:
			o.seen = append(o.seen, k)
			o.fresh = append(o.fresh, it)
		}
	}
	return nil
}

// maxArticleTries is how many cycles in a row may fail to read a new
// item's article page before it is matched on what the feed gave.
const maxArticleTries = 3

// giveUpArticle decides about a new item whose article page was not read
// this cycle. It is matched at once on its title and summary when those
// already match a topic (the news must not wait for its page), or when the
// page failed maxArticleTries cycles in a row; otherwise it stays unseen,
// so that the next cycle reads its page again (pages not reached for the
// budget or the article limit do not count as tries).
func (w *Watcher) giveUpArticle(o *sourceOutcome, it item.Item, key string, tried int, cause error) bool {
	log := w.log.With("source", o.src.Name, "url", it.URL)
	if len(w.matcher.Match(matchItem(it))) > 0 {
		log.Warn("article page not read; the item matches without it and is sent as the feed gave it", "err", cause)
		return true
	}
	if !errors.Is(cause, crawl.ErrDeferred) {
		tried++
	}
	if tried >= maxArticleTries {
		log.Warn("article page not read; giving up on it and matching the item as the feed gave it", "tries", tried, "err", cause)
		return true
	}
	if o.next.ArticleTries == nil {
		o.next.ArticleTries = map[string]int{}
	}
	o.next.ArticleTries[key] = tried
	if errors.Is(cause, crawl.ErrDeferred) {
		log.Debug("article page not reached; the item is kept for the next cycle", "err", cause)
	} else {
		log.Warn("article page not read; the item is kept for the next cycle", "tries", tried, "err", cause)
	}
	return false
}

// matchItem is what the matcher reads of an item.
func matchItem(it item.Item) match.Item {
	return match.Item{Title: it.Title, Summary: it.Summary, Body: it.Body, Lang: it.Lang, Source: it.Source}
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
	d = max(d, retryAfter)
	if limit := w.cfg.Fetch.MaxBackoff; limit > 0 && d > limit {
		d = limit // a Retry-After of a year must not silence a source for a year
	}
	return d
}

// matched is one new item with its hits.
type matched struct {
	item item.Item
	hits []match.Hit
	// related holds, per topic that follows its story and missed the
	// item, why the item is related to it.
	related map[string]match.Relation
}

// collect gathers the matches of every source and fills the summary's
// source counts.
func (w *Watcher) collect(outcomes []*sourceOutcome, sum *Summary) []matched {
	var out []matched
	for _, o := range outcomes {
		switch {
		case o.health == nil:
		case o.health.recovered:
			sum.SourcesRecovered++
		default:
			sum.SourcesFailing++
		}
		switch {
		case o.interrupted:
			continue
		case o.elsewhere:
			sum.Elsewhere++
			continue
		case o.notDue:
			sum.NotDue++
			continue
		case o.skip:
			sum.BackedOff++
			continue
		case o.notReached:
			sum.NotReached++
			w.log.Info("source not reached this cycle; it goes first next cycle", "source", o.src.Name, "why", o.next.NotReached)
			continue
		case o.failed:
			sum.Failed++
			sum.Failures = append(sum.Failures, SourceFailure{Source: o.src.Name, Err: o.res.Err, Next: o.next.NextAttempt, Cause: FailureCause(o.res.Err)})
			w.log.Warn("source failed", "source", o.src.Name, "failures", o.next.Failures, "next_attempt", o.next.NextAttempt, "err", o.res.Err)
			continue
		case o.res.NotModified:
			sum.NotModified++
		}
		sum.OK++
		sum.New += len(o.fresh) + o.newItems
		sum.Deferred += o.deferred
		countMatches(o, sum)
		out = append(out, o.hits...)
		for _, m := range o.hits {
			if len(m.hits) == 0 {
				sum.Related++
			}
		}
	}
	sum.Matched = len(out)
	return out
}

// toCrawlSource maps a configured source to what the fetcher needs.
func toCrawlSource(s config.Source) crawl.Source {
	return crawl.Source{Name: s.Name, Feed: s.Feed, Page: s.Page, Links: s.Links, Fulltext: s.Fulltext, Lang: s.Lang,
		Telegram: s.Telegram, Base: s.Base}
}
