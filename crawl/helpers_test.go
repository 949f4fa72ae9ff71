package crawl

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding"
)

// fixedNow is the clock of every test Fetcher.
var fixedNow = time.Date(2025, 7, 5, 12, 0, 0, 0, time.UTC)

// fixture reads a file under testdata/.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodeTo converts UTF-8 text into enc, to build legacy-charset fixtures.
func encodeTo(t testing.TB, enc encoding.Encoding, utf8 []byte) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes(utf8)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newFetcher builds a Fetcher that may reach the given test servers.
func newFetcher(t testing.TB, mod func(*Options), allowed ...*httptest.Server) *Fetcher {
	t.Helper()
	opts := Options{
		Timeout: 5 * time.Second,
		Now:     func() time.Time { return fixedNow },
		Logger:  slog.New(slog.DiscardHandler),
	}
	for _, s := range allowed {
		opts.AllowHosts = append(opts.AllowHosts, s.Listener.Addr().String())
	}
	if mod != nil {
		mod(&opts)
	}
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// route is one canned answer of a test server.
type route struct {
	body        []byte
	contentType string
	status      int
	header      map[string]string
}

// hits counts the requests a test server received, per path.
type hits struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *hits) add(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == nil {
		h.n = map[string]int{}
	}
	h.n[path]++
}

func (h *hits) get(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[path]
}

func (h *hits) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, v := range h.n {
		n += v
	}
	return n
}

// serveRoutes starts a server answering each path from routes (404
// otherwise), counting hits.
func serveRoutes(t testing.TB, routes map[string]route) (*httptest.Server, *hits) {
	t.Helper()
	h := &hits{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.add(r.URL.Path)
		rt, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range rt.header {
			w.Header().Set(k, v)
		}
		if rt.contentType != "" {
			w.Header().Set("Content-Type", rt.contentType)
		}
		if rt.status != 0 {
			w.WriteHeader(rt.status)
		}
		_, _ = w.Write(rt.body)
	}))
	t.Cleanup(srv.Close)
	return srv, h
}

// replace substitutes placeholders in a fixture.
func replace(b []byte, oldNew ...string) []byte {
	return []byte(strings.NewReplacer(oldNew...).Replace(string(b)))
}
