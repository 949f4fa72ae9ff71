package match

import (
	"fmt"
	"strings"
)

// Explanation says why one topic did or did not match an item.
type Explanation struct {
	// Topic is the topic ID.
	Topic string
	// Matched is the final verdict, as Match would report it.
	Matched bool
	// Query is the parsed query printed back with full parentheses.
	Query string
	// QueryMatched reports whether the query itself matched.
	QueryMatched bool
	// Parts are the top-level parts of the query (the children of its
	// outermost AND or OR, or the query itself) and whether each matched.
	Parts []Part
	// Found lists every query word present in the item and where.
	Found []Found
	// MinTerms is the topic's threshold and Distinct the distinct query
	// words present.
	MinTerms, Distinct int
	// Excluded is the index of the exclude that vetoed the topic, or -1;
	// Exclude is that exclude printed back.
	Excluded int
	Exclude  string
}

// Part is one top-level part of a query and whether it matched.
type Part struct {
	Query   string
	Matched bool
}

// Found is one occurrence of a query word: the word as written in the
// query, the field, and the text's word.
type Found struct{ Term, Field, Word string }

// Explain evaluates every topic on it and says, per topic in topic order,
// what matched and where, and which exclude fired. It ignores the
// presearcher, so it also explains topics Match never evaluated.
func (m *Matcher) Explain(it Item) []Explanation {
	p := m.scan(it)
	defer m.release(p)
	out := make([]Explanation, 0, len(m.topics))
	for i := range m.topics {
		out = append(out, p.explain(&m.topics[i], m.leaves))
	}
	return out
}

func (p *postings) explain(t *compiledTopic, leaves []leaf) Explanation {
	r := p.result(t)
	e := Explanation{Topic: t.id, Matched: r.matched(), Query: t.query.String(), QueryMatched: r.query,
		MinTerms: t.minTerms, Excluded: r.excluded}
	_, e.Distinct = p.termTokens(t.terms)
	if r.excluded >= 0 {
		e.Exclude = t.excludes[r.excluded].String()
	}
	parts := []*node{t.query}
	if t.query.kind == nAnd || t.query.kind == nOr {
		parts = t.query.kids
	}
	for _, k := range parts {
		e.Parts = append(e.Parts, Part{Query: k.String(), Matched: p.eval(k)})
	}
	seen := map[Found]bool{}
	for _, u := range t.terms {
		l := leaves[u.leaf]
		for _, i := range p.hits[u.leaf] {
			tk := p.d.toks[i]
			if u.fields&(1<<tk.field) == 0 {
				continue
			}
			f := Found{Term: l.display(), Field: fieldNames[tk.field], Word: p.d.text[tk.field][tk.start:tk.end]}
			if !seen[f] {
				seen[f] = true
				e.Found = append(e.Found, f)
			}
		}
	}
	return e
}

func (l leaf) display() string {
	if l.prefix {
		return l.key + "*"
	}
	return l.key
}

// String renders the explanation for people, one fact a line.
func (e Explanation) String() string {
	var b strings.Builder
	verdict := "no match"
	if e.Matched {
		verdict = "MATCH"
	}
	fmt.Fprintf(&b, "topic %s: %s\n  query: %s\n", e.Topic, verdict, e.Query)
	for _, p := range e.Parts {
		mark := "-"
		if p.Matched {
			mark = "+"
		}
		fmt.Fprintf(&b, "  %s %s\n", mark, p.Query)
	}
	for _, f := range e.Found {
		fmt.Fprintf(&b, "  found %s as %q in %s\n", f.Term, f.Word, f.Field)
	}
	if e.MinTerms > 0 {
		fmt.Fprintf(&b, "  distinct terms: %d of at least %d\n", e.Distinct, e.MinTerms)
	}
	if e.Excluded >= 0 {
		fmt.Fprintf(&b, "  vetoed by exclude[%d]: %s\n", e.Excluded, e.Exclude)
	}
	return b.String()
}
