package match

import "slices"

// Match returns the topics it matches, in topic order. The item is
// analysed once; only topics whose required words occur are evaluated.
// Only the first MiB of each field is read.
func (m *Matcher) Match(it Item) []Hit {
	p := m.scan(it)
	defer m.release(p)
	var hits []Hit
	for _, ti := range m.candidates(p.present) {
		t := &m.topics[ti]
		if r := p.result(t); r.matched() {
			hits = append(hits, Hit{Topic: t.id, Terms: p.surface(r.toks), Snippet: snippet(p.d, r.toks)})
		}
	}
	return hits
}

// result is the outcome of one topic on one doc.
type result struct {
	query    bool    // the query matched
	distinct int     // distinct positive terms present
	minTerms int     // required distinct terms (0 = off)
	excluded int     // index of the exclude that fired, or -1
	toks     []int32 // tokens of positive terms, document order
}

func (r result) matched() bool {
	return r.query && r.distinct >= r.minTerms && r.excluded < 0
}

// result evaluates topic t: the query, MinTerms, then the excludes.
func (p *postings) result(t *compiledTopic) result {
	r := result{minTerms: t.minTerms, excluded: -1}
	r.query = p.eval(t.query)
	if !r.query {
		return r
	}
	r.toks, r.distinct = p.termTokens(t.terms)
	if r.distinct < r.minTerms {
		return r
	}
	for i, ex := range t.excludes {
		if p.eval(ex) {
			r.excluded = i
			break
		}
	}
	return r
}

// termTokens returns the tokens the positive words matched in their
// fields, in document order, and how many distinct words matched.
func (p *postings) termTokens(uses []leafUse) ([]int32, int) {
	var out []int32
	found := map[int32]bool{}
	for _, u := range uses {
		for _, i := range p.hits[u.leaf] {
			if u.fields&(1<<p.d.toks[i].field) != 0 {
				out = append(out, i)
				found[u.leaf] = true
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), len(found)
}

// surface returns the distinct words of toks as written in the text.
func (p *postings) surface(toks []int32) []string {
	var out []string
	seen := map[string]bool{}
	for _, i := range toks {
		t := p.d.toks[i]
		if w := p.d.text[t.field][t.start:t.end]; !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
