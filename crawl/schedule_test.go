package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// starts records when a test server began each request, by path.
type starts struct {
	mu sync.Mutex
	at map[string][]time.Time
	// order is every request's path in the order they arrived.
	order []string
}

func (s *starts) add(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.at == nil {
		s.at = map[string][]time.Time{}
	}
	s.at[path] = append(s.at[path], time.Now())
	s.order = append(s.order, path)
}

func (s *starts) times(prefix string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for p, ts := range s.at {
		if strings.HasPrefix(p, prefix) {
			out = append(out, ts...)
		}
	}
	sortTimes(out)
	return out
}

func (s *starts) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.at[path])
}

func sortTimes(ts []time.Time) { slices.SortFunc(ts, time.Time.Compare) }

// minGap is the shortest time between two consecutive starts.
func minGap(ts []time.Time) time.Duration {
	gap := time.Duration(1<<63 - 1)
	for i := 1; i < len(ts); i++ {
		gap = min(gap, ts[i].Sub(ts[i-1]))
	}
	return gap
}

// TestSourcesSharingAHostAllSucceed is the case that lost news: many feeds
// on one host, each answering in 100 ms, with two requests in flight to
// the host. The last feed waits about three seconds for its turn, three
// times the request timeout; the timeout measures the server, not the
// queue, so every feed succeeds. (Timeout is shortened from the shipped
// 30s to 1s so that the queue is longer than it without a long test.)
func TestSourcesSharingAHostAllSucceed(t *testing.T) {
	body := fixture(t, "rss2.xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	f := newFetcher(t, func(o *Options) { o.Timeout = time.Second; o.PerHost = 2 }, srv)
	const n = 60
	var wg sync.WaitGroup
	var failed atomic.Int32
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			res := f.Fetch(context.Background(), Source{Name: fmt.Sprint("section-", i), Feed: fmt.Sprintf("%s/feed/%d", srv.URL, i)}, Validators{}, nil)
			if res.Err != nil {
				failed.Add(1)
				t.Errorf("section-%d: %v", i, res.Err)
			}
		})
	}
	wg.Wait()
	t.Logf("%d feeds of one host in %s, %d failed", n, time.Since(start).Round(time.Millisecond), failed.Load())
}

// TestRequestTimeoutMeasuresTheServer: a server that does not answer
// within the timeout still fails, and says so.
func TestRequestTimeoutMeasuresTheServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	f := newFetcher(t, func(o *Options) { o.Timeout = 300 * time.Millisecond }, srv)
	res := f.Fetch(context.Background(), Source{Name: "stuck", Feed: srv.URL + "/rss"}, Validators{}, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "timeout after 300ms") {
		t.Fatalf("err = %v, want a timeout after 300ms", res.Err)
	}
}

// TestCancelledWaitGivesBackItsTurn: requests that give up while waiting
// for their host's page delay leave no booked start behind. Ten waiters
// are cancelled; a request made after them must start one delay after the
// last real request, not ten. Its deadline (the cycle's budget) is
// shorter than ten delays, so with booked starts left behind it would be
// deferred instead of sent.
func TestCancelledWaitGivesBackItsTurn(t *testing.T) {
	var st starts
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.add(r.URL.Path)
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body><article><p>text</p></article></body></html>"))
	}))
	defer srv.Close()
	const delay = 200 * time.Millisecond
	f := newFetcher(t, func(o *Options) { o.PageDelay = delay; o.PerHost = 16 }, srv)
	if _, err := f.Article(context.Background(), srv.URL+"/first"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 10 {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		wg.Go(func() {
			if _, err := f.Article(ctx, fmt.Sprintf("%s/gave-up/%d", srv.URL, i)); err == nil {
				t.Errorf("request %d was sent though its wait was cancelled", i)
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*delay)
	defer cancel()
	if _, err := f.Article(ctx, srv.URL+"/after"); err != nil {
		t.Fatalf("request after the cancelled ones: %v", err)
	}
	if n := len(st.times("/gave-up")); n != 0 {
		t.Errorf("%d cancelled requests reached the server", n)
	}
	// A little slack for the clock's resolution between client and server.
	if gap := st.times("/after")[0].Sub(st.times("/first")[0]); gap < delay-20*time.Millisecond {
		t.Errorf("second page request came %s after the first, before the page delay of %s", gap, delay)
	}
}

// TestDeferredPastTheDeadline: a request that its host cannot take before
// the caller's deadline is not sent, and the error says it was not
// reached rather than that the source failed.
func TestDeferredPastTheDeadline(t *testing.T) {
	var st starts
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.add(r.URL.Path)
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body><article><p>text</p></article></body></html>"))
	}))
	defer srv.Close()
	f := newFetcher(t, func(o *Options) { o.PageDelay = 10 * time.Second }, srv)
	if _, err := f.Article(context.Background(), srv.URL+"/a"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := f.Article(ctx, srv.URL+"/b")
	if !errors.Is(err, ErrDeferred) {
		t.Fatalf("err = %v, want ErrDeferred", err)
	}
	if st.count("/b") != 0 {
		t.Error("the deferred request reached the server")
	}
}

// TestCrawlDelayIsHonouredAndRobotsCached: robots.txt asks for a second
// between pages. A listing source with three articles, read twice, and a
// second source on the same host: the page requests are at least a second
// apart, and robots.txt is fetched once for all of them.
func TestCrawlDelayIsHonouredAndRobotsCached(t *testing.T) {
	var st starts
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		st.add(r.URL.Path)
		_, _ = w.Write([]byte("User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n"))
	})
	mux.HandleFunc("/news", func(w http.ResponseWriter, r *http.Request) {
		st.add(r.URL.Path)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><body><a class="s" href="/a/1">One</a><a class="s" href="/a/2">Two</a><a class="s" href="/private/3">Three</a></body></html>`)
	})
	mux.HandleFunc("/a/", func(w http.ResponseWriter, r *http.Request) {
		st.add(r.URL.Path)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>T</title></head><body><article><p>Body of the story, long enough to count as text.</p></article></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newFetcher(t, func(o *Options) { o.Robots = true; o.PageDelay = 100 * time.Millisecond }, srv)
	for run := range 2 {
		res := f.Fetch(context.Background(), Source{Name: "listing", Page: srv.URL + "/news", Links: "a.s"}, Validators{}, nil)
		if res.Err != nil {
			t.Fatalf("run %d: %v", run, res.Err)
		}
		if len(res.Items) != 3 {
			t.Fatalf("run %d: %d items, want 3", run, len(res.Items))
		}
		if len(res.Pending) != 1 {
			t.Errorf("run %d: pending = %v, want the disallowed article only", run, res.Pending)
		}
	}
	if _, err := f.Article(context.Background(), srv.URL+"/a/9"); err != nil {
		t.Fatal(err)
	}
	if n := st.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once", n)
	}
	if n := st.count("/private/3"); n != 0 {
		t.Errorf("a page robots.txt disallows was fetched %d times", n)
	}
	pages := append(st.times("/news"), st.times("/a/")...)
	sortTimes(pages)
	// A little slack for the clock's resolution between client and server.
	if gap := minGap(pages); gap < time.Second-20*time.Millisecond {
		t.Errorf("page requests %s apart, want at least the Crawl-delay of 1s", gap)
	}
	t.Logf("%d page requests, shortest gap %s", len(pages), minGap(pages).Round(time.Millisecond))
}

// TestRetryAfterHoldsTheHost: a 429 with Retry-After: 2 from one feed
// holds every request to that host for two seconds; another host is not
// held.
func TestRetryAfterHoldsTheHost(t *testing.T) {
	var st starts
	var first atomic.Bool
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.add(r.URL.Path)
		if first.CompareAndSwap(false, true) {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write(fixture(t, "rss2.xml"))
	}))
	defer busy.Close()
	var otherAt atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherAt.Store(time.Now().UnixNano())
		_, _ = w.Write(fixture(t, "rss2.xml"))
	}))
	defer other.Close()
	f := newFetcher(t, nil, busy, other)
	res := f.Fetch(context.Background(), Source{Name: "a", Feed: busy.URL + "/a"}, Validators{}, nil)
	if res.RetryAfter != 2*time.Second {
		t.Fatalf("first feed: RetryAfter = %s (err %v), want 2s", res.RetryAfter, res.Err)
	}
	refused := st.times("/a")[0]
	if res := f.Fetch(context.Background(), Source{Name: "o", Feed: other.URL + "/o"}, Validators{}, nil); res.Err != nil {
		t.Fatal(res.Err)
	}
	if wait := time.Unix(0, otherAt.Load()).Sub(refused); wait > time.Second {
		t.Errorf("another host waited %s for the busy one", wait)
	}
	if res := f.Fetch(context.Background(), Source{Name: "b", Feed: busy.URL + "/b"}, Validators{}, nil); res.Err != nil {
		t.Fatal(res.Err)
	}
	if wait := st.times("/b")[0].Sub(refused); wait < 2*time.Second-20*time.Millisecond {
		t.Errorf("second feed of the busy host sent %s after its 429, want at least the 2s it asked for", wait)
	}
	// A caller whose deadline falls inside the pause is not kept waiting.
	first.Store(false)
	_ = f.Fetch(context.Background(), Source{Name: "c", Feed: busy.URL + "/c"}, Validators{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if res := f.Fetch(ctx, Source{Name: "d", Feed: busy.URL + "/d"}, Validators{}, nil); !errors.Is(res.Err, ErrDeferred) {
		t.Errorf("feed inside the pause: err = %v, want ErrDeferred", res.Err)
	}
}

// TestRetryAfterIsCapped: a Retry-After of a year holds the host no longer
// than MaxRetryAfter.
func TestRetryAfterIsCapped(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", fmt.Sprint(365*24*3600))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(fixture(t, "rss2.xml"))
	}))
	defer srv.Close()
	f := newFetcher(t, func(o *Options) { o.MaxRetryAfter = 300 * time.Millisecond }, srv)
	_ = f.Fetch(context.Background(), Source{Name: "a", Feed: srv.URL + "/a"}, Validators{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if res := f.Fetch(ctx, Source{Name: "b", Feed: srv.URL + "/b"}, Validators{}, nil); res.Err != nil {
		t.Fatalf("after a year's Retry-After capped at 300ms: %v", res.Err)
	}
}

// TestStrugglingHostIsSlowed: after a 503 without Retry-After the host
// gets one request at a time, at least a second apart; quick good answers
// bring it back to its pace.
func TestStrugglingHostIsSlowed(t *testing.T) {
	var st starts
	var calls atomic.Int32
	var inflight, peakAfter atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.add(r.URL.Path)
		k := calls.Add(1)
		if k == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		now := inflight.Add(1)
		defer inflight.Add(-1)
		if now > peakAfter.Load() {
			peakAfter.Store(now)
		}
		time.Sleep(20 * time.Millisecond)
		_, _ = w.Write(fixture(t, "rss2.xml"))
	}))
	defer srv.Close()
	f := newFetcher(t, func(o *Options) { o.PerHost = 4 }, srv)
	if res := f.Fetch(context.Background(), Source{Name: "s0", Feed: srv.URL + "/s/0"}, Validators{}, nil); res.Err == nil {
		t.Fatal("the 503 did not fail the feed")
	}
	var wg sync.WaitGroup
	for i := 1; i <= 3; i++ {
		wg.Go(func() {
			if res := f.Fetch(context.Background(), Source{Name: fmt.Sprint("s", i), Feed: fmt.Sprintf("%s/s/%d", srv.URL, i)}, Validators{}, nil); res.Err != nil {
				t.Error(res.Err)
			}
		})
	}
	wg.Wait()
	ts := st.times("/s/")
	if gap := ts[1].Sub(ts[0]); gap < time.Second-20*time.Millisecond {
		t.Errorf("first request after the 503 came %s later, want at least 1s", gap)
	}
	if p := peakAfter.Load(); p != 1 {
		t.Errorf("%d requests at once to the struggling host, want 1", p)
	}
	t.Logf("gaps after a 503: %v", []time.Duration{ts[1].Sub(ts[0]).Round(time.Millisecond), ts[2].Sub(ts[1]).Round(time.Millisecond), ts[3].Sub(ts[2]).Round(time.Millisecond)})
}

// TestListingConditionalGET: a listing page is fetched with the validators
// it gave; unchanged, it costs a 304 and yields nothing to parse.
func TestListingConditionalGET(t *testing.T) {
	var full, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/news" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><article><p>Story text.</p></article></body></html>`)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><a class="s" href="/a/1">One</a></body></html>`)
	}))
	defer srv.Close()
	f := newFetcher(t, nil, srv)
	src := Source{Name: "listing", Page: srv.URL + "/news", Links: "a.s"}
	res := f.Fetch(context.Background(), src, Validators{}, nil)
	if res.Err != nil || res.Validators.ETag != `"v1"` {
		t.Fatalf("first fetch: err %v, validators %+v", res.Err, res.Validators)
	}
	res = f.Fetch(context.Background(), src, res.Validators, nil)
	if res.Err != nil || !res.NotModified || len(res.Items) != 0 {
		t.Fatalf("second fetch: err %v, not modified %v, %d items", res.Err, res.NotModified, len(res.Items))
	}
	if full.Load() != 1 || notModified.Load() != 1 {
		t.Errorf("server sent %d full listings and %d 304s, want 1 and 1", full.Load(), notModified.Load())
	}
}

// TestArticleFailureIsPending: a fulltext feed whose article page fails
// reports the item as pending, with the cause, so that it can be tried
// again; the item is still returned with what the feed gave.
func TestArticleFailureIsPending(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	feed := []byte(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>
<item><title>Teaser one</title><link>` + srv.URL + `/a/1</link><guid>1</guid></item>
<item><title>Teaser two</title><link>` + srv.URL + `/a/2</link><guid>2</guid></item>
</channel></rss>`)
	mux.HandleFunc("/rss", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(feed) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "overloaded", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><article><p>The article's own text.</p></article></body></html>`)
	})
	f := newFetcher(t, nil, srv)
	src := Source{Name: "teasers", Feed: srv.URL + "/rss", Fulltext: true}
	res := f.Fetch(context.Background(), src, Validators{}, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Items) != 2 || len(res.Pending) != 2 {
		t.Fatalf("%d items, %d pending: want 2 and 2", len(res.Items), len(res.Pending))
	}
	for k, err := range res.Pending {
		if !strings.Contains(err.Error(), "502") {
			t.Errorf("pending %s: cause %v does not name the status", k, err)
		}
	}
	fail.Store(false)
	res = f.Fetch(context.Background(), src, Validators{}, nil)
	if len(res.Pending) != 0 {
		t.Errorf("pages that answer now still pending: %v", res.Pending)
	}
}

// TestPauses checks the host pauses on the fake clock of a synctest
// bubble: HostDelay spaces every request to a host, PageDelay spaces its
// pages, and neither holds another host.
func TestPauses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lt := newLimitTransport(nil, Options{Concurrency: 4, PerHost: 4, HostDelay: 2 * time.Second, PageDelay: 3 * time.Second, MaxBody: 1})
		a, b := lt.host("a.example"), lt.host("b.example")
		start := time.Now()
		var starts []time.Duration
		steps := []struct {
			h    *host
			kind requestKind
		}{{a, kindFeed}, {a, kindFeed}, {b, kindPage}, {a, kindPage}, {a, kindPage}, {a, kindFeed}}
		for _, s := range steps {
			if err := lt.waitTurn(context.Background(), "x", s.h, s.kind); err != nil {
				t.Fatal(err)
			}
			starts = append(starts, time.Since(start))
		}
		want := []time.Duration{0, 2 * time.Second, 2 * time.Second, 4 * time.Second, 7 * time.Second, 9 * time.Second}
		for i := range want {
			if starts[i] != want[i] {
				t.Errorf("request %d started at %s, want %s (all: %v)", i, starts[i], want[i], starts)
			}
		}
	})
}

// TestHostSlotsAreFirstComeFirstServed: waiters for a host's slot get it
// in the order they asked, and one that gives up is skipped.
func TestHostSlotsAreFirstComeFirstServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &host{perHost: 1}
		if err := h.acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var order []int
		var wg sync.WaitGroup
		for i := range 4 {
			ctx, cancel := context.WithCancel(context.Background())
			if i == 1 {
				cancel() // gives up before its turn
			}
			defer cancel()
			wg.Go(func() {
				if err := h.acquire(ctx); err != nil {
					return
				}
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				time.Sleep(time.Second)
				h.release()
			})
			synctest.Wait() // each waiter is queued before the next
		}
		h.release()
		wg.Wait()
		if fmt.Sprint(order) != "[0 2 3]" {
			t.Errorf("slots went to %v, want [0 2 3]", order)
		}
		if h.inflight != 0 || len(h.waiters) != 0 {
			t.Errorf("after all: %d in flight, %d waiting", h.inflight, len(h.waiters))
		}
	})
}

// TestOneBrokenFeedDoesNotSlowItsHost: a 500 or a broken feed belongs to
// its URL; the other feeds of the host keep both slots.
func TestOneBrokenFeedDoesNotSlowItsHost(t *testing.T) {
	var inflight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(50 * time.Millisecond)
		_, _ = w.Write(fixture(t, "rss2.xml"))
	}))
	defer srv.Close()
	f := newFetcher(t, func(o *Options) { o.PerHost = 2 }, srv)
	if res := f.Fetch(context.Background(), Source{Name: "broken", Feed: srv.URL + "/broken"}, Validators{}, nil); res.Err == nil {
		t.Fatal("the 500 did not fail its feed")
	}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if res := f.Fetch(context.Background(), Source{Name: fmt.Sprint("s", i), Feed: fmt.Sprintf("%s/s/%d", srv.URL, i)}, Validators{}, nil); res.Err != nil {
				t.Error(res.Err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Errorf("%d requests at once after one feed's 500, want the 2 per_host allows", p)
	}
}

// TestIdleHostsAreForgotten: a daemon reading article pages from
// thousands of sites does not keep every host's state forever; a host in
// a pause or with a request in flight is kept.
func TestIdleHostsAreForgotten(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lt := newLimitTransport(nil, Options{Concurrency: 4, PerHost: 2, MaxBody: 1})
		for i := range maxIdleHosts - 2 {
			lt.host(fmt.Sprint("site", i, ".example")).lastStart = time.Now()
		}
		busy := lt.host("busy.example")
		busy.inflight = 1
		paused := lt.host("paused.example")
		paused.pausedUntil = time.Now().Add(3 * time.Hour)
		time.Sleep(2 * time.Hour)
		lt.host("new.example")
		if n := len(lt.hosts); n != 3 {
			t.Errorf("%d hosts remembered after the sweep, want 3 (busy, paused, new)", n)
		}
	})
}

// TestRobotsCacheIsBounded: robots.txt entries past the bound are
// dropped, the expired ones first.
func TestRobotsCacheIsBounded(t *testing.T) {
	c := robotsCache{entries: map[string]*robotsEntry{}}
	now := time.Now()
	done := make(chan struct{})
	close(done)
	for i := range maxRobotsEntries {
		exp := now.Add(time.Hour)
		if i%2 == 0 {
			exp = now.Add(-time.Minute)
		}
		c.entries[fmt.Sprint("https://site", i)] = &robotsEntry{ready: done, expires: exp}
	}
	c.forgetExpired(now)
	if n := len(c.entries); n != maxRobotsEntries/2 {
		t.Errorf("%d entries after dropping the expired, want %d", n, maxRobotsEntries/2)
	}
	for _, e := range c.entries {
		if !now.Before(e.expires) {
			t.Fatal("an expired entry was kept")
		}
	}
}
