package crawl

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"
)

// limitTransport wraps the shared transport so that every request, from
// the feed fetcher, colly or robots.txt alike, holds a global slot and a
// per-host slot from the moment it is sent until its body is closed, waits
// out the host's politeness delay, and reads at most MaxBody bytes.
type limitTransport struct {
	next    http.RoundTripper
	global  chan struct{}
	perHost int
	delay   time.Duration
	maxBody int64

	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	sem  chan struct{}
	next time.Time // earliest start of the next request
}

func newLimitTransport(next http.RoundTripper, o Options) *limitTransport {
	return &limitTransport{
		next:    next,
		global:  make(chan struct{}, o.Concurrency),
		perHost: o.PerHost,
		delay:   o.HostDelay,
		maxBody: o.MaxBody,
		hosts:   make(map[string]*hostSlot),
	}
}

// RoundTrip sends req once slots are free and the host's delay has passed.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	h := t.host(req.URL.Host)
	if err := acquire(ctx, h.sem); err != nil {
		return nil, err
	}
	if err := acquire(ctx, t.global); err != nil {
		<-h.sem
		return nil, err
	}
	release := sync.OnceFunc(func() { <-t.global; <-h.sem })
	if err := t.wait(ctx, h); err != nil {
		release()
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &boundedBody{rc: resp.Body, limit: t.maxBody, count: byteCounter(ctx), release: release}
	return resp, nil
}

func (t *limitTransport) host(name string) *hostSlot {
	name = strings.ToLower(name)
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.hosts[name]
	if !ok {
		h = &hostSlot{sem: make(chan struct{}, t.perHost)}
		t.hosts[name] = h
	}
	return h
}

// wait reserves the host's next start time and sleeps until it.
func (t *limitTransport) wait(ctx context.Context, h *hostSlot) error {
	if t.delay <= 0 {
		return nil
	}
	t.mu.Lock()
	now := time.Now()
	start := now
	if h.next.After(now) {
		start = h.next
	}
	h.next = start.Add(t.delay)
	t.mu.Unlock()
	if d := start.Sub(now); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
