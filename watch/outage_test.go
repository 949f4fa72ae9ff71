package watch_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watcher-news/watcher/watch"
)

// cycleAfter moves the fake clock on by d and runs one cycle.
func (e *env) cycleAfter(d time.Duration) (watch.Summary, error) {
	e.t.Helper()
	e.clock.Add(d)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return e.w.Cycle(ctx)
}

// TestDeliveryBackoffAndParking follows one digest through a long webhook
// outage on the fake clock: two quick retries, then waits that double
// (2 min, 4 min), parking at delivery.max_attempts, no retry once parked,
// and a later digest delivered when the webhook is back.
func TestDeliveryBackoffAndParking(t *testing.T) { onEachStore(t, testDeliveryBackoffAndParking) }

func testDeliveryBackoffAndParking(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	hook := newReceiver(t)
	hook.fail = 1 << 20
	e := newEnv(t, sources(feedSource("outlet", s.url("/feed.xml")))+"delivery:\n  max_attempts: 5\n"+webhookAlert(hook.srv.URL))
	e.mustCycle() // baseline
	s.publish(story{ID: "a", Title: "Belousov sentenced", Summary: "Seven years.", Published: at("2025-07-01T08:00:00Z")})

	steps := []struct {
		after    time.Duration
		attempts int // requests the webhook has seen after the cycle
		parked   int // Summary.Parked of the cycle
	}{
		{time.Hour, 1, 0},                 // the digest is made and tried
		{time.Second, 2, 0},               // first retry: the next cycle
		{time.Second, 3, 0},               // second retry: the next cycle; then 2 min
		{time.Minute, 3, 0},               // within the 2 min: not tried
		{time.Minute + time.Second, 4, 0}, // then 4 min
		{3 * time.Minute, 4, 0},           // within the 4 min
		{time.Minute + time.Second, 5, 1}, // the fifth attempt parks it
		{48 * time.Hour, 5, 0},            // parked: never tried again
	}
	for i, st := range steps {
		sum, _ := e.cycleAfter(st.after)
		if got := len(hook.refused); got != st.attempts || sum.Parked != st.parked {
			t.Fatalf("step %d (+%s): %d attempts, %d parked; want %d, %d", i, st.after, got, sum.Parked, st.attempts, st.parked)
		}
	}
	parked, err := e.store.Parked()
	if err != nil || len(parked) != 1 || parked[0].ID != hook.refused[0] {
		t.Fatalf("parked digests %+v (%v); want the refused one kept", parked, err)
	}
	hook.mu.Lock()
	hook.fail = 0
	hook.mu.Unlock()
	s.publish(story{ID: "b", Title: "Safarov case: new hearing", Summary: "In Yekaterinburg.", Published: at("2025-07-03T08:00:00Z")})
	if _, err := e.cycleAfter(time.Hour); err != nil {
		t.Fatalf("cycle with the webhook back: %v", err)
	}
	got := hook.digests()
	if len(got) != 1 || got[0].ID == hook.refused[0] || got[0].titles()[0] != "yekaterinburg-case: Safarov case: new hearing" {
		t.Errorf("after parking, the webhook got %+v; want only the new digest", got)
	}
}

// TestDeliveryInterruptedIsNotAnAttempt: a shutdown while a digest is
// being delivered does not count against the sink; the digest stays
// pending and goes out, with its id, on the next cycle.
func TestDeliveryInterruptedIsNotAnAttempt(t *testing.T) {
	onEachStore(t, testDeliveryInterruptedIsNotAnAttempt)
}

func testDeliveryInterruptedIsNotAnAttempt(t *testing.T, newEnv envMaker) {
	s := newSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stall atomic.Bool
	stall.Store(true)
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if stall.Load() {
			cancel() // the stop signal arrives while the digest is in flight
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		got = append(got, r.Header.Get("X-Watcher-Digest-Id"))
	}))
	defer hook.Close()
	e := newEnv(t, sources(feedSource("outlet", s.url("/feed.xml")))+"delivery:\n  max_attempts: 1\n"+webhookAlert(hook.URL))
	e.mustCycle()
	s.publish(story{ID: "a", Title: "Belousov sentenced", Summary: "Seven years.", Published: at("2025-07-01T08:00:00Z")})
	e.clock.Add(time.Hour)
	sum, err := e.w.Cycle(ctx)
	if err == nil || sum.Parked != 0 || sum.SendFailed != 0 {
		t.Fatalf("interrupted cycle: %+v, %v; want an error and no failed or parked delivery", sum, err)
	}
	pending, err := e.store.Pending()
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending after the interruption: %+v (%v)", pending, err)
	}
	for sink, del := range pending[0].Sinks {
		if del.Attempts != 0 || del.Parked {
			t.Errorf("sink %s: %+v; an interruption is not an attempt", sink, del)
		}
	}
	stall.Store(false)
	e.mustCycle()
	if len(got) != 1 || got[0] != pending[0].ID {
		t.Errorf("webhook got %q; want the interrupted digest %s", got, pending[0].ID)
	}
}
