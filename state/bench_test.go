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
