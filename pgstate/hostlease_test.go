package pgstate

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func hostNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("127.0.0.%d:8080", i+1)
	}
	return out
}

// TestClaimHostsDisjoint: three replicas claiming the same 60 hosts at
// once, eight at a time, get disjoint sets that cover them all.
func TestClaimHostsDisjoint(t *testing.T) {
	t.Parallel()
	url := server.NewDatabase(t)
	hosts := hostNames(60)
	replicas := []string{"r1", "r2", "r3"}
	var mu sync.Mutex
	owner := map[string]string{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, r := range replicas {
		s := openURL(t, url, nil)
		wg.Go(func() {
			<-start
			for {
				got, err := s.ClaimHosts(ctx, r, hosts, time.Hour, 8)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				if len(got) > 8 {
					t.Errorf("replica %s claimed %d hosts at once, limit 8", r, len(got))
				}
				mu.Lock()
				for _, c := range got {
					if prev, dup := owner[c.Host]; dup {
						t.Errorf("host %s claimed by %s and %s", c.Host, prev, r)
					}
					owner[c.Host] = r
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if len(owner) != len(hosts) {
		t.Errorf("%d of %d hosts claimed", len(owner), len(hosts))
	}
}

// TestHostPauseHandedOver: a host given back with a Retry-After pause
// passes the pause to the next replica that claims it while it lasts;
// a killed holder's host comes free when its lease runs out.
func TestHostPauseHandedOver(t *testing.T) {
	t.Parallel()
	clk := newClock()
	url := server.NewDatabase(t)
	a, b := openURL(t, url, clk), openURL(t, url, clk)
	hosts := hostNames(2)
	if got, err := a.ClaimHosts(ctx, "a", hosts, time.Hour, 0); err != nil || len(got) != 2 {
		t.Fatalf("a claims %v, %v; want both hosts", got, err)
	}
	if got, err := b.ClaimHosts(ctx, "b", hosts, time.Hour, 0); err != nil || len(got) != 0 {
		t.Fatalf("b claims %v, %v while a holds them; want none", got, err)
	}
	pause := t0.Add(30 * time.Minute).UTC()
	// b cannot give back what a holds; a gives back the first with a pause.
	if err := b.ReleaseHosts(ctx, "b", []HostClaim{{Host: hosts[0]}}); err != nil {
		t.Fatal(err)
	}
	if err := a.ReleaseHosts(ctx, "a", []HostClaim{{Host: hosts[0], PausedUntil: pause}}); err != nil {
		t.Fatal(err)
	}
	got, err := b.ClaimHosts(ctx, "b", hosts, time.Hour, 0)
	if err != nil || len(got) != 1 || got[0].Host != hosts[0] || !got[0].PausedUntil.Equal(pause) {
		t.Fatalf("b claims %+v, %v; want %s paused until %s", got, err, hosts[0], pause)
	}
	// The second host's holder died: it is free once its lease ran out.
	clk.Advance(time.Hour)
	got, err = b.ClaimHosts(ctx, "b", hosts[1:], time.Hour, 0)
	if err != nil || len(got) != 1 || got[0].Host != hosts[1] || !got[0].PausedUntil.IsZero() {
		t.Fatalf("after a's lease ran out, b claims %+v, %v; want %s with no pause", got, err, hosts[1])
	}
	// A pause that is over is not handed over.
	if err := b.ReleaseHosts(ctx, "b", got); err != nil {
		t.Fatal(err)
	}
	if err := b.ReleaseHosts(ctx, "b", []HostClaim{{Host: hosts[0], PausedUntil: pause}}); err != nil {
		t.Fatal(err)
	}
	if got, err := a.ClaimHosts(ctx, "a", hosts[:1], time.Hour, 0); err != nil || len(got) != 1 || !got[0].PausedUntil.IsZero() {
		t.Errorf("after the pause ended, a claims %+v, %v; want no pause", got, err)
	}
}

func TestClaimHostsRejects(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil)
	if _, err := s.ClaimHosts(ctx, "", hostNames(1), time.Minute, 0); err == nil {
		t.Error("ClaimHosts without a replica name succeeded")
	}
}
