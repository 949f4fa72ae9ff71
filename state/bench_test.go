package state

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkCommit measures one cycle's write: 1,000 new keys over 10
// sources, their source states, and a 16 KiB digest, in one transaction.
func BenchmarkCommit(b *testing.B) {
	clk := newClock()
	s := openTemp(b, clk)
	payload := make([]byte, 16<<10)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	n := 0
	for b.Loop() {
		batch := Batch{Sources: map[string]Source{}, Seen: map[string][]string{}}
		for i := range 10 {
			src := fmt.Sprintf("source-%02d", i)
			batch.Sources[src] = Source{Initialized: true, LastSuccess: clk.Now()}
			batch.Seen[src] = keys(src, n*100, 100)
		}
		d := digest(fmt.Sprintf("cycle-%d", n), clk.Now(), "email", "webhook")
		d.Payload = payload
		batch.Digest = d
		if err := s.Commit(batch); err != nil {
			b.Fatal(err)
		}
		clk.Advance(15 * time.Minute)
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*1000), "ns/key")
}

// BenchmarkSeenKeys measures the cycle's question for one fetched feed:
// which of its 50 items are known, in a store of 100,000 keys over 100
// sources. Half the asked keys are known.
func BenchmarkSeenKeys(b *testing.B) {
	s := openTemp(b, newClock())
	for batch := range 10 {
		seen := map[string][]string{}
		for i := range 100 {
			src := fmt.Sprintf("source-%03d", i)
			seen[src] = keys(src, batch*100, 100)
		}
		mustCommit(b, s, Batch{Seen: seen})
	}
	asked := keys("source-042", 975, 50) // 25 known, 25 new
	for b.Loop() {
		got, err := s.SeenKeys("source-042", asked)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 25 {
			b.Fatalf("%d keys known, want 25", len(got))
		}
	}
}

// BenchmarkColdCommit measures the commit of a cold cycle over 20,000
// sources of 20 items each, written in one transaction and in bounded
// ones, and reports the peak of the live heap during the commit.
func BenchmarkColdCommit(b *testing.B) {
	for _, tc := range []struct {
		name  string
		bound int
	}{{"one-transaction", 1 << 30}, {"bounded", DefaultMaxTxKeys}} {
		b.Run(tc.name, func(b *testing.B) {
			batch := Batch{Sources: map[string]Source{}, Seen: map[string][]string{}}
			for i := range 20_000 {
				n := fmt.Sprintf("outlet-%05d", i)
				batch.Sources[n] = Source{Initialized: true, ETag: `W/"8243"`}
				batch.Seen[n] = keys(n, 0, 20)
			}
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{MaxTxKeys: tc.bound})
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var base runtime.MemStats
				runtime.ReadMemStats(&base)
				stop := sampleHeap(&peak)
				b.StartTimer()
				if err := s.Commit(batch); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				stop()
				peak -= min(peak, base.HeapAlloc)
				_ = s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// sampleHeap records the largest live heap seen every millisecond into
// peak until the returned stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	*peak = 0
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}

// BenchmarkCycleByRemembered measures what a daemon cycle asks of the state
// for 200 feeds, each listing 50 items of which 2 are new, at several sizes
// of what each source remembers: open the file, ask each feed which of its
// listed keys are known, commit the new keys and the source states, close
// it (the daemon opens the state afresh every cycle). A soak's cycles grow
// slower as its sources go from tens of remembered items to hundreds; this
// separates the state's part in that from the rest of the cycle. A source
// stops growing at the retention (50 items a day for 90 days is 4,500).
func BenchmarkCycleByRemembered(b *testing.B) {
	const sources, listed, fresh = 200, 50, 2
	for _, remembered := range []int{50, 300, 1000, 4500} {
		b.Run(fmt.Sprintf("remembered=%d", remembered), func(b *testing.B) {
			clk := newClock()
			path := filepath.Join(b.TempDir(), "state.db")
			s := openAt(b, path, clk)
			for from := 0; from < remembered; from += 500 {
				seen := map[string][]string{}
				for i := range sources {
					src := fmt.Sprintf("outlet-%03d", i)
					seen[src] = keys(src, from, min(500, remembered-from))
				}
				mustCommit(b, s, Batch{Seen: seen})
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			next := remembered
			for b.Loop() {
				s, err := Open(path, Options{Now: clk.Now}) // closed below: no cleanup per cycle
				if err != nil {
					b.Fatal(err)
				}
				batch := Batch{Sources: map[string]Source{}, Seen: map[string][]string{}}
				for i := range sources {
					src := fmt.Sprintf("outlet-%03d", i)
					asked := keys(src, next-(listed-fresh), listed)
					got, err := s.SeenKeys(src, asked)
					if err != nil {
						b.Fatal(err)
					}
					if len(got) != listed-fresh {
						b.Fatalf("%s: %d of %d listed keys known, want %d", src, len(got), listed, listed-fresh)
					}
					batch.Seen[src] = asked[listed-fresh:]
					batch.Sources[src] = Source{Initialized: true, LastSuccess: clk.Now()}
				}
				mustCommit(b, s, batch)
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				clk.Advance(15 * time.Minute)
				next += fresh
			}
		})
	}
}
