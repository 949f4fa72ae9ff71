package watch_test

import (
	"context"
	"errors"
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
