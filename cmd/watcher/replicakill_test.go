package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/watcher-news/watcher/pgstate"
)

// feedCounter is a reverse proxy in front of the feed server that counts
// the feed requests per path and, while closed, holds each one until it
// is opened (so that a replica can be caught, and killed, mid-crawl). It
// answers on several ports, each a host of its own to the watcher, so
// that replicas, which share hosts, have hosts to share.
type feedCounter struct {
	urls []string

	mu     sync.Mutex
	hits   map[string]int // requests per feed path since the last reset
	held   []string       // paths of the requests that arrived while closed
	closed bool
	open   chan struct{}
	arrive chan struct{} // a request was held
}

func newFeedCounter(t *testing.T, farmBase string, hosts int) *feedCounter {
	target, err := url.Parse(farmBase)
	if err != nil {
		t.Fatal(err)
	}
	c := &feedCounter{hits: map[string]int{}, open: make(chan struct{}), arrive: make(chan struct{}, 64)}
	proxy := httputil.NewSingleHostReverseProxy(target)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/outlet/") || strings.HasPrefix(r.URL.Path, "/synthetic/") {
			c.mu.Lock()
			c.hits[r.URL.Path]++
			closed, open := c.closed, c.open
			if closed {
				c.held = append(c.held, r.URL.Path)
			}
			c.mu.Unlock()
			if closed {
				c.arrive <- struct{}{}
				select {
				case <-open:
				case <-r.Context().Done():
					return
				}
			}
		}
		proxy.ServeHTTP(w, r)
	})
	for range hosts {
		srv := httptest.NewServer(handler)
		t.Cleanup(srv.Close)
		c.urls = append(c.urls, srv.URL)
	}
	return c
}

func (c *feedCounter) close() {
	c.mu.Lock()
	c.closed, c.open = true, make(chan struct{})
	c.mu.Unlock()
}

func (c *feedCounter) reopen() {
	c.mu.Lock()
	c.closed = false
	close(c.open)
	c.mu.Unlock()
}

// take returns the counts and held paths so far and starts afresh.
func (c *feedCounter) take() (map[string]int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hits, held := c.hits, c.held
	c.hits, c.held = map[string]int{}, nil
	return hits, held
}

func (c *feedCounter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[path]
}

// senderHook is a webhook endpoint that holds the first digest it is
// sent until the test has killed its sender, then refuses it (its sender
// never hears back), and accepts every later one, noting which replica
// held the sender lock while sending it.
type senderHook struct {
	url string
	db  *pgstate.Store

	mu       sync.Mutex
	first    bool
	heldID   string        // the id of the digest held, once one is
	heldBy   string        // the sender lock's holder while it was sent
	release  chan struct{} // closed once its sender is dead
	accepted []acceptedDigest
	arrived  chan struct{}
}

type acceptedDigest struct {
	id, by string
	body   []byte
}

func newSenderHook(t *testing.T, db *pgstate.Store) *senderHook {
	h := &senderHook{db: db, first: true, release: make(chan struct{}), arrived: make(chan struct{}, 1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var d struct{ ID string }
		json.Unmarshal(body, &d)
		by, _, err := db.SenderHolder(r.Context())
		if err != nil {
			t.Errorf("who holds the sender lock: %v", err)
		}
		h.mu.Lock()
		first := h.first
		h.first = false
		if first {
			h.heldID, h.heldBy = d.ID, by
		} else {
			h.accepted = append(h.accepted, acceptedDigest{id: d.ID, by: by, body: body})
		}
		h.mu.Unlock()
		if first {
			h.arrived <- struct{}{}
			<-h.release
			http.Error(w, "the sender is gone", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-h.release:
		default:
			close(h.release)
		}
	})
	h.url = srv.URL
	return h
}

// pairs lists every accepted item as "path topic" (the article's URL path:
// the host differs between the feed server and the proxy before it).
func pairsOf(t *testing.T, bodies [][]byte) []string {
	t.Helper()
	hl := &hookLog{}
	for _, b := range bodies {
		hl.digests = append(hl.digests, b)
	}
	items, _, _ := hl.decode(t)
	var out []string
	for _, it := range items {
		u, err := url.Parse(it.URL)
		if err != nil {
			t.Fatalf("item URL %q: %v", it.URL, err)
		}
		out = append(out, u.Path+" "+it.Topic)
	}
	slices.Sort(out)
	return out
}

// replicaProc is one `watcher --once --replica NAME` run.
type replicaProc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	exited chan struct{} // closed when it has ended; err is then set
	err    error
}

func startReplica(t *testing.T, dir, name string) *replicaProc {
	t.Helper()
	p := &replicaProc{exited: make(chan struct{})}
	p.cmd = exec.Command(watcherBin, "--once", "--replica", name)
	p.cmd.Dir = dir
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// kill SIGKILLs the run and waits until it has ended.
func (p *replicaProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// TestReplicasSurviveKills runs three replicas over the corpus outlets and
// 60 synthetic feeds of the feed server, spread over 8 hosts (replicas
// share hosts, not single sources), on one PostgreSQL state, and
// SIGKILLs one mid-crawl and then the replica delivering a digest:
// each source is fetched once a cycle across the replicas (counted at a
// proxy before the feed server), bar those the killed replica was
// reading when it died; its sources pass to the others when their leases
// run out; the killed sender's lock passes to another replica, which
// sends the digest the dead one was sending, with its id; and the
// webhook receives exactly what one watcher alone on a file delivers over
// the same feeds, nothing twice.
func TestReplicasSurviveKills(t *testing.T) {
	t.Parallel()
	corpus := filepath.Join(sharedDir, "corpus/dev.jsonl")
	before, after := "2024-12-24T00:00:00Z", "2026-10-15T00:00:00Z"
	f := startFarm(t, "-corpus", corpus, "-now", before, "-feeds", "60", "-items", "10")
	var outlets []outlet
	getJSON(t, f.base+"/outlets.json", &outlets)
	proxy := newFeedCounter(t, f.base, 8)

	// The shipped settings, but for two. The schedule: a replica holds a
	// source it fetched until four fifths of the way to the next cycle,
	// which with the shipped half hour would keep this test's second
	// cycle from reading anything; every 30 s makes that 24 s. The hold
	// must also outlast the whole of the second cycle, in which the
	// replicas run one --once after another until the killed ones' work
	// is done: past it, a source read early in that cycle is due again
	// and read a second time. With every 10 s (a hold of 8 s) that
	// happened in CI, three test jobs sharing two cores. The crawl's
	// budget: a source a killed replica had claimed is free again when its
	// lease, as long as the budget, runs out; 3 s (shorter than the hold,
	// so the others take it within their cycle) rather than the default
	// 8 s keeps the test short.
	head := shippedHead(t)
	for old, repl := range map[string]string{
		`schedule: "*/30 * * * *"`: `schedule: "@every 30s"`,
		"fetch:\n":                 "fetch:\n  budget: 3s\n",
	} {
		if !strings.Contains(head, old) {
			t.Fatalf("the shipped config.yaml has no %q to change", old)
		}
		head = strings.Replace(head, old, repl, 1)
	}
	// The sources over the hosts in bases, in turn.
	sources := func(bases ...string) string {
		var b strings.Builder
		b.WriteString("sources:\n")
		for i, o := range outlets {
			fmt.Fprintf(&b, "  - name: %s\n    feed: %s\n", o.Source, strings.Replace(o.Feed, f.base, bases[i%len(bases)], 1))
		}
		for i := range 60 {
			fmt.Fprintf(&b, "  - name: synthetic-%02d\n    feed: %s/synthetic/%d\n", i, bases[i%len(bases)], i)
		}
		return b.String()
	}
	nsources := len(outlets) + 60
	var paths []string // the feeds' paths, as the proxy counts them
	for _, o := range outlets {
		paths = append(paths, strings.TrimPrefix(o.Feed, f.base))
	}
	for i := range 60 {
		paths = append(paths, fmt.Sprintf("/synthetic/%d", i))
	}

	// What one watcher alone on a file delivers: a first, silent read
	// before the corpus begins, and a second after it ends.
	ref, refURL := newHook(t)
	refDir := t.TempDir()
	writeConfig(t, refDir, head+sources(f.base)+shippedTopics(t)+"alerts:\n  webhook:\n    - url: "+refURL+"\n")
	for _, now := range []string{before, after} {
		f.post(t, "/control/now?t="+now)
		if r := watcher(t, refDir, nil, "--once"); r.code != exitOK {
			t.Fatalf("the watcher alone: exit %d\n%s", r.code, r.stderr)
		}
	}
	ref.mu.Lock()
	var refBodies [][]byte
	for _, d := range ref.digests {
		refBodies = append(refBodies, d)
	}
	ref.mu.Unlock()
	t.Logf("the watcher alone: %d digest(s)", len(refBodies))
	want := pairsOf(t, refBodies)
	if len(want) == 0 {
		t.Fatal("the watcher alone delivered nothing: nothing to compare with")
	}
	t.Logf("the watcher alone: %d item-topic pairs", len(want))
	f.post(t, "/control/now?t="+before)

	dbURL := postgres.NewDatabase(t)
	db, err := pgstate.Open(context.Background(), dbURL, pgstate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hook := newSenderHook(t, db)
	dir := t.TempDir()
	writeConfig(t, dir, strings.Replace(head, "state: watcher.db", "state: "+dbURL, 1)+sources(proxy.urls...)+shippedTopics(t)+
		"alerts:\n  webhook:\n    - url: "+hook.url+"\n")

	// Cycle 1: the first read, silent; three replicas at once.
	var wg sync.WaitGroup
	runs := make([]result, 3)
	for i := range runs {
		wg.Go(func() { runs[i] = watcher(t, dir, nil, "--once", "--replica", fmt.Sprintf("r%d", i)) })
	}
	wg.Wait()
	cycle1End := time.Now()
	for i, r := range runs {
		if r.code != exitOK {
			t.Fatalf("cycle 1, replica r%d: exit %d\n%s", i, r.code, r.stderr)
		}
	}
	hits, _ := proxy.take()
	if len(hits) != nsources {
		t.Errorf("cycle 1: %d sources fetched, want all %d", len(hits), nsources)
	}
	for p, n := range hits {
		if n != 1 {
			t.Errorf("cycle 1: %s fetched %d times, want once", p, n)
		}
	}

	// Cycle 2, after the hold of cycle 1 (24 s from each replica's start,
	// so at most 24 s from its end): the corpus is all out. r0 starts
	// alone and is SIGKILLed while its first requests are held at the
	// proxy: it has claimed a wave of sources and read none.
	time.Sleep(time.Until(cycle1End.Add(24*time.Second + 200*time.Millisecond)))
	f.post(t, "/control/now?t="+after)
	proxy.close()
	r0 := startReplica(t, dir, "r0")
	select {
	case <-proxy.arrive:
	case <-r0.exited:
		t.Fatalf("r0 ended before fetching: %v\n%s", r0.err, r0.stderr.String())
	case <-time.After(time.Minute):
		t.Fatal("r0 fetched nothing in a minute")
	}
	r0.kill(t)
	proxy.reopen()

	// Then the three go on, each a `--once` after another (r0 restarted),
	// until every source is read and the webhook has what the watcher
	// alone delivered. The first digest sent is held at the webhook and
	// its sender, whoever holds the sender lock then, SIGKILLed.
	var (
		mu     sync.Mutex
		procs  = map[string]*replicaProc{}
		killed = map[*replicaProc]bool{}
		stop   = make(chan struct{})
		loops  sync.WaitGroup
	)
	for i := range 3 {
		name := fmt.Sprintf("r%d", i)
		loops.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				p := startReplica(t, dir, name)
				mu.Lock()
				procs[name] = p
				mu.Unlock()
				<-p.exited
				mu.Lock()
				wasKilled := killed[p]
				mu.Unlock()
				if p.err != nil && !wasKilled {
					t.Errorf("replica %s: %v\n%s", name, p.err, p.stderr.String())
					return
				}
				// A pause between runs, as between a daemon's cycles,
				// so replicas waiting for leases do not spin.
				time.Sleep(300 * time.Millisecond)
			}
		})
	}
	var sender string
	select {
	case <-hook.arrived:
		hook.mu.Lock()
		sender = hook.heldBy
		hook.mu.Unlock()
		mu.Lock()
		p := procs[sender]
		if p != nil {
			killed[p] = true
		}
		mu.Unlock()
		if p == nil {
			t.Fatalf("the held digest's sender is %q, not one of the replicas", sender)
		}
		p.kill(t)
		close(hook.release)
	case <-time.After(time.Minute):
		t.Fatal("no digest was sent in a minute")
	}

	deadline := time.Now().Add(time.Minute)
	var got []string
	var accepted []acceptedDigest
	for {
		hook.mu.Lock()
		accepted = slices.Clone(hook.accepted)
		hook.mu.Unlock()
		var bodies [][]byte
		for _, a := range accepted {
			bodies = append(bodies, a.body)
		}
		got = pairsOf(t, bodies)
		read := true
		for _, p := range paths {
			if proxy.count(p) == 0 {
				read = false
			}
		}
		resent := slices.ContainsFunc(accepted, func(a acceptedDigest) bool { return a.id == hook.heldID })
		if read && resent && len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	loops.Wait()

	hits, held := proxy.take()
	t.Logf("cycle 2: r0 killed with %d requests under way; sender %s killed while sending digest %s", len(held), sender, hook.heldID)
	for _, p := range held {
		hits[p]-- // read by the dead replica, whose reading was lost with it
	}
	if len(hits) != nsources {
		t.Errorf("cycle 2: %d sources fetched, want all %d", len(hits), nsources)
	}
	for p, n := range hits {
		if n != 1 {
			t.Errorf("cycle 2: %s fetched %d times besides the killed replica's reads, want once", p, n)
		}
	}
	t.Logf("the replicas: %d digests accepted, %d item-topic pairs", len(accepted), len(got))
	if !slices.Equal(got, want) {
		t.Errorf("the replicas delivered %d item-topic pairs, the watcher alone %d", len(got), len(want))
		for _, d := range diffSorted(got, want) {
			t.Error(d)
		}
	}
	resent := false
	for _, a := range accepted {
		if a.id == hook.heldID {
			resent = true
			t.Logf("digest %s sent again by %s, holding the sender lock", a.id, a.by)
			if a.by == "" {
				t.Errorf("digest %s was accepted while no replica held the sender lock", a.id)
			}
		}
	}
	if !resent {
		t.Errorf("the digest %s its killed sender was sending never arrived", hook.heldID)
	}
}

// diffSorted names what only one of two sorted lists holds, and repeats.
func diffSorted(got, want []string) []string {
	count := map[string]int{}
	for _, g := range got {
		count[g]++
	}
	for _, w := range want {
		count[w]--
	}
	var out []string
	for k, n := range count {
		switch {
		case n > 0:
			out = append(out, fmt.Sprintf("delivered %d more time(s) than by the watcher alone: %s", n, k))
		case n < 0:
			out = append(out, fmt.Sprintf("not delivered: %s", k))
		}
	}
	slices.Sort(out)
	return out
}
