package story

import (
	"math"
	"time"
)

// Window is how far apart in time two reports of one event may be: the
// first report and the last that still joins it.
const Window = 48 * time.Hour

// The rule that makes two reports one story, measured on the project's
// labelled corpus (see the README): reports close in time that share rare
// names and numbers, and at least one of them in their headlines. Reports
// of one day on one topic share most of their names (the detainees, the
// city), so closeness in time alone would merge a raid with the court
// ruling of the next morning; what tells them apart is the rare rest
// (a sentence of four months, the name of a spokeswoman).
const (
	closeGap    = 6 * time.Hour // close in time: the first hours of a story
	closeSim    = 0.15          // weighted Jaccard of names and numbers
	closeTitle  = 1             // shared features in the headlines
	farSim      = 0.30          // up to Window apart: much more in common
	farTitle    = 2
	nearDupSim  = 0.5  // MinHash resemblance of the wording, one language
	priorPrints = 20.0 // see weight
)

// Index counts in how many recent prints each feature occurs, so that a
// name every item of a topic carries (the topic's own subject) weighs
// little and a name only two reports share weighs much.
type Index struct {
	df map[string]int
	n  int
}

// NewIndex returns an index of prints.
func NewIndex(prints []Print) *Index {
	x := &Index{df: map[string]int{}}
	for _, p := range prints {
		x.Add(p)
	}
	return x
}

// Add counts the features of p.
func (x *Index) Add(p Print) {
	x.n++
	for _, f := range p.Names {
		x.df[f]++
	}
	for _, f := range p.Numbers {
		x.df[f]++
	}
}

// weight is the inverse document frequency of feature f. The index
// counts priorPrints more prints than it holds, in which f does not occur,
// so that a new store (a handful of prints) still weighs features
// roughly alike instead of calling everything common.
func (x *Index) weight(f string) float64 {
	return math.Log((float64(x.n) + priorPrints + 1) / float64(x.df[f]+1))
}

// Same reports whether a and b report the same event.
func (x *Index) Same(a, b Print) bool {
	d := gap(a.Time, b.Time)
	if d > Window {
		return false
	}
	if a.Lang != "" && a.Lang == b.Lang && resemblance(a.Sig, b.Sig) >= nearDupSim {
		return true
	}
	sim := x.similarity(a, b)
	title := len(intersect(a.Title, b.Title))
	// A new store knows too few prints to tell a detainee's name, in
	// every report of the topic, from a rare one: ask also for a shared
	// number (a date, a toll, a sentence) or two names in the headlines.
	if len(intersect(a.Numbers, b.Numbers)) == 0 && title < 2 {
		return false
	}
	if d <= closeGap && sim >= closeSim && title >= closeTitle {
		return true
	}
	return sim >= farSim && title >= farTitle && len(intersect(a.Numbers, b.Numbers)) > 0
}

// shared returns the weight of the features a and b share, and the features.
func (x *Index) shared(a, b Print) (float64, []string) {
	var s float64
	var fs []string
	for _, list := range [2][2][]string{{a.Names, b.Names}, {a.Numbers, b.Numbers}} {
		for _, f := range intersect(list[0], list[1]) {
			s += x.weight(f)
			fs = append(fs, f)
		}
	}
	return s, fs
}

// intersect returns the strings in both sorted lists.
func intersect(a, b []string) []string {
	var out []string
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			out = append(out, a[i])
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return out
}

func gap(a, b time.Time) time.Duration {
	d := a.Sub(b)
	if d < 0 {
		return -d
	}
	return d
}

// total is the weight of every feature of p.
func (x *Index) total(p Print) float64 {
	var s float64
	for _, f := range p.Names {
		s += x.weight(f)
	}
	for _, f := range p.Numbers {
		s += x.weight(f)
	}
	return s
}

// similarity is the weighted Jaccard similarity of the features of a and b.
func (x *Index) similarity(a, b Print) float64 {
	s, _ := x.shared(a, b)
	union := x.total(a) + x.total(b) - s
	if union <= 0 {
		return 0
	}
	return s / union
}
