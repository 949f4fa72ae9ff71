package state

import (
	"fmt"
	"os"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// remember fills s the way cycles do: a cold commit of every source's
// backlog (perSource-news keys each), then news cycles, one a day, each
// adding one key per source and touching every key the feeds still list.
// It returns the number of keys remembered.
func remember(tb testing.TB, s *Store, clk *clock, sources, perSource, news int) int {
	tb.Helper()
	names := make([]string, sources)
	listed := make(map[string][]string, sources)
	cold := Batch{Sources: map[string]Source{}, Seen: map[string][]string{}}
	for i := range names {
		names[i] = fmt.Sprintf("outlet-%05d.example", i)
		listed[names[i]] = keys(names[i], 0, perSource-news)
		cold.Sources[names[i]] = Source{Initialized: true, ETag: `W/"8243"`, LastSuccess: clk.Now()}
		cold.Seen[names[i]] = listed[names[i]]
	}
	mustCommit(tb, s, cold)
	for day := range news {
		clk.Advance(25 * time.Hour)
		b := Batch{Seen: map[string][]string{}, Touched: map[string][]string{}}
		for _, n := range names {
			b.Touched[n] = listed[n]
			fresh := keys(n, perSource-news+day, 1)
			b.Seen[n] = fresh
			listed[n] = append(listed[n], fresh...)
		}
		mustCommit(tb, s, b)
	}
	return sources * perSource
}

// footprint reports the state file's bytes per remembered key: the file
// as it lies on disk, and the pages bbolt holds in use (the file less
// its free and pending pages).
func footprint(tb testing.TB, s *Store, items int) (file, inUse float64) {
	tb.Helper()
	fi, err := os.Stat(s.Path())
	if err != nil {
		tb.Fatal(err)
	}
	var used int64
	err = s.view(func(tx *bolt.Tx) error {
		st := s.db.Stats()
		used = tx.Size() - int64(st.FreePageN+st.PendingPageN)*int64(s.db.Info().PageSize)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return float64(fi.Size()) / float64(items), float64(used) / float64(items)
}

// maxBytesPerKey is the promise of the README about the state file.
const maxBytesPerKey = 150

// TestBytesPerKey remembers 100,000 keys over 1,000 sources as cycles do
// and holds the state file, on disk and in pages, to maxBytesPerKey.
func TestBytesPerKey(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a store with 100,000 keys")
	}
	clk := newClock()
	s := openTemp(t, clk)
	n := remember(t, s, clk, 1000, 100, 5)
	file, inUse := footprint(t, s, n)
	t.Logf("%d keys: %.1f bytes per key in the file, %.1f in pages in use", n, file, inUse)
	if file > maxBytesPerKey || inUse > maxBytesPerKey {
		t.Errorf("%.1f bytes per key in the file, %.1f in use; want at most %d", file, inUse, maxBytesPerKey)
	}
}

// BenchmarkRemembered writes 100,000 remembered keys over 1,000 sources
// (a cold cycle, then ten daily news cycles) and reports the state
// file's bytes per key.
func BenchmarkRemembered(b *testing.B) {
	for b.Loop() {
		clk := newClock()
		s := openTemp(b, clk)
		n := remember(b, s, clk, 1000, 100, 10)
		file, inUse := footprint(b, s, n)
		b.ReportMetric(file, "file-B/key")
		b.ReportMetric(inUse, "inuse-B/key")
	}
}
