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

// TestAddressGuardSpecialPurpose: every address of the IANA special-purpose
// registries that a redirect may point to is refused at connect time, before
// a byte is sent: cloud metadata services, "this network", benchmarking,
// reserved and broadcast space, and IPv6 forms that wrap an IPv4 address
// (NAT64, 6to4, IPv4-mapped) or reach a local network.
func TestAddressGuardSpecialPurpose(t *testing.T) {
	tests := []struct{ name, host, refused string }{
		{"alibaba cloud metadata (shared address space)", "100.100.100.200", "100.100.100.200"},
		{"oracle cloud metadata (IETF protocol assignments)", "192.0.0.192", "192.0.0.192"},
		{"this network", "0.0.0.1", "0.0.0.1"},
		{"benchmarking, low", "198.18.0.1", "198.18.0.1"},
		{"benchmarking, high", "198.19.255.254", "198.19.255.254"},
		{"reserved", "240.0.0.1", "240.0.0.1"},
		{"reserved, high", "254.1.2.3", "254.1.2.3"},
		{"limited broadcast", "255.255.255.255", "255.255.255.255"},
		{"documentation", "192.0.2.10", "192.0.2.10"},
		{"NAT64 of link-local metadata", "[64:ff9b::a9fe:a9fe]", "64:ff9b::a9fe:a9fe"},
		{"NAT64 of loopback", "[64:ff9b::7f00:1]", "64:ff9b::7f00:1"},
		{"6to4 wrapping 10.0.0.1", "[2002:a00:1::1]", "2002:a00:1::1"},
		{"6to4 wrapping metadata", "[2002:a9fe:a9fe::]", "2002:a9fe:a9fe::"},
		{"teredo", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "2001:0:4136:e378:8000:63bf:3fff:fdd2"},
		{"IPv4-mapped metadata", "[::ffff:169.254.169.254]", "169.254.169.254"},
		{"IPv6 unique local", "[fd00::1]", "fd00::1"},
		{"IPv6 loopback", "[::1]", "::1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outer := httptest.NewServer(http.RedirectHandler("http://"+tc.host+":8080/latest/meta-data/", http.StatusFound))
			defer outer.Close()
			f := newFetcher(t, nil, outer)
			res := f.Fetch(context.Background(), Source{Name: "guarded", Feed: outer.URL + "/rss"}, Validators{}, nil)
			if !errors.Is(res.Err, ErrPrivateAddress) {
				t.Fatalf("err = %v, want ErrPrivateAddress", res.Err)
			}
			if want := "refusing to connect to " + tc.refused + " "; !strings.Contains(res.Err.Error(), want) {
				t.Errorf("error = %q, want it to contain %q", res.Err, want)
			}
		})
	}
}

// TestAddressGuardPublic: public addresses, on any port, pass the guard,
// an IPv4-mapped one included.
func TestAddressGuardPublic(t *testing.T) {
	for _, addr := range []string{"93.184.215.14:80", "1.1.1.1:8443", "[2606:4700:4700::1111]:443", "[::ffff:8.8.8.8]:80", "100.128.0.1:80"} {
		if err := guardAddress("tcp", addr, nil); err != nil {
			t.Errorf("guardAddress(%s) = %v, want nil", addr, err)
		}
	}
}
