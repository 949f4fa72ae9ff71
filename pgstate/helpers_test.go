package pgstate

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/watcher-news/watcher/internal/pgtest"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/state"
)

// server is this package's PostgreSQL, started by TestMain; every test
// gets a database of its own on it.
var server *pgtest.Server

func TestMain(m *testing.M) {
	if url := os.Getenv(senderChildEnv); url != "" {
		os.Exit(holdSenderUntilKilled(url))
	}
	os.Exit(pgtest.Main(m, &server))
}

// t0 is the fake clock's start, as in the bbolt store's tests.
var t0 = time.Date(2025, 6, 27, 6, 0, 0, 0, time.UTC)

// clock is the only fake in these tests: a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openURL opens a store on url at clk (nil: the database's clock) and
// closes it when the test ends.
func openURL(tb testing.TB, url string, clk *clock) *Store {
	tb.Helper()
	opts := Options{MaxConns: 4}
	if clk != nil {
		opts.Now = clk.Now
	}
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// openTemp opens a store on a fresh database.
func openTemp(tb testing.TB, clk *clock) *Store {
	tb.Helper()
	return openURL(tb, server.NewDatabase(tb), clk)
}

// keys returns n item keys of source, as the crawler would compute them.
func keys(source string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = item.Key(source, fmt.Sprintf("https://report.az/en/news/%d", from+i), "", "")
	}
	return out
}

func mustCommit(tb testing.TB, s *Store, b state.Batch) {
	tb.Helper()
	if err := s.Commit(context.Background(), b); err != nil {
		tb.Fatalf("Commit: %v", err)
	}
}

func seenSet(tb testing.TB, s *Store, source string, ks []string) map[string]bool {
	tb.Helper()
	got, err := s.SeenKeys(context.Background(), source, ks)
	if err != nil {
		tb.Fatalf("SeenKeys(%q): %v", source, err)
	}
	return got
}

func digest(id string, created time.Time, sinks ...string) *state.Digest {
	d := &state.Digest{ID: id, Created: created, Payload: []byte(`{"topic":"azal-8243"}`), Sinks: map[string]*state.Delivery{}}
	for _, s := range sinks {
		d.Sinks[s] = nil
	}
	return d
}

func ids(ds []state.Digest) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}
