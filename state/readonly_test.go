package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestReadOnlyOpen: readers share the file with each other, never with a
// writer (a read-only Open fails with ErrLocked while one holds it, within
// its timeout), see what the writer committed, and cannot write.
func TestReadOnlyOpen(t *testing.T) {
	t.Parallel()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "state.db")
	w := openAt(t, path, clk)
	mustCommit(t, w, Batch{Sources: map[string]Source{"report.az": {Initialized: true, Failures: 2}}})

	start := time.Now()
	_, err := Open(path, Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("read-only Open while a writer holds the file: %v, want ErrLocked", err)
	}
	t.Logf("gave up after %s", time.Since(start).Round(time.Millisecond))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	r1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	defer r2.Close()
	src, err := r2.Source("report.az")
	if err != nil || src.Failures != 2 {
		t.Errorf("reader sees %+v, %v; want the committed source", src, err)
	}
	if err := r1.Commit(Batch{Sources: map[string]Source{"apa.az": {}}}); err == nil {
		t.Error("a read-only store accepted a write")
	}
	if _, err := Open(path, Options{Timeout: 200 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("a writer while readers hold the file: %v, want ErrLocked", err)
	}
}

// TestReadOnlyOpenNewFile: a file that does not exist, or was never
// written, is not in the current layout and a reader says so.
func TestReadOnlyOpenNewFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.db"), Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want not exist", err)
	}
	// A bbolt file with no buckets yet: bbolt writes its meta pages.
	empty := filepath.Join(dir, "empty.db")
	db, err := openBolt(empty, time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if _, err := Open(empty, Options{ReadOnly: true}); !errors.Is(err, ErrNeedsUpgrade) {
		t.Errorf("empty file: %v, want ErrNeedsUpgrade", err)
	}
}

// BenchmarkOpenClose measures what the daemon pays to hold the state file
// only during its cycles: one Open (the lock, the map, the schema check
// and its small write) and one Close, on a file of 1,000,000 seen items
// over 1,000 sources (about 60 MB). ReadOnly is what `watcher status`
// pays.
func BenchmarkOpenClose(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.db")
	s, err := Open(path, Options{Now: newClock().Now})
	if err != nil {
		b.Fatal(err)
	}
	for batch := range 10 {
		seen := map[string][]string{}
		for i := range 1000 {
			src := fmt.Sprintf("source-%04d", i)
			seen[src] = keys(src, batch*100, 100)
		}
		mustCommit(b, s, Batch{Seen: seen})
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		b.Run(fmt.Sprintf("readonly=%v", ro), func(b *testing.B) {
			for b.Loop() {
				s, err := Open(path, Options{ReadOnly: ro})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(fi.Size())/1e6, "MB")
		})
	}
}
