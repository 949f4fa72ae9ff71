package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The transport's scheduler. Every request, from the feed fetcher, colly
// or robots.txt alike, passes three gates in this order:
//
//  1. a slot of its host: at most PerHost requests in flight to one host
//     (one while the host is being slowed), handed out first come, first
//     served, so that sources sharing a host take turns;
//  2. the host's pauses: HostDelay between any two requests, PageDelay (or
//     the host's robots.txt Crawl-delay, whichever is longer) before an
//     article page, the Crawl-delay before a listing page (polled like a
//     feed), an adaptive pause while the host is struggling, and a
//     Retry-After the host asked for;
//  3. a global slot: at most Concurrency requests in flight in all.
//
// A request's Timeout starts only once it passes all three: it measures
// the server (connect, first byte, body), never our own queue. A wait
// that is cancelled books nothing: the next request does not queue behind
// a start time that will never be used. A request that could only start
// after its context's deadline (the cycle's budget) does not wait: it
// fails at once with ErrDeferred, and the source is tried first next time.
//
// The queue is hand-written rather than taken from a rate-limiting
// package: x/time/rate books tokens in advance (the booked start a
// cancelled wait used to leave behind), and the slot, the pauses and the
// adaptive slow-down have to be decided together under one lock.

// requestKind says what a request is for; it decides the pauses it waits.
type requestKind int

const (
	kindFeed    requestKind = iota // a conditional feed GET
	kindPage                       // an article page
	kindListing                    // a listing page
	kindRobots                     // robots.txt
)

type kindKey struct{}

// withKind marks the requests made with ctx as being of kind k.
func withKind(ctx context.Context, k requestKind) context.Context {
	return context.WithValue(ctx, kindKey{}, k)
}

func kindOf(ctx context.Context) requestKind {
	k, _ := ctx.Value(kindKey{}).(requestKind)
	return k
}

// ErrDeferred is the cause of a request that was not sent because its
// host could not take it before the caller's deadline (the cycle's
// budget), or asked with Retry-After not to be called until later. It is
// not the source's failure: the source was not reached.
var ErrDeferred = errors.New("not reached")

// deferredError says until when a host could not take a request.
type deferredError struct {
	host  string
	until time.Time
	why   string
}

func (e *deferredError) Error() string {
	return fmt.Sprintf("%s: %s until %s", ErrDeferred, e.why, e.until.UTC().Format(time.RFC3339))
}
func (e *deferredError) Unwrap() error { return ErrDeferred }

// Adaptive slow-down bounds: a struggling host's extra pause starts at
// slowStart, doubles with each further sign of trouble up to slowMax, and
// halves with each quick good answer until it is under slowStart/2.
const (
	slowStart = time.Second
	slowMax   = time.Minute
	// slowAnswer is how long a first byte may take before the host counts
	// as slowing down (and then only when it is also well over the host's
	// usual time).
	slowAnswer = 2 * time.Second
	// maxCrawlDelay caps a robots.txt Crawl-delay: a site asking for an
	// hour between pages would never have its news read.
	maxCrawlDelay = time.Minute
)

type limitTransport struct {
	next      http.RoundTripper
	global    chan struct{}
	perHost   int
	hostDelay time.Duration
	pageDelay time.Duration
	timeout   time.Duration
	maxPause  time.Duration
	maxBody   int64
	now       func() time.Time
	pacer     Pacer
	log       *slog.Logger

	mu    sync.Mutex
	hosts map[string]*host
}

// host is the scheduling state of one host, kept for the Fetcher's life,
// so that a daemon remembers a slow host or its Crawl-delay across cycles.
type host struct {
	mu          sync.Mutex
	perHost     int
	inflight    int
	waiters     []chan struct{} // FIFO of requests waiting for a slot
	lastStart   time.Time       // last request sent
	lastPage    time.Time       // last page request sent
	crawlDelay  time.Duration   // from robots.txt
	slow        time.Duration   // adaptive extra pause, 0 when the host is well
	pausedUntil time.Time       // Retry-After
	typical     time.Duration   // moving average of the time to first byte
}

func newLimitTransport(next http.RoundTripper, o Options) *limitTransport {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &limitTransport{
		next:      next,
		global:    make(chan struct{}, o.Concurrency),
		perHost:   o.PerHost,
		hostDelay: o.HostDelay,
		pageDelay: o.PageDelay,
		timeout:   o.Timeout,
		maxPause:  o.MaxRetryAfter,
		maxBody:   o.MaxBody,
		now:       time.Now,
		pacer:     o.Pacer,
		log:       o.Logger,
		hosts:     make(map[string]*host),
	}
}

// RoundTrip sends req once its host and a global slot can take it.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	name := strings.ToLower(req.URL.Host)
	h := t.host(name)
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	if err := t.waitTurn(ctx, name, h, kindOf(ctx)); err != nil {
		h.release()
		return nil, err
	}
	if err := acquire(ctx, t.global); err != nil {
		h.release()
		return nil, err
	}
	// From here on the time is the server's.
	rctx, cancel := context.WithTimeoutCause(ctx, t.timeout, timeoutError{t.timeout})
	release := sync.OnceFunc(func() { cancel(); <-t.global; h.release() })
	sent := time.Now()
	resp, err := t.next.RoundTrip(req.WithContext(rctx))
	if err != nil {
		err = requestError(ctx, rctx, err)
		if ctx.Err() == nil {
			t.observe(h, 0, time.Since(sent), err)
		}
		release()
		return nil, err
	}
	t.observe(h, resp.StatusCode, time.Since(sent), nil)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d := parseRetryAfter(resp.Header.Get("Retry-After"), t.now()); d > 0 {
			t.pause(h, d)
		}
	}
	resp.Body = &boundedBody{rc: resp.Body, limit: t.maxBody, count: byteCounter(ctx), release: release, ctx: ctx, rctx: rctx}
	return resp, nil
}

// requestError names the request's own timeout when that is what ended
// it (the transport only says "context deadline exceeded").
func requestError(ctx, rctx context.Context, err error) error {
	if ctx.Err() != nil || rctx.Err() == nil {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return context.Cause(rctx)
	}
	return fmt.Errorf("%w (%v)", context.Cause(rctx), err)
}

func (t *limitTransport) host(name string) *host {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.hosts[name]
	if !ok {
		if len(t.hosts) >= maxIdleHosts {
			t.forgetIdle()
		}
		h = &host{perHost: t.perHost}
		t.hosts[name] = h
	}
	return h
}

// maxIdleHosts is how many hosts the transport remembers before it
// forgets the idle ones: the article pages of an aggregator's feeds come
// from thousands of sites, and a daemon must not remember each forever.
const maxIdleHosts = 4096

// forgetIdle drops the hosts with nothing in flight or waiting, no pause
// in force and no request for an hour; t.mu is held.
func (t *limitTransport) forgetIdle() {
	now := t.now()
	for name, h := range t.hosts {
		h.mu.Lock()
		idle := h.inflight == 0 && len(h.waiters) == 0 && h.slow == 0 && h.crawlDelay == 0 &&
			!h.pausedUntil.After(now) && now.Sub(h.lastStart) > time.Hour
		h.mu.Unlock()
		if idle {
			delete(t.hosts, name)
		}
	}
}

// acquire takes one of the host's slots, first come, first served.
func (h *host) acquire(ctx context.Context) error {
	h.mu.Lock()
	if len(h.waiters) == 0 && h.inflight < h.cap() {
		h.inflight++
		h.mu.Unlock()
		return nil
	}
	ready := make(chan struct{})
	h.waiters = append(h.waiters, ready)
	h.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		h.mu.Lock()
		for i, w := range h.waiters {
			if w == ready {
				h.waiters = append(h.waiters[:i], h.waiters[i+1:]...)
				h.mu.Unlock()
				return context.Cause(ctx)
			}
		}
		h.mu.Unlock()
		// The slot was handed over as the wait ended: give it back.
		h.release()
		return context.Cause(ctx)
	}
}

// cap is how many requests the host may have in flight: one while it is
// being slowed. h.mu is held.
func (h *host) cap() int {
	if h.slow > 0 {
		return 1
	}
	return h.perHost
}

// release frees a slot and hands free slots to the longest waiters.
func (h *host) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inflight--
	h.handOver()
}

// handOver gives free slots to waiters; h.mu is held.
func (h *host) handOver() {
	for len(h.waiters) > 0 && h.inflight < h.cap() {
		w := h.waiters[0]
		h.waiters = h.waiters[1:]
		h.inflight++
		close(w)
	}
}

// waitTurn waits until the host's pauses allow a request of kind k to
// start, and records the start. Nothing is booked while waiting.
func (t *limitTransport) waitTurn(ctx context.Context, name string, h *host, k requestKind) error {
	for {
		h.mu.Lock()
		now := t.now()
		at := h.lastStart.Add(t.hostDelay + h.slow)
		why := "politeness pause of its host"
		switch k {
		case kindPage:
			at = later(at, h.lastPage.Add(max(t.pageDelay, h.crawlDelay)+h.slow))
		case kindListing:
			at = later(at, h.lastPage.Add(h.crawlDelay+h.slow))
		}
		if h.pausedUntil.After(at) {
			at, why = h.pausedUntil, "its host asked with Retry-After to wait"
		}
		if !at.After(now) {
			h.lastStart = now
			key, gap := name, t.hostDelay+h.slow
			if k == kindPage || k == kindListing {
				h.lastPage = now
				key = "pages " + name
				gap = max(gap, h.crawlDelay+h.slow)
				if k == kindPage {
					gap = max(gap, t.pageDelay+h.slow)
				}
			}
			h.mu.Unlock()
			if t.pacer == nil || gap <= 0 {
				return nil
			}
			return t.waitShared(ctx, name, key, gap)
		}
		h.mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && at.After(dl) {
			return &deferredError{host: name, until: at, why: why}
		}
		timer := time.NewTimer(at.Sub(now))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return context.Cause(ctx)
		}
	}
}

// Pacer books request starts shared with other processes: Reserve takes
// the next start for key, gap after the one booked before it, and says
// how long to wait for it (zero: now).
type Pacer interface {
	Reserve(ctx context.Context, key string, gap time.Duration) (time.Duration, error)
}

// waitShared waits for the start the shared pacer books for key. A pacer
// that cannot be reached (its database down) costs politeness across
// processes, not the request: the pauses within this one still held, and
// the request goes on, logged.
func (t *limitTransport) waitShared(ctx context.Context, name, key string, gap time.Duration) error {
	wait, err := t.pacer.Reserve(ctx, key, gap)
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		t.log.Warn("shared pace of host not booked: paced by this watcher alone", "host", name, "err", err)
		return nil
	}
	if wait <= 0 {
		return nil
	}
	at := t.now().Add(wait)
	if dl, ok := ctx.Deadline(); ok && at.After(dl) {
		return &deferredError{host: name, until: at, why: "politeness pause of its host, shared with other watchers"}
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// HostPause returns until when host asked (with Retry-After) not to be
// called, or the zero time.
func (f *Fetcher) HostPause(host string) time.Time {
	t := f.transport
	t.mu.Lock()
	h, ok := t.hosts[strings.ToLower(host)]
	t.mu.Unlock()
	if !ok {
		return time.Time{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.pausedUntil.After(t.now()) {
		return time.Time{}
	}
	return h.pausedUntil
}

// PauseHost keeps every request to host waiting until until, as its
// Retry-After would (capped the same way): the pause another process was
// asked for, handed over with the host.
func (f *Fetcher) PauseHost(host string, until time.Time) {
	t := f.transport
	d := until.Sub(t.now())
	if d <= 0 {
		return
	}
	t.pause(t.host(strings.ToLower(host)), d)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// observe adapts the host's pace to how it answers. The signs of a host
// in trouble slow it down: 429 and 503, a connection refused or reset,
// and a first byte (or a failure before it, such as a timeout) much
// slower than usual. A quick good answer lets it recover. Other errors
// (a 404 or 500, a broken feed, a body that dribbles) belong to one URL,
// not the host: slowing every source of the host for them would let one
// broken feed of an RSS bridge hold back the rest.
func (t *limitTransport) observe(h *host, status int, took time.Duration, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	trouble := status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
	if h.typical > 0 && took > slowAnswer && took > 4*h.typical {
		trouble = true
	}
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || errors.Is(err, syscall.ECONNRESET)) && !errors.Is(err, ErrPrivateAddress) {
		trouble = true
	}
	if err == nil {
		if h.typical == 0 {
			h.typical = took
		} else {
			h.typical = (7*h.typical + took) / 8
		}
	}
	switch {
	case trouble:
		h.slow = min(max(2*h.slow, slowStart), slowMax)
	case h.slow > 0:
		h.slow /= 2
		if h.slow < slowStart/2 {
			h.slow = 0
			h.handOver() // back to PerHost slots
		}
	}
}

// pause keeps every request to the host waiting for d (Retry-After),
// capped by the longest pause the watcher accepts.
func (t *limitTransport) pause(h *host, d time.Duration) {
	if t.maxPause > 0 {
		d = min(d, t.maxPause)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pausedUntil = later(h.pausedUntil, t.now().Add(d))
}

// setCrawlDelay records a host's robots.txt Crawl-delay.
func (t *limitTransport) setCrawlDelay(name string, d time.Duration) {
	h := t.host(strings.ToLower(name))
	h.mu.Lock()
	defer h.mu.Unlock()
	h.crawlDelay = min(d, maxCrawlDelay)
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
