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
		stories = append(stories, &candidate{cluster: -1, first: first, members: slices.Clone(ps), earlier: i})
	}
	var out []Cluster
	for _, i := range order {
		p := prints[i]
		var best *candidate
		bestSim := -1.0
		for _, s := range stories {
			if gap(p.Time, s.first.Time) > Window || s.has(p.Source) {
				continue
			}
			for _, m := range s.members {
				if !x.Same(p, m) {
					continue
				}
				if sim := x.similarity(p, m); sim > bestSim {
					best, bestSim = s, sim
				}
			}
		}
		if best == nil {
			best = &candidate{cluster: -1, first: p, earlier: -1}
			stories = append(stories, best)
		}
		if best.cluster < 0 {
			best.cluster = len(out)
			out = append(out, Cluster{Earlier: best.earlier})
		}
		best.members = append(best.members, p)
		out[best.cluster].Members = append(out[best.cluster].Members, i)
	}
	slices.SortStableFunc(out, func(a, b Cluster) int { return cmp.Compare(a.Members[0], b.Members[0]) })
	return out
}

// candidate is a story that new prints may join.
type candidate struct {
	cluster int // index into Group's clusters, or -1 while it holds only earlier prints
	first   Print
	members []Print
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
