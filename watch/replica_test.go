package watch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/pgstate"
	"github.com/watcher-news/watcher/watch"
)

// TestSenderLockLostStopsDelivery: a replica whose sender lock's
// connection is ended by the server while a digest is in flight stops
// delivering as a shutdown does: the cycle fails naming the lost lock,
// the digest stays pending with no attempt counted, and the next cycle
// (which takes the lock again) delivers it with the same id.
func TestSenderLockLostStopsDelivery(t *testing.T) {
	s := newSite(t)
	var stall atomic.Bool
	stall.Store(true)
	inFlight := make(chan struct{}, 1)
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if stall.Load() {
			inFlight <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-time.After(20 * time.Second):
			}
			return
		}
		mu.Lock()
		got = append(got, r.Header.Get("X-Watcher-Digest-Id"))
		mu.Unlock()
	}))
	defer hook.Close()
	e := newEnvOn(t, pgStore, "  timeout: 5s\n", sources(feedSource("outlet", s.url("/feed.xml")))+webhookAlert(hook.URL))
	w, err := watch.New(e.cfg, e.store, watch.Options{Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now, Stdout: &e.stdout, Replica: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	e.w = w
	e.mustCycle() // the silent first read
	s.publish(story{ID: "a", Title: "Belousov sentenced", Summary: "Seven years.", Published: at("2025-07-01T08:00:00Z")})

	go func() {
		<-inFlight
		// The server ends the sender's session, as when its connection
		// drops: the lock goes with it.
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, e.cfg.State)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name = 'watcher sender r1'`); err != nil {
			t.Error(err)
		}
	}()
	_, err = e.cycle()
	if !errors.Is(err, pgstate.ErrSenderLost) {
		t.Fatalf("cycle error %v, want the sender lock lost", err)
	}
	pending, err := e.store.Pending()
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending after the lost lock: %+v (%v)", pending, err)
	}
	for sink, del := range pending[0].Sinks {
		if del.Attempts != 0 || del.Delivered {
			t.Errorf("sink %s: %+v; a lost lock is not an attempt", sink, del)
		}
	}
	stall.Store(false)
	e.mustCycle()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != pending[0].ID {
		t.Errorf("webhook got %q; want the interrupted digest %s once", got, pending[0].ID)
	}
}

// TestSenderLockCheckedBeforeEachSend: the sender's session ends while
// its first sink is answering (which then answers at once, well inside
// the once-a-second check); the digest's send to the second sink, which
// would follow at once, is not made: the lock was lost, so another
// replica may be delivering. The second sink gets the digest once, with
// its id, from the next cycle, and the first only the once.
func TestSenderLockCheckedBeforeEachSend(t *testing.T) {
	s := newSite(t)
	var ended atomic.Bool
	var mu sync.Mutex
	got := map[string][]string{}
	var dbURL string
	hookFor := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			got[name] = append(got[name], r.Header.Get("X-Watcher-Digest-Id"))
			mu.Unlock()
			if name == "first" && !ended.Swap(true) {
				ctx := context.Background()
				conn, err := pgx.Connect(ctx, dbURL)
				if err != nil {
					t.Error(err)
					return
				}
				defer conn.Close(ctx)
				if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
					WHERE application_name = 'watcher sender r1'`); err != nil {
					t.Error(err)
				}
			}
		}))
	}
	first, second := hookFor("first"), hookFor("second")
	defer first.Close()
	defer second.Close()
	alerts := fmt.Sprintf("alerts:\n  webhook:\n    - name: first\n      url: %s\n    - name: second\n      url: %s\n", first.URL, second.URL)
	e := newEnvOn(t, pgStore, "", sources(feedSource("outlet", s.url("/feed.xml")))+alerts)
	dbURL = e.cfg.State
	w, err := watch.New(e.cfg, e.store, watch.Options{Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now, Stdout: &e.stdout, Replica: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	e.w = w
	e.mustCycle() // the silent first read
	s.publish(story{ID: "a", Title: "Belousov sentenced", Summary: "Seven years.", Published: at("2025-07-01T08:00:00Z")})
	if _, err := e.cycle(); !errors.Is(err, pgstate.ErrSenderLost) {
		t.Fatalf("cycle error %v, want the sender lock lost", err)
	}
	mu.Lock()
	if len(got["second"]) != 0 {
		t.Errorf("the second sink got %q after the lock was lost", got["second"])
	}
	mu.Unlock()
	e.clock.Add(time.Minute)
	e.mustCycle()
	mu.Lock()
	defer mu.Unlock()
	if len(got["first"]) != 1 || len(got["second"]) != 1 || got["first"][0] != got["second"][0] {
		t.Errorf("sinks got %v; want the digest once each, with one id", got)
	}
}

// TestReplicaHoldsFetchedSources: two replicas on one database and one
// clock. The first cycle of r1 fetches every source; r2's cycle a minute
// later fetches none (r1 keeps them until shortly before the next
// scheduled cycle) and records nothing for them; an hour later r2 takes
// them all. Every feed is requested once per cycle of the pair.
func TestReplicaHoldsFetchedSources(t *testing.T) {
	sites := []*site{newSite(t), newSite(t), newSite(t)}
	e := newEnvOn(t, pgStore, "  timeout: 5s\n", sources(
		feedSource("one", sites[0].url("/feed.xml")),
		feedSource("two", sites[1].url("/feed.xml")),
		feedSource("three", sites[2].url("/feed.xml")),
	))
	replica := func(name string) *watch.Watcher {
		w, err := watch.New(e.cfg, openTestStore(t, e.cfg, e.clock.Now), watch.Options{
			Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now, Stdout: &e.stdout, Replica: name})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	r1, r2 := replica("r1"), replica("r2")
	fetches := func() int {
		n := 0
		for _, s := range sites {
			n += s.count("/feed.xml")
		}
		return n
	}
	ctx := context.Background()
	steps := []struct {
		name          string
		after         time.Duration
		w             *watch.Watcher
		ok, elsewhere int
		fetches       int // in all, after the step
	}{
		{"r1 first", time.Hour, r1, 3, 0, 3},
		{"r2 a minute later", time.Minute, r2, 0, 3, 3},
		{"r2 an hour later", time.Hour, r2, 3, 0, 6},
		{"r1 a minute after that", time.Minute, r1, 0, 3, 6},
	}
	for _, st := range steps {
		e.clock.Add(st.after)
		sum, err := st.w.Cycle(ctx)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if sum.OK != st.ok || sum.Elsewhere != st.elsewhere || sum.Failed != 0 || fetches() != st.fetches {
			t.Errorf("%s: ok %d, elsewhere %d, failed %d, %d fetches in all; want ok %d, elsewhere %d, %d fetches",
				st.name, sum.OK, sum.Elsewhere, sum.Failed, fetches(), st.ok, st.elsewhere, st.fetches)
		}
	}
}

// TestReplicasNameFailingSourceOnce: a source that answered 503 with
// Retry-After: 3 hours is backed off when it has failed for longer than
// health.report_after (1h here, so that the report falls in the
// back-off). Two replicas run their cycles at once then, and both see it
// before either has committed (r1 is held in its crawl, reading another
// source, while r2 runs its whole cycle): one names it, and the webhook
// gets one report, not one per replica.
func TestReplicasNameFailingSourceOnce(t *testing.T) {
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10800")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	var hold atomic.Bool
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold.Load() {
			arrived <- struct{}{}
			<-release
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title></channel></rss>`)
	}))
	defer gate.Close()
	hook := newReceiver(t)
	e := newEnvOn(t, pgStore, "", sources(feedSource("busy", busy.URL+"/feed.xml"), feedSource("slow", gate.URL+"/feed.xml"))+
		"health:\n  report_after: 1h\n"+webhookAlert(hook.srv.URL))
	replica := func(name string) *watch.Watcher {
		w, err := watch.New(e.cfg, openTestStore(t, e.cfg, e.clock.Now), watch.Options{
			Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now, Stdout: &e.stdout, Replica: name})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	r1, r2 := replica("r1"), replica("r2")
	ctx := context.Background()
	if sum, err := r1.Cycle(ctx); err != nil || sum.Failed != 1 {
		t.Fatalf("first cycle: %+v, %v; want the busy source failed", sum, err)
	}
	e.clock.Add(90 * time.Minute) // failing 1.5h, backed off for 3h
	hold.Store(true)
	type result struct {
		sum watch.Summary
		err error
	}
	first := make(chan result, 1)
	go func() {
		sum, err := r1.Cycle(ctx)
		first <- result{sum, err}
	}()
	<-arrived // r1 is in its crawl, reading slow
	sum2, err := r2.Cycle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	r := <-first
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := r.sum.SourcesFailing + sum2.SourcesFailing; got != 1 {
		t.Errorf("the replicas' summaries name the failing source %d times (r1 %d, r2 %d), want once", got, r.sum.SourcesFailing, sum2.SourcesFailing)
	}
	e.clock.Add(time.Minute)
	if _, err := r2.Cycle(ctx); err != nil { // delivers what is pending
		t.Fatal(err)
	}
	named := 0
	for _, d := range hook.digests() {
		named += len(d.SourcesFailing)
	}
	if named != 1 {
		t.Errorf("the webhook got the failing source named %d times, want once", named)
	}
}
