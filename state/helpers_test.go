package state

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/watcher-news/watcher/item"
)

// t0 is the fake clock's start: the day of the Yekaterinburg raid.
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

// openAt opens a store at path on clk and closes it when the test ends.
func openAt(tb testing.TB, path string, clk *clock) *Store {
	tb.Helper()
	s, err := Open(path, Options{Now: clk.Now})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// openTemp opens a fresh store in a temporary directory.
func openTemp(tb testing.TB, clk *clock) *Store {
	tb.Helper()
	return openAt(tb, filepath.Join(tb.TempDir(), "state.db"), clk)
}

// keys returns n item keys of source, as the crawler would compute them.
func keys(source string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = item.Key(source, fmt.Sprintf("https://report.az/en/news/%d", from+i), "", "")
	}
	return out
}

func mustCommit(tb testing.TB, s *Store, b Batch) {
	tb.Helper()
	if err := s.Commit(b); err != nil {
		tb.Fatalf("Commit: %v", err)
	}
}

// seenSet returns which of ks the store reports seen for source.
func seenSet(tb testing.TB, s *Store, source string, ks []string) map[string]bool {
	tb.Helper()
	got, err := s.SeenKeys(source, ks)
	if err != nil {
		tb.Fatalf("SeenKeys(%q): %v", source, err)
	}
	return got
}

func digest(id string, created time.Time, sinks ...string) *Digest {
	d := &Digest{ID: id, Created: created, Payload: []byte(`{"topic":"azal-8243"}`), Sinks: map[string]*Delivery{}}
	for _, s := range sinks {
		d.Sinks[s] = nil
	}
	return d
}

func ids(ds []Digest) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}
