package match

import (
	"errors"
	"fmt"
	"sync"
)

// leaf is one distinct query word; every term and phrase word maps to one.
type leaf struct {
	key           string
	loose, prefix bool
	fold          string // name key, or "" (see qword.fold)
}

// compiledTopic is a topic ready to evaluate.
type compiledTopic struct {
	id       string
	query    *node
	excludes []*node
	minTerms int
	terms    []leafUse // words under the positive part of the query
}

// leafUse is a leaf together with the fields it may match in.
type leafUse struct {
	leaf   int32
	fields fieldMask
}

// Matcher matches items against compiled topics. Its topics and indexes
// are immutable after Compile and per-call scratch space comes from a
// sync.Pool, so it is safe for concurrent use without locks.
type Matcher struct {
	leaves []leaf
	// words and prefixes index leaves by their key. A token is looked up
	// by its strict key and, when it differs, its loose key: a leaf
	// written with diacritics can only equal the former, one written
	// without can only equal the latter, so one map serves both.
	words map[string][]int32
	// prefixes holds prefix leaves under their first minPrefix runes, so
	// a token costs one lookup however many prefix lengths are in use.
	prefixes map[string][]int32
	// names and namePrefixes index the leaves that fold (capitalised
	// words): names by name key, matched against a token's name key;
	// namePrefixes by the first minPrefix bytes of the skeleton, matched
	// as a prefix of the token's skeleton. A folded leaf is also in words
	// or prefixes under its own key, so folding only ever adds matches.
	names        map[string][]int32
	namePrefixes map[string][]int32
	noFold       bool // match every word as written (to measure folding)

	pool sync.Pool // of *postings sized for leaves

	leafTopics [][]int32 // presearcher: leaf → topics that need it
	// always lists topics the presearcher cannot filter. Every accepted
	// query requires some word, so it stays empty; evaluation does not
	// rely on that.
	always []int32
	topics []compiledTopic
}

// Compile parses every topic's query and excludes and builds the matcher.
// All problems are reported together with errors.Join, each a *QueryError;
// a duplicate or empty topic ID is one too.
func Compile(topics []Topic) (*Matcher, error) { return compile(topics, false) }

// compile is Compile; noFold turns name folding off for every word, as if
// each were written "=word", so tests can measure what folding changes.
func compile(topics []Topic, noFold bool) (*Matcher, error) {
	m := &Matcher{words: map[string][]int32{}, prefixes: map[string][]int32{},
		names: map[string][]int32{}, namePrefixes: map[string][]int32{}, noFold: noFold}
	ids := map[string]int{}
	leafIDs := map[leaf]int32{}
	var errs []error
	for i, t := range topics {
		ct, tErrs := compileTopic(t, i, ids)
		if len(tErrs) > 0 {
			errs = append(errs, tErrs...)
			continue
		}
		for _, n := range append([]*node{ct.query}, ct.excludes...) {
			m.intern(n, leafIDs)
		}
		ct.terms = positiveLeaves(ct.query, nil)
		if ct.minTerms > distinctLeaves(ct.terms) {
			errs = append(errs, &QueryError{Topic: t.ID, Field: "min_terms",
				Msg: fmt.Sprintf("min_terms %d exceeds the %d distinct terms of the query", ct.minTerms, distinctLeaves(ct.terms))})
			continue
		}
		m.topics = append(m.topics, ct)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m.presearch()
	return m, nil
}

// compileTopic parses one topic; ids tracks the IDs seen so far.
func compileTopic(t Topic, i int, ids map[string]int) (compiledTopic, []error) {
	var errs []error
	name := t.ID
	switch prev, dup := ids[t.ID]; {
	case t.ID == "":
		name = fmt.Sprintf("#%d", i+1)
		errs = append(errs, &QueryError{Topic: name, Field: "id", Msg: "topic has no id"})
	case dup:
		errs = append(errs, &QueryError{Topic: t.ID, Field: "id", Msg: fmt.Sprintf("duplicate topic id (topics #%d and #%d)", prev+1, i+1)})
	default:
		ids[t.ID] = i
	}
	if t.MinTerms < 0 {
		errs = append(errs, &QueryError{Topic: name, Field: "min_terms", Msg: "min_terms must not be negative"})
	}
	ct := compiledTopic{id: t.ID, minTerms: t.MinTerms}
	fieldErr := func(field string, err error) {
		var qe *QueryError
		if errors.As(err, &qe) {
			qe.Topic, qe.Field = name, field
		}
		errs = append(errs, err)
	}
	q, err := parse(t.Query)
	if err != nil {
		fieldErr("query", err)
	}
	ct.query = q
	for j, ex := range t.Exclude {
		n, err := parse(ex)
		if err != nil {
			fieldErr(fmt.Sprintf("exclude[%d]", j), err)
		}
		ct.excludes = append(ct.excludes, n)
	}
	return ct, errs
}

// intern assigns leaf IDs to every word under n and indexes new leaves.
func (m *Matcher) intern(n *node, ids map[leaf]int32) {
	for i := range n.words {
		w := &n.words[i]
		if m.noFold {
			w.fold = ""
		}
		l := leaf{key: w.key, loose: w.loose, prefix: w.prefix, fold: w.fold}
		id, ok := ids[l]
		if !ok {
			id = int32(len(m.leaves))
			ids[l] = id
			m.leaves = append(m.leaves, l)
			m.index(l, id)
		}
		w.leaf = id
	}
	for _, k := range n.kids {
		m.intern(k, ids)
	}
}

// index files a new leaf under the map its token lookups will probe.
func (m *Matcher) index(l leaf, id int32) {
	switch {
	case l.fold != "" && l.prefix:
		m.namePrefixes[l.fold[:minPrefix]] = append(m.namePrefixes[l.fold[:minPrefix]], id)
	case l.fold != "":
		m.names[l.fold] = append(m.names[l.fold], id)
	}
	if !l.prefix {
		m.words[l.key] = append(m.words[l.key], id)
		return
	}
	head := bucket(l.key)
	m.prefixes[head] = append(m.prefixes[head], id)
}

// minPrefix is the fewest letters a prefix term may have before "*".
const minPrefix = 3

// bucket returns the first minPrefix runes of key (all of a shorter key).
func bucket(key string) string {
	n := 0
	for i := range key {
		if n == minPrefix {
			return key[:i]
		}
		n++
	}
	return key
}

// positiveLeaves lists the words under n that are not negated.
func positiveLeaves(n *node, out []leafUse) []leafUse {
	if n.kind == nNot {
		return out
	}
	for _, w := range n.words {
		out = append(out, leafUse{leaf: w.leaf, fields: n.fields})
	}
	for _, k := range n.kids {
		out = positiveLeaves(k, out)
	}
	return out
}

func distinctLeaves(us []leafUse) int {
	seen := map[int32]bool{}
	for _, u := range us {
		seen[u.leaf] = true
	}
	return len(seen)
}
