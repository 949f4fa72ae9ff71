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

// guardAddress runs after DNS resolution, on the address actually dialled,
// so a public name that resolves to a private address (DNS rebinding) or
// a redirect to one is refused as well.
func guardAddress(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to connect to %s: cannot read address: %w", address, err)
	}
	ip := ap.Addr().Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return fmt.Errorf("refusing to connect to %s (host not among the configured sources): %w", ip, ErrPrivateAddress)
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
