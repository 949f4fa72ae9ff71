package state

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkMergeDay measures the morning gathering of a day of crawls
// every 10 minutes: 144 held digests of 4 KiB each marked merged and one
// digest stored, in one transaction.
func BenchmarkMergeDay(b *testing.B) {
	clk := newClock()
	s := openTemp(b, clk)
	payload := make([]byte, 4<<10)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	n := 0
	for b.Loop() {
		b.StopTimer()
		ids := make([]string, 144)
		for i := range ids {
			ids[i] = fmt.Sprintf("c%06d-%03d", n, i)
			d := held(ids[i], clk.Now())
			d.Payload = payload
			mustCommit(b, s, Batch{Digest: d})
			clk.Advance(10 * time.Minute)
		}
		b.StartTimer()
		into := Digest{ID: fmt.Sprintf("m%06d", n), Payload: payload, Merged: ids, Sinks: map[string]*Delivery{"desk": {}}}
		if err := s.Merge(into, "desk"); err != nil {
			b.Fatal(err)
		}
		n++
	}
}
