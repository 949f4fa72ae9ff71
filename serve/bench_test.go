package serve

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// BenchmarkScrape measures one /metrics scrape over a real socket with
// 1,000 sources and 10 topics, each source having failed once.
func BenchmarkScrape(b *testing.B) {
	m := NewMetrics()
	var sources, topics []string
	c := Cycle{Result: "ok", End: time.Now(), Duration: time.Second}
	for i := range 1000 {
		name := fmt.Sprintf("s%04d", i)
		sources = append(sources, name)
		c.Failures = append(c.Failures, Failure{Source: name, Cause: "timeout"})
	}
	for i := range 10 {
		topics = append(topics, fmt.Sprintf("t%d", i))
	}
	m.Known(sources, topics, nil)
	m.ObserveCycle(c)
	st := Status{}
	for _, s := range sources {
		st.Sources = append(st.Sources, SourceStatus{Name: s, LastSuccess: time.Now(), Failures: 1})
	}
	m.SetStatus(st)
	base := serveTest(b, New(Options{Metrics: m}))
	var size int64
	for b.Loop() {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			b.Fatal(err)
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64(size), "bytes/scrape")
}
