package crawl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// maxRedirects bounds the redirects followed for one request.
const maxRedirects = 5

// newTransport builds the one transport every request of a Fetcher uses.
func newTransport(o Options) *http.Transport {
	guarded := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second, Control: guardAddress}
	open := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	allowed := make(map[string]bool, len(o.AllowHosts))
	for _, h := range o.AllowHosts {
		allowed[strings.ToLower(strings.TrimSpace(h))] = true
	}
	return &http.Transport{
		// No proxy from the environment: a proxy would connect for us and
		// step around the address guard below.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if allowed[strings.ToLower(addr)] || allowed[strings.ToLower(host)] {
				return open.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,          // Default is none (DefaultTransport: 10s).
		ResponseHeaderTimeout: o.Timeout + 5*time.Second, // Default is none; backstop to the per-source deadline.
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          0, // No total cap: one idle connection per host slot is kept (MaxIdleConnsPerHost); a cap below hosts × slots closes and re-dials connections every cycle.
		MaxIdleConnsPerHost:   o.PerHost,
	}
}

// guardian refuses every address in the IANA special-purpose registries
// (private, loopback, link-local, shared, benchmarking, reserved,
// documentation, multicast, broadcast …) and, for IPv6, everything outside
// global unicast, which covers NAT64 (64:ff9b::/96) and IPv4-mapped
// addresses; 6to4 (2002::/16) and Teredo (2001::/32) are in its deny list.
// The tables are generated from the registries by the library, not kept by
// hand. Only the address is checked (SafeAddr): sources run on any port.
var guardian = ssrf.New()

// guardAddress runs after DNS resolution, on the address actually dialled,
// so a public name that resolves to a private address (DNS rebinding) or
// a redirect to one is refused as well.
func guardAddress(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to connect to %s: cannot read address: %w", address, err)
	}
	// An IPv4-mapped IPv6 address is dialled as the IPv4 address it maps,
	// so it is judged as that address (the library would refuse every
	// mapped address, public ones too, as outside IPv6 global unicast).
	ip := ap.Addr().Unmap()
	if err := guardian.SafeAddr(ip); err != nil {
		return fmt.Errorf("refusing to connect to %s (host not among the configured sources): %w: %w", ip, ErrPrivateAddress, err)
	}
	return nil
}

// checkRedirect limits redirects and their schemes; the address guard
// re-checks each target when it is dialled.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects (last to %s)", maxRedirects, req.URL.Redacted())
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("refusing redirect to %s: scheme must be http or https", req.URL.Redacted())
	}
	return nil
}
