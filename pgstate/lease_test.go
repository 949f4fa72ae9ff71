package pgstate

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("outlet-%04d", i)
	}
	return out
}

// claimAll claims batches of limit for replica until none is left, as a
// cycle's workers would.
func claimAll(s *Store, replica string, due []string, limit int) ([]string, error) {
	var got []string
	for {
		batch, err := s.ClaimSources(ctx, replica, due, time.Hour, limit)
		if err != nil || len(batch) == 0 {
			return got, err
		}
		got = append(got, batch...)
	}
}

// TestClaimSourcesDisjoint: three replicas (three pools) claiming the
// same 1,000 due sources at once get disjoint sets that cover them all,
// and a second round in the same cycle gets nothing.
func TestClaimSourcesDisjoint(t *testing.T) {
	t.Parallel()
	url := server.NewDatabase(t)
	due := names(1000)
	replicas := []string{"r1", "r2", "r3"}
	stores := make([]*Store, len(replicas))
	for i := range stores {
		stores[i] = openURL(t, url, nil) // the database's clock
	}
	got := make([][]string, len(replicas))
	errs := make([]error, len(replicas))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, r := range replicas {
		wg.Go(func() {
			<-start
			got[i], errs[i] = claimAll(stores[i], r, due, 25)
		})
	}
	close(start)
	wg.Wait()
	owner := map[string]string{}
	for i, r := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %s: %v", r, errs[i])
		}
		t.Logf("replica %s claimed %d sources", r, len(got[i]))
		for _, n := range got[i] {
			if prev, dup := owner[n]; dup {
				t.Errorf("source %s claimed by %s and %s", n, prev, r)
			}
			owner[n] = r
		}
	}
	if len(owner) != len(due) {
		t.Errorf("%d of %d due sources claimed", len(owner), len(due))
	}
	for i, r := range replicas {
		if again, err := stores[i].ClaimSources(ctx, r, due, time.Hour, 0); err != nil || len(again) != 0 {
			t.Errorf("replica %s claims %d more in the same cycle (%v), want none", r, len(again), err)
		}
	}
}

// TestLeaseExpires: a replica that keeps renewing keeps its sources; one
// that stops loses them a lease's length after its last renewal, to the
// next replica that claims, and cannot renew them back.
func TestLeaseExpires(t *testing.T) {
	t.Parallel()
	clk := newClock()
	url := server.NewDatabase(t)
	a, b := openURL(t, url, clk), openURL(t, url, clk)
	due := names(10)
	const ttl = time.Minute
	claimed, err := a.ClaimSources(ctx, "a", due, ttl, 0)
	if err != nil || !reflect.DeepEqual(claimed, due) {
		t.Fatalf("a claims %v, %v; want all 10", claimed, err)
	}
	expectClaim := func(when string, want []string) {
		t.Helper()
		got, err := b.ClaimSources(ctx, "b", due, ttl, 0)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: b claims %v, %v; want %v", when, got, err, want)
		}
	}
	expectClaim("while a's lease runs", nil)
	clk.Advance(30 * time.Second)
	if renewed, err := a.RenewSources(ctx, "a", due[:5], ttl); err != nil || !reflect.DeepEqual(renewed, due[:5]) {
		t.Fatalf("a renews %v, %v; want the first 5", renewed, err)
	}
	clk.Advance(40 * time.Second) // 70s: the unrenewed five expired at 60s
	expectClaim("after the unrenewed leases expired", due[5:])
	clk.Advance(20 * time.Second) // 90s: the renewed five expire now
	if renewed, err := a.RenewSources(ctx, "a", due, ttl); err != nil || len(renewed) != 0 {
		t.Errorf("a renews %v after its leases expired (%v), want none", renewed, err)
	}
	expectClaim("after a stopped renewing", due[:5])
}

// TestReleaseSources: a source given up unfetched is free at once; one
// fetched stays off limits until the next cycle.
func TestReleaseSources(t *testing.T) {
	t.Parallel()
	clk := newClock()
	url := server.NewDatabase(t)
	a, b := openURL(t, url, clk), openURL(t, url, clk)
	due := names(4)
	if _, err := a.ClaimSources(ctx, "a", due, time.Hour, 0); err != nil {
		t.Fatal(err)
	}
	nextCycle := t0.Add(10 * time.Minute)
	if err := a.ReleaseSources(ctx, "a", due[:2], nextCycle); err != nil {
		t.Fatal(err)
	}
	if err := a.ReleaseSources(ctx, "a", due[2:], time.Time{}); err != nil {
		t.Fatal(err)
	}
	// b may not release what a holds.
	if err := b.ReleaseSources(ctx, "b", due, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, err := b.ClaimSources(ctx, "b", due, time.Hour, 0)
	if err != nil || !reflect.DeepEqual(got, due[2:]) {
		t.Errorf("b claims %v, %v; want the two given up unfetched", got, err)
	}
	clk.Advance(10 * time.Minute)
	got, err = a.ClaimSources(ctx, "a", due, time.Hour, 0)
	if err != nil || !reflect.DeepEqual(got, due[:2]) {
		t.Errorf("next cycle: a claims %v, %v; want the two fetched last cycle", got, err)
	}
}

func TestClaimSourcesRejects(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil)
	for _, tc := range []struct {
		replica string
		ttl     time.Duration
		limit   int
	}{{"", time.Minute, 0}, {"a", 0, 0}, {"a", time.Minute, -1}} {
		if _, err := s.ClaimSources(ctx, tc.replica, names(1), tc.ttl, tc.limit); err == nil {
			t.Errorf("ClaimSources(%q, %s, %d) succeeded", tc.replica, tc.ttl, tc.limit)
		}
	}
}

// TestReserveHostAcrossReplicas: three replicas reserving requests to one
// host at once get slots one gap apart, none shared; another host is
// free.
func TestReserveHostAcrossReplicas(t *testing.T) {
	t.Parallel()
	clk := newClock()
	url := server.NewDatabase(t)
	stores := []*Store{openURL(t, url, clk), openURL(t, url, clk), openURL(t, url, clk)}
	const gap, each = 2 * time.Second, 10
	var mu sync.Mutex
	var waits []time.Duration
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			for range each {
				w, err := s.ReserveHost(ctx, "report.az", gap)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				waits = append(waits, w)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(waits)
	for i, w := range waits {
		if want := time.Duration(i) * gap; w != want {
			t.Errorf("slot %d: wait %s, want %s", i, w, want)
		}
	}
	if w, err := stores[0].ReserveHost(ctx, "apa.az", gap); err != nil || w != 0 {
		t.Errorf("another host: wait %s, %v; want none", w, err)
	}
	clk.Advance(time.Hour)
	if w, err := stores[1].ReserveHost(ctx, "report.az", gap); err != nil || w != 0 {
		t.Errorf("an hour later: wait %s, %v; want none", w, err)
	}
}
