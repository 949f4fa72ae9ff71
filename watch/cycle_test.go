package watch_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/watch"
)

// clock is the one fake in these tests: the time the watcher believes.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is one watcher on a real configuration file and a real state file.
type env struct {
	t      *testing.T
	cfg    *config.Config
	store  watch.Store
	w      *watch.Watcher
	clock  *clock
	stdout bytes.Buffer
}

const testTopics = `
topics:
  - id: sputnik-detainees
    title: The Sputnik Azerbaijan detainees
    query: Картавых OR Kartavykh OR Белоусов* OR Belousov
  - id: yekaterinburg-case
    title: The Yekaterinburg case
    query: Сафаров* OR Safarov*
`

// newEnv writes cfgYAML (with the test topics appended) to a file, loads
// it as the program does, and opens the state file.
// The fetch settings are the shipped ones but for a 5s request timeout,
// so that a test of a failing server does not wait 30s.
func newEnv(t *testing.T, cfgYAML string) *env {
	t.Helper()
	return newEnvFetch(t, "  timeout: 5s\n", cfgYAML)
}

// newEnvFetch is newEnv with fetchYAML as the fetch section.
func newEnvFetch(t *testing.T, fetchYAML, cfgYAML string) *env {
	t.Helper()
	return newEnvOn(t, boltStore, fetchYAML, cfgYAML)
}

// newEnvOn is newEnvFetch on the given kind of state store.
func newEnvOn(t *testing.T, kind storeKind, fetchYAML, cfgYAML string) *env {
	t.Helper()
	dir := t.TempDir()
	return loadEnv(t, dir, "state: "+stateFor(t, kind, dir)+"\nfetch:\n"+fetchYAML+cfgYAML+testTopics)
}

// loadEnv writes body as dir's config.yaml, loads it as the program does,
// and opens the state it names.
func loadEnv(t *testing.T, dir, body string) *env {
	t.Helper()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, config.Options{ValidateQuery: match.ParseQuery})
	if err != nil {
		t.Fatalf("load config:\n%s\n%v", body, err)
	}
	e := &env{t: t, cfg: cfg, clock: &clock{now: time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)}}
	e.open()
	return e
}

// open opens the state file and builds a watcher on it, as a restart does.
func (e *env) open() {
	e.t.Helper()
	store := openTestStore(e.t, e.cfg, e.clock.Now)
	e.store = store
	w, err := watch.New(e.cfg, store, watch.Options{Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now, Stdout: &e.stdout})
	if err != nil {
		e.t.Fatal(err)
	}
	e.w = w
}

// cycle runs one cycle an hour after the previous one.
func (e *env) cycle() (watch.Summary, error) {
	e.t.Helper()
	e.clock.Add(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return e.w.Cycle(ctx)
}

func (e *env) mustCycle() watch.Summary {
	e.t.Helper()
	sum, err := e.cycle()
	if err != nil {
		e.t.Fatalf("cycle: %v", err)
	}
	return sum
}

func sources(lines ...string) string { return "sources:\n" + strings.Join(lines, "\n") + "\n" }

func feedSource(name, url string, extra ...string) string {
	return fmt.Sprintf("  - name: %s\n    feed: %s\n", name, url) + strings.Join(extra, "")
}

func pageSource(name, url, links string) string {
	return fmt.Sprintf("  - name: %s\n    page: %s\n    links: %q\n", name, url, links)
}

func webhookAlert(url string) string {
	return fmt.Sprintf("alerts:\n  webhook:\n    - url: %s\n      secret: s3cret\n", url)
}

func emailAlert(addr string) string {
	host, port, _ := strings.Cut(addr, ":")
	return fmt.Sprintf("  email:\n    - to: [desk@example.org]\n      from: watcher@example.org\n      smtp: { host: %s, port: %s }\n", host, port)
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
