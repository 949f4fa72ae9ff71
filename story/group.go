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
// little and a name only two reports share weighs much. An Index is not
// safe for concurrent use.
type Index struct {
	df map[string]int
	n  int
	// w caches weight by feature: grouping a cycle's prints weighs the
	// same few hundred features millions of times. Add clears it.
	w map[string]float64
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
	clear(x.w)
	for _, f := range p.Names {
		x.df[f]++
	}
	for _, f := range p.Numbers {
		x.df[f]++
	}
}

// Merge counts the prints y counted, as if each had been added to x: a
// daemon keeps the counts of prints it no longer needs whole (those of
// stories too old to join) in an Index per day, and merges them each
// cycle.
func (x *Index) Merge(y *Index) {
	x.n += y.n
	clear(x.w)
	for f, c := range y.df {
		x.df[f] += c
	}
}

// Len is the number of prints counted.
func (x *Index) Len() int { return x.n }

// weight is the inverse document frequency of feature f. The index
// counts priorPrints more prints than it holds, in which f does not occur,
// so that a new store (a handful of prints) still weighs features
// roughly alike instead of calling everything common.
func (x *Index) weight(f string) float64 {
	if w, ok := x.w[f]; ok {
		return w
	}
	w := math.Log((float64(x.n) + priorPrints + 1) / float64(x.df[f]+1))
	if x.w == nil {
		x.w = map[string]float64{}
	}
	x.w[f] = w
	return w
}

// Same reports whether a and b report the same event.
func (x *Index) Same(a, b Print) bool {
	ok, _ := x.same(a, b, x.total(a), x.total(b))
	return ok
}

// same is Same given the total weights of a and b (see total), and also
// returns their similarity when they are the same event. Group asks it
// of every new print against every report of every open story, so it
// takes the totals computed once per print and allocates nothing.
func (x *Index) same(a, b Print, ta, tb float64) (bool, float64) {
	d := gap(a.Time, b.Time)
	if d > Window {
		return false, 0
	}
	if a.Lang != "" && a.Lang == b.Lang && resemblance(a.Sig, b.Sig) >= nearDupSim {
		return true, x.similarityOf(a, b, ta, tb)
	}
	title := countShared(a.Title, b.Title)
	numbers := countShared(a.Numbers, b.Numbers)
	// A new store knows too few prints to tell a detainee's name, in
	// every report of the topic, from a rare one: ask also for a shared
	// number (a date, a toll, a sentence) or two names in the headlines.
	if numbers == 0 && title < 2 {
		return false, 0
	}
	sim := x.similarityOf(a, b, ta, tb)
	if d <= closeGap && sim >= closeSim && title >= closeTitle {
		return true, sim
	}
	if sim >= farSim && title >= farTitle && numbers > 0 {
		return true, sim
	}
	return false, 0
}

// sharedWeight is the weight of the features a and b share.
func (x *Index) sharedWeight(a, b Print) float64 {
	return x.sharedOf(a.Names, b.Names) + x.sharedOf(a.Numbers, b.Numbers)
}

func (x *Index) sharedOf(a, b []string) float64 {
	var s float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			s += x.weight(a[i])
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return s
}

// countShared is the number of strings in both sorted lists.
func countShared(a, b []string) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
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
	return x.similarityOf(a, b, x.total(a), x.total(b))
}

// similarityOf is similarity given the total weights of a and b.
func (x *Index) similarityOf(a, b Print, ta, tb float64) float64 {
	s := x.sharedWeight(a, b)
	union := ta + tb - s
	if union <= 0 {
		return 0
	}
	return s / union
}
