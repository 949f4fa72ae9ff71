package story

import (
	"testing"
	"time"
)

// BenchmarkFingerprint prints every item of the corpus once per op.
func BenchmarkFingerprint(b *testing.B) {
	items, _ := loadCorpus(b)
	docs := make([]Doc, len(items))
	for i, c := range items {
		tm, _ := time.Parse(time.RFC3339, c.Published)
		docs[i] = Doc{Lang: c.Lang, Published: tm, Title: c.Title, Summary: c.Summary, Body: c.Body}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			Fingerprint(d)
		}
	}
	b.ReportMetric(float64(len(docs)), "items/op")
}

// BenchmarkGroup groups a busy cycle: 40 new reports of one topic against
// 300 stories sent before (a month of a busy topic), all in the index.
func BenchmarkGroup(b *testing.B) {
	items, _ := loadCorpus(b)
	var prints []Print
	for _, c := range items {
		tm, _ := time.Parse(time.RFC3339, c.Published)
		prints = append(prints, Fingerprint(Doc{Lang: c.Lang, Published: tm, Title: c.Title, Summary: c.Summary, Body: c.Body}))
	}
	var earlier [][]Print
	for i := range 300 {
		earlier = append(earlier, []Print{prints[i%len(prints)]})
	}
	batch := prints[:40]
	x := NewIndex(prints)
	b.ResetTimer()
	for b.Loop() {
		Group(x, earlier, batch)
	}
}
