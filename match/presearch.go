package match

import "slices"

// The presearcher follows the percolator recipe (Lucene Monitor's
// TermFilteredPresearcher): for each topic, a set of leaves at least one
// of which must occur whenever the topic matches. Per item only topics
// with such a leaf present are evaluated, so the cost follows the hits,
// not the number of topics.

// presearch fills leafTopics and always from every topic's query.
func (m *Matcher) presearch() {
	m.leafTopics = make([][]int32, len(m.leaves))
	for i, t := range m.topics {
		req, ok := m.required(t.query)
		if !ok {
			m.always = append(m.always, int32(i))
			continue
		}
		for _, l := range req {
			if ts := m.leafTopics[l]; len(ts) == 0 || ts[len(ts)-1] != int32(i) {
				m.leafTopics[l] = append(ts, int32(i))
			}
		}
	}
}

// required returns leaves one of which must occur when n matches; ok is
// false when no such set exists (n can match through a negation).
func (m *Matcher) required(n *node) (req []int32, ok bool) {
	switch n.kind {
	case nTerm:
		return []int32{n.words[0].leaf}, true
	case nPhrase:
		return []int32{m.rarest(n.words)}, true
	case nNot:
		return nil, false
	case nOr:
		for _, k := range n.kids {
			r, ok := m.required(k)
			if !ok {
				return nil, false
			}
			req = append(req, r...)
		}
		return req, true
	}
	// AND and NEAR: every positive child must match; take the tightest set.
	for _, k := range n.kids {
		r, kok := m.required(k)
		if kok && (!ok || m.cost(r) < m.cost(req)) {
			req, ok = r, true
		}
	}
	return req, ok
}

// rarest picks the phrase word most likely to be rare: exact before
// prefix, then the longest.
func (m *Matcher) rarest(ws []qword) int32 {
	best := ws[0]
	for _, w := range ws[1:] {
		if (best.prefix && !w.prefix) || (best.prefix == w.prefix && len(w.key) > len(best.key)) {
			best = w
		}
	}
	return best.leaf
}

// cost estimates how often a required set lets a topic through: prefixes
// and short words count more than long exact words.
func (m *Matcher) cost(req []int32) int {
	c := 0
	for _, l := range req {
		c += 4
		if m.leaves[l].prefix {
			c += 2
		}
		if len(m.leaves[l].key) <= 4 {
			c += 2
		}
	}
	return c
}

// candidates returns the topics to evaluate for the leaves present, in
// topic order.
func (m *Matcher) candidates(present []int32) []int32 {
	out := slices.Clone(m.always)
	for _, l := range present {
		out = append(out, m.leafTopics[l]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
