package state

import (
	"fmt"
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
