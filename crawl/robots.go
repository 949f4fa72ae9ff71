package crawl

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robots.txt is read once per host and kept for its lifetime (the
// response's max-age, else a day: RFC 9309 §2.4 asks crawlers not to use
// a cached copy for longer), shared by every source of the Fetcher and
// every cycle of a daemon. colly's own robots handling fetches it again
// for each collector, that is for each source and cycle, so it is off.
//
// What a host answers is read as RFC 9309 says (temoto/robotstxt does
// this): 2xx is parsed, 4xx allows everything, 5xx disallows everything
// (and is kept for a short while only). A host that cannot be reached
// is not cached: the page request itself will fail and say why.

const (
	robotsLifetime    = 24 * time.Hour
	robotsMinLifetime = time.Minute
	robotsErrLifetime = 10 * time.Minute // 5xx answers
	robotsMaxBody     = 512 << 10        // Google reads 500 KiB of it
)

// maxRobotsEntries bounds the hosts whose robots.txt is kept: past it,
// the expired ones are dropped, then any (they are read again if needed).
const maxRobotsEntries = 4096

type robotsCache struct {
	mu      sync.Mutex
	entries map[string]*robotsEntry // by scheme://host
}

type robotsEntry struct {
	ready   chan struct{} // closed when data is set
	data    *robotstxt.RobotsData
	expires time.Time
	err     error // a fetch that failed: not kept
}

// allowed reports whether robots.txt lets the watcher fetch u. It records
// the host's Crawl-delay for the transport.
func (f *Fetcher) allowed(ctx context.Context, u *url.URL) (bool, error) {
	data, err := f.robotsFor(ctx, u)
	if err != nil {
		return false, err
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return data.TestAgent(path, f.opts.UserAgent), nil
}

func (f *Fetcher) robotsFor(ctx context.Context, u *url.URL) (*robotstxt.RobotsData, error) {
	key := strings.ToLower(u.Scheme + "://" + u.Host)
	c := &f.robots
	for {
		c.mu.Lock()
		if c.entries == nil {
			c.entries = map[string]*robotsEntry{}
		}
		e, ok := c.entries[key]
		if ok {
			select {
			case <-e.ready:
				if e.err == nil && f.opts.Now().Before(e.expires) {
					c.mu.Unlock()
					return e.data, nil
				}
				delete(c.entries, key) // expired or failed: fetch anew
				c.mu.Unlock()
				continue
			default:
			}
			c.mu.Unlock()
			select { // another source is fetching it: wait for that one
			case <-e.ready:
				if e.err != nil {
					return nil, e.err
				}
				continue
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}
		if len(c.entries) >= maxRobotsEntries {
			c.forgetExpired(f.opts.Now())
		}
		e = &robotsEntry{ready: make(chan struct{})}
		c.entries[key] = e
		c.mu.Unlock()
		e.data, e.expires, e.err = f.fetchRobots(ctx, u)
		if e.err == nil {
			if g := e.data.FindGroup(f.opts.UserAgent); g != nil && g.CrawlDelay > 0 {
				f.transport.setCrawlDelay(u.Host, g.CrawlDelay)
			}
		}
		close(e.ready)
		if e.err != nil {
			return nil, e.err
		}
		return e.data, nil
	}
}

// fetchRobots reads the robots.txt of u's host.
func (f *Fetcher) fetchRobots(ctx context.Context, u *url.URL) (*robotstxt.RobotsData, time.Time, error) {
	ru := url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	req, err := http.NewRequestWithContext(withKind(ctx, kindRobots), http.MethodGet, ru.String(), nil)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("robots.txt: %w", err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("robots.txt: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, robotsMaxBody))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("robots.txt: %w", err)
	}
	code := resp.StatusCode
	if code >= 300 && code < 400 { // redirects past the client's limit: as unavailable
		code = http.StatusNotFound
	}
	data, err := robotstxt.FromStatusAndBytes(code, body)
	if err != nil {
		// An unparsable file is no file: everything is allowed.
		data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	}
	life := robotsMaxAge(resp.Header.Get("Cache-Control"))
	if code >= 500 {
		life = robotsErrLifetime
	}
	return data, f.opts.Now().Add(life), nil
}

// robotsMaxAge reads max-age from Cache-Control, within the bounds above.
func robotsMaxAge(cc string) time.Duration {
	for _, part := range strings.Split(cc, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(k, "max-age") {
			continue
		}
		if secs, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil {
			return min(max(time.Duration(secs)*time.Second, robotsMinLifetime), robotsLifetime)
		}
	}
	return robotsLifetime
}

// forgetExpired drops the entries that are done and expired, and if that
// is not enough, done ones at random; c.mu is held.
func (c *robotsCache) forgetExpired(now time.Time) {
	for _, always := range []bool{false, true} {
		for k, e := range c.entries {
			select {
			case <-e.ready:
				if always || !now.Before(e.expires) {
					delete(c.entries, k)
				}
			default:
			}
			if always && len(c.entries) < maxRobotsEntries/2 {
				return
			}
		}
		if len(c.entries) < maxRobotsEntries {
			return
		}
	}
}
