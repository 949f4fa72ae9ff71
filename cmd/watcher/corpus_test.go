package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// corpusItem is one labelled item of the shared corpus.
type corpusItem struct {
	ID       string   `json:"id"`
	Topics   []string `json:"topics"`
	Mentions []string `json:"mentions"`
}

// parseCorpus reads the labels of the corpus, one JSON object a line.
func parseCorpus(t *testing.T, data []byte) []corpusItem {
	t.Helper()
	var items []corpusItem
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var it corpusItem
		if err := json.Unmarshal([]byte(l), &it); err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	return items
}

// scoreCorpus scores assignments against the labels as the corpus guide
// says (an item labelled only as a mention of a topic is no false
// positive for it), logs precision, recall and F1 per topic, and fails a
// topic whose F1 is below floor.
func scoreCorpus(t *testing.T, what string, items []corpusItem, floor float64, assigned func(id, topic string) bool) {
	t.Helper()
	for _, topic := range []string{"yekaterinburg-case", "sputnik-detainees", "azal-compensation"} {
		var tp, fp, fn int
		for _, it := range items {
			labelled, got := slices.Contains(it.Topics, topic), assigned(it.ID, topic)
			switch {
			case labelled && got:
				tp++
			case labelled:
				fn++
			case got && !slices.Contains(it.Mentions, topic):
				fp++
			}
		}
		p, r := ratio(tp, tp+fp), ratio(tp, tp+fn)
		f1 := harmonic(p, r)
		t.Logf("%s %-20s precision %.3f recall %.3f F1 %.3f (tp %d fp %d fn %d)", what, topic, p, r, f1, tp, fp, fn)
		if f1 < floor {
			t.Errorf("%s %s: F1 %.3f below %.2f", what, topic, f1, floor)
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// harmonic is the harmonic mean of precision and recall: F1.
func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
