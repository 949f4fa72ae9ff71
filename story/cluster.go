package story

import (
	"cmp"
	"slices"
)

// Cluster is one story among the prints given to Group.
type Cluster struct {
	// Earlier is the index of the earlier story the cluster adds to, or -1
	// for a story first reported now.
	Earlier int
	// Members are indices into the new prints, earliest first: the first
	// is the story's first report in this batch.
	Members []int
}

// Group sorts the new prints into stories. earlier holds the prints of
// stories already sent, one list per story; a new print that reports one
// of them joins it. Each new print is in exactly one cluster. Prints are
// taken in time order, and each joins the story whose reports it is most
// like (by the rule of Same, against any of its reports, and within
// Window of its first) and that no report of its outlet is in yet, or
// begins a story of its own: a story grows from its first report and
// cannot drift, report by report, into another.
func Group(x *Index, earlier [][]Print, prints []Print) []Cluster {
	order := make([]int, len(prints))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return prints[a].Time.Compare(prints[b].Time) })

	var stories []*candidate
	for i, ps := range earlier {
		if len(ps) == 0 {
			continue
		}
		first := slices.MinFunc(ps, func(a, b Print) int { return a.Time.Compare(b.Time) })
		// A copy: the story grows by the new prints that join it, and
		// must not write into the caller's slice.
		c := &candidate{cluster: -1, first: first, firstAt: first.Time.UnixNano(), members: slices.Clone(ps), earlier: i}
		for _, m := range ps {
			c.totals = append(c.totals, x.total(m))
		}
		stories = append(stories, c)
	}
	var out []Cluster
	for _, i := range order {
		p := prints[i]
		tp := x.total(p)
		var best *candidate
		bestSim := -1.0
		at := p.Time.UnixNano()
		for _, s := range stories {
			if d := at - s.firstAt; d > int64(Window) || d < -int64(Window) || s.has(p.Source) {
				continue
			}
			for k, m := range s.members {
				if ok, sim := x.same(p, m, tp, s.totals[k]); ok && sim > bestSim {
					best, bestSim = s, sim
				}
			}
		}
		if best == nil {
			best = &candidate{cluster: -1, first: p, firstAt: at, earlier: -1}
			stories = append(stories, best)
		}
		if best.cluster < 0 {
			best.cluster = len(out)
			out = append(out, Cluster{Earlier: best.earlier})
		}
		best.members = append(best.members, p)
		best.totals = append(best.totals, tp)
		out[best.cluster].Members = append(out[best.cluster].Members, i)
	}
	slices.SortStableFunc(out, func(a, b Cluster) int { return cmp.Compare(a.Members[0], b.Members[0]) })
	return out
}

// candidate is a story that new prints may join.
type candidate struct {
	cluster int // index into Group's clusters, or -1 while it holds only earlier prints
	first   Print
	firstAt int64 // first.Time in Unix nanoseconds, for the window check
	members []Print
	totals  []float64 // each member's total weight (Index.total)
	earlier int
}

// has reports whether the story has a report from source already.
func (c *candidate) has(source string) bool {
	if source == "" {
		return false
	}
	for _, m := range c.members {
		if m.Source == source {
			return true
		}
	}
	return false
}
