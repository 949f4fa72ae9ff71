package crawl

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAddressGuard(t *testing.T) {
	inner, innerHits := serveRoutes(t, map[string]route{"/feed": {body: fixture(t, "rss2.xml")}})
	tests := []struct {
		name      string
		target    string // where the allowed server redirects to; "" serves from inner directly
		errSubstr string
	}{
		{"redirect to loopback server not in AllowHosts", inner.URL + "/feed", "refusing to connect to 127.0.0.1"},
		{"redirect to cloud metadata address", "http://169.254.169.254/latest/meta-data/", "refusing to connect to 169.254.169.254"},
		{"redirect to private network", "http://10.0.0.7/feed", "refusing to connect to 10.0.0.7"},
		{"redirect to a non-http scheme", "file:///etc/passwd", "scheme must be http or https"},
		{"source itself on a host not in AllowHosts", "", "refusing to connect to 127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outer := httptest.NewServer(http.RedirectHandler(tc.target, http.StatusFound))
			defer outer.Close()
			feedURL := outer.URL + "/rss"
			if tc.target == "" {
				feedURL = inner.URL + "/feed"
			}
			f := newFetcher(t, nil, outer)
			res := f.Fetch(context.Background(), Source{Name: "guarded", Feed: feedURL}, Validators{}, nil)
			if res.Err == nil {
				t.Fatalf("Fetch succeeded with %d items, want a refusal", len(res.Items))
			}
			if msg := res.Err.Error(); !strings.HasPrefix(msg, `source "guarded" (`+feedURL+")") || !strings.Contains(msg, tc.errSubstr) {
				t.Errorf("error = %q, want it to name the source and contain %q", msg, tc.errSubstr)
			}
			if strings.HasPrefix(tc.errSubstr, "refusing to connect") && !errors.Is(res.Err, ErrPrivateAddress) {
				t.Errorf("errors.Is(err, ErrPrivateAddress) = false for %v", res.Err)
			}
			if n := innerHits.total(); n != 0 {
				t.Errorf("the guarded server received %d requests", n)
			}
		})
	}
}

func TestAddressGuardAllowsByHostname(t *testing.T) {
	srv, _ := serveRoutes(t, map[string]route{"/feed": {body: fixture(t, "rss1.rdf")}})
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	f := newFetcher(t, func(o *Options) { o.AllowHosts = []string{"localhost"} })
	res := f.Fetch(context.Background(), Source{Name: "local", Feed: "http://localhost:" + port + "/feed"}, Validators{}, nil)
	if res.Err != nil || len(res.Items) != 1 {
		t.Fatalf("host allowed by name: err=%v items=%d", res.Err, len(res.Items))
	}
}
