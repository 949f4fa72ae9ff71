package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// inFlight records the most requests a group of servers handled at once.
type inFlight struct {
	now, peak atomic.Int64
}

func (c *inFlight) handler(t *testing.T, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := c.now.Add(1)
		defer c.now.Add(-1)
		for {
			p := c.peak.Load()
			if n <= p || c.peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond) // keep the request open so overlaps show
		_, _ = w.Write(body)
	})
}

func TestConcurrencyBounds(t *testing.T) {
	tests := []struct {
		name                   string
		servers, perHost, conc int
		want                   int64
	}{
		{"per-host limit", 1, 2, 16, 2},
		{"global limit on one host", 1, 10, 3, 3},
		{"global limit across hosts", 3, 5, 4, 4},
		{"per-host limit across hosts", 3, 1, 16, 3},
	}
	body := fixture(t, "rss1.rdf")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c inFlight
			var srvs []*httptest.Server
			for range tc.servers {
				s := httptest.NewServer(c.handler(t, body))
				defer s.Close()
				srvs = append(srvs, s)
			}
			f := newFetcher(t, func(o *Options) { o.PerHost, o.Concurrency = tc.perHost, tc.conc }, srvs...)
			var wg sync.WaitGroup
			errs := make(chan error, 12*tc.servers)
			for i := range 12 * tc.servers {
				wg.Go(func() {
					src := Source{Name: fmt.Sprint("s", i), Feed: srvs[i%tc.servers].URL + "/rss"}
					if res := f.Fetch(context.Background(), src, Validators{}, nil); res.Err != nil {
						errs <- res.Err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if got := c.peak.Load(); got != tc.want {
				t.Errorf("peak in-flight requests = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"negative per-host", Options{PerHost: -1}, "per-host limit must be positive (got -1)"},
		{"negative delay", Options{HostDelay: -time.Second}, "host and page delays must not be negative (got -1s, 0s)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			if err == nil || err.Error() != "crawl options: "+tc.want {
				t.Errorf("New error = %v, want %q", err, tc.want)
			}
		})
	}
}
