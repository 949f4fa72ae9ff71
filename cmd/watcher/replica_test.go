package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// countedFeeds serves RSS feeds at /feed/<i>, each with one item that
// matches the topic and one that does not, dated an hour ago, and counts
// the requests per feed. Each answer takes 20 ms, as a distant server's
// would, so that a replica's crawl lasts long enough for the others to
// start during it (the test's assertions do not depend on it).
type countedFeeds struct {
	url  string
	mu   sync.Mutex
	hits map[string]int
	// inFlight and maxInFlight count the requests being answered at once:
	// the server is one host, whoever asks.
	inFlight, maxInFlight int
}

func newCountedFeeds(t *testing.T) *countedFeeds { return newSlowFeeds(t, 20*time.Millisecond) }

// newSlowFeeds is newCountedFeeds with each answer taking delay.
func newSlowFeeds(t *testing.T, delay time.Duration) *countedFeeds {
	f := &countedFeeds{hits: map[string]int{}}
	date := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, ok := strings.CutPrefix(r.URL.Path, "/feed/")
		if !ok {
			http.NotFound(w, r) // robots.txt: no rules
			return
		}
		f.mu.Lock()
		f.hits[r.URL.Path]++
		f.inFlight++
		f.maxInFlight = max(f.maxInFlight, f.inFlight)
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.inFlight--
			f.mu.Unlock()
		}()
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %s</title>`, i)
		fmt.Fprintf(w, `<item><guid>%s-a</guid><title>AZAL flight %s lands in Aktau</title><link>http://news.example.org/%s/a</link><pubDate>%s</pubDate></item>`, i, i, i, date)
		fmt.Fprintf(w, `<item><guid>%s-b</guid><title>Weather in Baku, day %s</title><link>http://news.example.org/%s/b</link><pubDate>%s</pubDate></item>`, i, i, i, date)
		io.WriteString(w, `</channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// TestReplicasShareTheWork starts three `watcher --once --replica` at
// once on one PostgreSQL state over 96 feeds on 24 hosts (4 feeds each),
// with the shipped per_host 2: every feed is fetched once in all
// (counted at the servers), the replicas' fetches add up to the feeds,
// no host ever has more than 2 requests of all replicas in flight (each
// host is read by one replica at a time), and once a fourth run has
// delivered what the three left (as a replica's next cycle would), every
// matching item has reached the webhook exactly once and no other item
// has.
func TestReplicasShareTheWork(t *testing.T) {
	t.Parallel()
	const hosts, perHost = 24, 4
	url := postgres.NewDatabase(t)
	servers := make([]*countedFeeds, hosts)
	for h := range servers {
		// 200 ms an answer: long enough that the replicas' crawls
		// overlap, and with them, without host leases, their requests to
		// a host.
		servers[h] = newSlowFeeds(t, 200*time.Millisecond)
	}
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	var cfg strings.Builder
	// backfill: so that the first (and only) read of each feed alerts,
	// and one round of replicas shows both the split and the delivery.
	cfg.WriteString("state: " + url + "\nbackfill: 48h\nsources:\n")
	feed := func(h, i int) int { return i*hosts + h } // feed n on host n mod 24
	// The hosts' feeds interleaved, as the sections of an outlet are
	// scattered through a real configuration: claiming in the order of
	// the list would give each replica a part of every host.
	for i := range perHost {
		for h, f := range servers {
			fmt.Fprintf(&cfg, "  - name: feed-%02d\n    feed: %s/feed/%d\n", feed(h, i), f.url, feed(h, i))
		}
	}
	cfg.WriteString("topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n" + webhookAlerts(hookURL, 3))
	writeConfig(t, dir, cfg.String())

	var wg sync.WaitGroup
	runs := make([]result, 3)
	for i := range runs {
		wg.Go(func() { runs[i] = watcher(t, dir, nil, "--once", "--replica", "r"+strconv.Itoa(i)) })
	}
	wg.Wait()
	fetched := 0
	for i, r := range runs {
		if r.code != exitOK {
			t.Fatalf("replica r%d: exit %d\n%s", i, r.code, r.stderr)
		}
		n, _ := strconv.Atoi(summaryField(t, r.stderr, "ok"))
		fetched += n
		t.Logf("replica r%d fetched %d feeds", i, n)
	}
	if fetched != hosts*perHost {
		t.Errorf("the replicas fetched %d feeds between them, want %d", fetched, hosts*perHost)
	}
	last := watcher(t, dir, nil, "--once", "--replica", "r3")
	if last.code != exitOK {
		t.Fatalf("fourth run: exit %d\n%s", last.code, last.stderr)
	}
	for h, f := range servers {
		f.mu.Lock()
		for i := range perHost {
			if n := f.hits["/feed/"+strconv.Itoa(feed(h, i))]; n != 1 {
				t.Errorf("feed %d fetched %d times, want once", feed(h, i), n)
			}
		}
		if f.maxInFlight > 2 {
			t.Errorf("host %s had %d requests in flight at once, want at most per_host (2) across replicas", f.url, f.maxInFlight)
		}
		f.mu.Unlock()
	}

	items, _, _ := hook.decode(t)
	got := map[string]int{}
	for _, it := range items {
		got[it.URL]++
	}
	for i := range hosts * perHost {
		if n := got[fmt.Sprintf("http://news.example.org/%d/a", i)]; n != 1 {
			t.Errorf("the match of feed %d was delivered %d times, want once", i, n)
		}
	}
	if len(items) != hosts*perHost {
		t.Errorf("webhook got %d items, want the %d matches only", len(items), hosts*perHost)
	}
}

// TestReplicaNeedsPostgres checks --replica on a bbolt state is a usage
// error naming the file: replicas need a state they can share.
func TestReplicaNeedsPostgres(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeConfig(t, dir, "sources:\n  - name: News\n    feed: http://127.0.0.1:1/feed.xml\ntopics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n")
	r := watcher(t, dir, nil, "--once", "--replica", "r1")
	if r.code != exitUsage || !strings.Contains(r.stderr, "replicas share a PostgreSQL state, and state is the file watcher.db") {
		t.Errorf("exit %d, want %d and the reason:\n%s", r.code, exitUsage, r.stderr)
	}
}

// TestReplicasPaceSharedPageHost: three replicas read 9 teaser feeds on
// 9 hosts (fulltext: true) whose stories are all on one other host, as an
// aggregator's are. Each replica reads its own feeds, yet the article
// pages they fetch from the one host start at least the shipped
// page_delay (500 ms) apart across the three (the starts are taken at
// the server), as they would from one watcher; without the pause shared
// through the database they come several at a time.
func TestReplicasPaceSharedPageHost(t *testing.T) {
	t.Parallel()
	const feeds = 9
	var mu sync.Mutex
	var starts []time.Time
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed" {
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Front page</title></channel></rss>`)
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/story/") {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Story</title></head><body><article><h1>Story %s</h1><p>AZAL and the investigators in Aktau published the findings about the crash.</p></article></body></html>`, r.URL.Path)
	}))
	t.Cleanup(pages.Close)
	date := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	var published atomic.Bool // the stories appear after the first round
	url := postgres.NewDatabase(t)
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	var cfg strings.Builder
	// concurrency 2: a replica's crawl takes 4 hosts at a time (its 8
	// workers, 2 per host), so that each of the three has feeds to read;
	// with the shipped 16 the first would claim all 9 hosts at once.
	cfg.WriteString("state: " + url + "\nfetch:\n  concurrency: 2\nsources:\n")
	// The page host is a source too (its front page feed), as only the
	// configured sources' hosts may be on loopback.
	fmt.Fprintf(&cfg, "  - name: front-page\n    feed: %s/feed\n", pages.URL)
	for i := range feeds {
		feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/feed" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire %d</title>`, i)
			if published.Load() {
				fmt.Fprintf(w, `<item><title>Wire %d: the latest</title><link>%s/story/%d</link><pubDate>%s</pubDate></item>`, i, pages.URL, i, date)
			}
			io.WriteString(w, `</channel></rss>`)
		}))
		t.Cleanup(feed.Close)
		fmt.Fprintf(&cfg, "  - name: wire-%d\n    feed: %s/feed\n    fulltext: true\n", i, feed.URL)
	}
	cfg.WriteString("topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n" + webhookAlerts(hookURL, 3))
	writeConfig(t, dir, cfg.String())

	round := func(name string) {
		t.Helper()
		var wg sync.WaitGroup
		runs := make([]result, 3)
		for i := range runs {
			wg.Go(func() { runs[i] = watcher(t, dir, nil, "--once", "--replica", "r"+strconv.Itoa(i)) })
		}
		wg.Wait()
		for i, r := range runs {
			if r.code != exitOK {
				t.Fatalf("%s: replica r%d: exit %d\n%s", name, i, r.code, r.stderr)
			}
			t.Logf("%s: replica r%d fetched %s feeds", name, i, summaryField(t, r.stderr, "ok"))
		}
		// The next round stands for the next scheduled cycle: end the
		// hold on the sources fetched, which would otherwise last until
		// four fifths of the way to it.
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "UPDATE source_leases SET expires_at = '-infinity'"); err != nil {
			t.Fatal(err)
		}
	}
	round("first read") // the feeds' baseline: no pages
	published.Store(true)
	round("stories out")
	if last := watcher(t, dir, nil, "--once", "--replica", "r3"); last.code != exitOK {
		t.Fatalf("last run: exit %d\n%s", last.code, last.stderr)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(starts) != feeds {
		t.Fatalf("the page host served %d article pages, want %d (one a story)", len(starts), feeds)
	}
	slices.SortFunc(starts, time.Time.Compare)
	// The pause is booked on the database's clock; the starts are read at
	// the server after each request's way through its replica (robots.txt,
	// the connection, a loaded machine's scheduling), which varies by tens
	// of milliseconds. Half the delay still tells paced pages from the
	// unpaced ones, which start together.
	const least = 250 * time.Millisecond
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < least {
			t.Errorf("article pages %d and %d started %s apart, want the page_delay of 500ms (at least %s)", i-1, i, gap.Round(time.Millisecond), least)
		}
	}
	if items, _, _ := hook.decode(t); len(items) != feeds {
		t.Errorf("webhook got %d items, want the %d stories, matched on their article text", len(items), feeds)
	}
}

// TestReplicaHandsOverRetryAfter: a host that answered one replica with
// 429 and Retry-After: 3600 is not called by the replica that reads it
// next cycle either, for any of its sources: the pause goes with the
// host's lease. (Without it, the next replica would start afresh on a
// host that asked for an hour's rest.)
func TestReplicaHandsOverRetryAfter(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/busy":
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/other":
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Other</title></channel></rss>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	url := postgres.NewDatabase(t)
	dir := t.TempDir()
	head := "state: " + url + "\nsources:\n  - name: busy\n    feed: " + srv.URL + "/busy\n"
	tail := "topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n"
	writeConfig(t, dir, head+tail)
	if r := watcher(t, dir, nil, "--once", "--replica", "r0"); !strings.Contains(r.stderr, "429") {
		t.Fatalf("first run: want the 429 reported:\n%s", r.stderr)
	}
	// Next cycle (the hold on the sources read ended), another replica,
	// and a second source on the same host.
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "UPDATE source_leases SET expires_at = '-infinity'"); err != nil {
		t.Fatal(err)
	}
	writeConfig(t, dir, head+"  - name: other\n    feed: "+srv.URL+"/other\n"+tail)
	r := watcher(t, dir, nil, "--once", "--replica", "r1")
	if r.code != exitOK && r.code != exitFailed {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits["/busy"] != 1 || hits["/other"] != 0 {
		t.Errorf("the host got %d requests for /busy and %d for /other; want the one that was refused and none after it:\n%s",
			hits["/busy"], hits["/other"], r.stderr)
	}
	if got := summaryField(t, r.stderr, "not_reached"); got != "1" {
		t.Errorf("second run: not_reached=%s, want the new source of the paused host (1):\n%s", got, r.stderr)
	}
}

// TestReplicaDaemons runs three daemons with --replica on one database
// over 12 feeds on 12 hosts, a cycle every 2 s each: after the silent
// first reads a story appears in every feed, and every match reaches the
// webhook exactly once, in digests none of which comes twice, while each
// daemon runs its cycles without an error (the cycle lock shared, the
// sender lock taken for each delivery, the database connected afresh
// each cycle).
func TestReplicaDaemons(t *testing.T) {
	t.Parallel()
	const feeds = 12
	url := postgres.NewDatabase(t)
	hook, hookURL := newHook(t)
	var news []*newsFeed
	var cfg strings.Builder
	// Every 2 s: the test sees several cycles of each daemon.
	cfg.WriteString("state: " + url + "\nschedule: \"@every 2s\"\nsources:\n")
	for i := range feeds {
		f := newNewsFeed(t)
		f.add(fmt.Sprintf("w%d|Weather in Baku, day %d", i, i))
		news = append(news, f)
		fmt.Fprintf(&cfg, "  - name: feed-%02d\n    feed: %s\n", i, f.url)
	}
	cfg.WriteString("topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n" + webhookAlerts(hookURL, 3))
	dir := t.TempDir()
	writeConfig(t, dir, cfg.String())

	type daemon struct {
		cmd  *exec.Cmd
		mu   sync.Mutex
		log  strings.Builder
		done chan struct{}
	}
	var daemons []*daemon
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		t.Cleanup(cancel)
		d := &daemon{cmd: exec.CommandContext(ctx, watcherBin, "--replica", "d"+strconv.Itoa(i)), done: make(chan struct{})}
		d.cmd.Dir = dir
		stderr, err := d.cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := d.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			defer close(d.done)
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				d.mu.Lock()
				d.log.WriteString(sc.Text() + "\n")
				d.mu.Unlock()
			}
		}()
		daemons = append(daemons, d)
	}
	logOf := func(d *daemon) string {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.log.String()
	}
	waitUntil := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				for i, d := range daemons {
					t.Logf("daemon d%d:\n%s", i, logOf(d))
				}
				t.Fatalf("not within a minute: %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitUntil("every feed read once", func() bool {
		for _, f := range news {
			if f.requests() == 0 {
				return false
			}
		}
		return true
	})
	// Past every daemon's first cycle, so each is in the steady state.
	waitUntil("a cycle done by each daemon", func() bool {
		for _, d := range daemons {
			if !strings.Contains(logOf(d), "cycle done") {
				return false
			}
		}
		return true
	})
	for i, f := range news {
		f.add(fmt.Sprintf("a%d|AZAL flight %d lands in Aktau", i, i))
	}
	waitUntil("every match delivered", func() bool {
		items, _, _ := hook.decode(t)
		return len(items) >= feeds
	})
	time.Sleep(5 * time.Second) // two more cycles each: nothing more is sent
	for _, d := range daemons {
		if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for i, d := range daemons {
		<-d.done
		if err := d.cmd.Wait(); err != nil {
			t.Errorf("daemon d%d: %v\n%s", i, err, logOf(d))
		}
		log := logOf(d)
		if strings.Contains(log, "level=ERROR") {
			t.Errorf("daemon d%d logged an error:\n%s", i, log)
		}
		t.Logf("daemon d%d: %d cycles, %d of them sent digests", i, strings.Count(log, "cycle done"), strings.Count(log, "msg=\"digest sent\""))
	}
	items, ids, _ := hook.decode(t)
	got := map[string]int{}
	for _, it := range items {
		got[it.URL]++
	}
	for i, f := range news {
		if n := got[f.link(fmt.Sprintf("a%d", i))]; n != 1 {
			t.Errorf("the match of feed %d was delivered %d times, want once", i, n)
		}
	}
	if len(items) != feeds {
		t.Errorf("webhook got %d items, want the %d matches", len(items), feeds)
	}
	if len(ids) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
		t.Errorf("a digest came twice: ids %v", ids)
	}
}
