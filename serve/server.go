// Package serve is the daemon's HTTP listener: /metrics (Prometheus text),
// /healthz, /status (HTML, or JSON on Accept: application/json) and Atom
// feeds of the latest matches. It serves a snapshot that the daemon
// replaces after every cycle, so a request never reads the state file and
// never waits for a cycle; it holds neither the state file nor the
// watcher, so either may be closed or replaced between cycles.
//
// It imports nothing from the project: the command maps its own types
// onto Snapshot and Cycle.
package serve

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Snapshot is everything the listener serves apart from the metrics.
type Snapshot struct {
	Status Status
	Health Health
	// Topics are the configured topics, in configuration order.
	Topics []Topic
	// Recent holds each topic's latest matches, newest first.
	Recent map[string][]Match
}

// Options configure a Server.
type Options struct {
	// Metrics are served at /metrics, with the Go and process collectors.
	Metrics *Metrics
	// Logger receives the listener's own lines. Default: discarded.
	Logger *slog.Logger
	// Now is the clock /healthz judges by. Default time.Now.
	Now func() time.Time
}

// Server serves the latest Snapshot.
type Server struct {
	snap    atomic.Pointer[Snapshot]
	opts    Options
	handler http.Handler
}

// New builds a Server with an empty snapshot.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	s := &Server{opts: opts}
	s.snap.Store(&Snapshot{})
	runtime := prometheus.NewRegistry()
	runtime.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := promhttp.HandlerFor(prometheus.Gatherers{opts.Metrics.Registry(), runtime},
		promhttp.HandlerOpts{ErrorLog: slogPrinter{opts.Logger}})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /status", s.status)
	mux.HandleFunc("GET /feed.atom", s.feedAll)
	mux.HandleFunc("GET /feed/{file}", s.feedTopic)
	mux.HandleFunc("GET /{$}", s.index)
	s.handler = mux
	return s
}

// Update replaces the snapshot served.
func (s *Server) Update(snap Snapshot) { s.snap.Store(&snap) }

// Snapshot returns the snapshot being served.
func (s *Server) Snapshot() Snapshot { return *s.snap.Load() }

// Handler is the listener's router.
func (s *Server) Handler() http.Handler { return s.handler }

// Listen binds addr; Serve then serves on it. Binding first lets the
// daemon fail at start, not later, when the port is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http listener %s: %w", addr, err)
	}
	return ln, nil
}

// Serve serves on ln until ctx ends, then shuts down gracefully: requests
// in flight get up to five seconds to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,  // Default is none.
		ReadTimeout:       10 * time.Second, // Default is none; requests have no body.
		WriteTimeout:      30 * time.Second, // Default is none.
		IdleTimeout:       2 * time.Minute,  // Default is ReadTimeout.
		MaxHeaderBytes:    64 << 10,         // Default is 1 MiB.
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("http listener %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("http listener %s: shut down: %w", ln.Addr(), err)
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	ok, why := s.snap.Load().Health.Check(s.opts.Now())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprintln(w, why)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st := s.snap.Load().Status
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Accept")
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			s.opts.Logger.Warn("write /status", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := statusPage.Execute(w, st); err != nil {
		s.opts.Logger.Warn("write /status", "err", err)
	}
}

// wantsJSON reports whether the Accept header names application/json.
func wantsJSON(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/json" {
			return true
		}
	}
	return false
}

func (s *Server) feedAll(w http.ResponseWriter, r *http.Request) {
	snap := s.snap.Load()
	s.writeFeed(w, r, "watcher: latest matches", "feed", snap, latest(snap.Recent), true)
}

func (s *Server) feedTopic(w http.ResponseWriter, r *http.Request) {
	snap := s.snap.Load()
	id, ok := strings.CutSuffix(r.PathValue("file"), ".atom")
	var title string
	for _, t := range snap.Topics {
		if t.ID == id {
			title = cmp.Or(t.Title, t.ID)
		}
	}
	if !ok || title == "" {
		http.Error(w, fmt.Sprintf("no topic %q: see / for the feeds", id), http.StatusNotFound)
		return
	}
	s.writeFeed(w, r, "watcher: "+title, "feed/"+id, snap, snap.Recent[id], false)
}

func (s *Server) writeFeed(w http.ResponseWriter, r *http.Request, title, id string, snap *Snapshot, ms []Match, withTopics bool) {
	names := make(map[string]string, len(snap.Topics))
	for _, t := range snap.Topics {
		names[t.ID] = cmp.Or(t.Title, t.ID)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	self := "http://" + r.Host + r.URL.Path
	if err := writeAtom(w, title, id, self, names, ms, withTopics); err != nil {
		s.opts.Logger.Warn("write feed", "url", r.URL.Path, "err", err)
	}
}

func (s *Server) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexPage.Execute(w, s.snap.Load().Topics); err != nil {
		s.opts.Logger.Warn("write /", "err", err)
	}
}

// slogPrinter routes promhttp's error log into slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.log.Warn("serve metrics", "err", fmt.Sprint(v...)) }
