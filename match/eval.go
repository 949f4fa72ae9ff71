package match

import (
	"cmp"
	"slices"
	"strings"
)

// postings maps each leaf that occurs in a doc to the indexes of the
// tokens it matched, in document order. hits is indexed by leaf ID; only
// the entries listed in present are non-empty. Postings are pooled per
// Matcher, so a Match allocates no per-leaf table.
type postings struct {
	d       *doc
	doc     doc // d points here; pooled with its token slice
	hits    [][]int32
	present []int32 // leaves with hits, in first-seen order
}

// release empties p and returns it to m's pool.
func (m *Matcher) release(p *postings) {
	for _, l := range p.present {
		p.hits[l] = p.hits[l][:0]
	}
	p.present = p.present[:0]
	p.doc.text = [numFields]string{}
	m.pool.Put(p)
}

// scan analyses it and looks every token up once: its keys in the word
// index, and its first letters in the prefix index.
func (m *Matcher) scan(it Item) *postings {
	p, _ := m.pool.Get().(*postings)
	if p == nil {
		p = &postings{hits: make([][]int32, len(m.leaves))}
		p.d = &p.doc
	}
	analyze(it, p.d)
	d := p.d
	fold := len(m.names)+len(m.namePrefixes) > 0
	d.skel = d.skel[:0]
	for i := range d.toks {
		t := &d.toks[i]
		p.add(m.words[t.key], i)
		m.addPrefixes(p, t.key, i)
		if t.loose != t.key {
			p.add(m.words[t.loose], i)
			m.addPrefixes(p, t.loose, i)
		}
		if fold && len(t.key) >= minPrefix {
			m.addNames(p, t, i) // no name folds to fewer than minPrefix bytes
		}
	}
	return p
}

// addNames folds token t to its skeleton and name key and records the
// folded leaves they match. The lookups convert byte slices in place, so
// a token costs no allocation.
func (m *Matcher) addNames(p *postings, t *token, tok int) {
	d := p.d
	t.sk0 = int32(len(d.skel))
	d.skel = appendSkeleton(d.skel, t.key)
	sk := d.skel[t.sk0:]
	t.sk1 = int32(len(d.skel))
	t.nk1 = t.sk0 + int32(stemLen(sk))
	p.add(m.names[string(d.skel[t.sk0:t.nk1])], tok)
	if len(m.namePrefixes) == 0 || len(sk) < minPrefix {
		return
	}
	for _, l := range m.namePrefixes[string(sk[:minPrefix])] {
		if f := m.leaves[l].fold; len(sk) >= len(f) && string(sk[:len(f)]) == f {
			p.addOne(l, tok)
		}
	}
}

// addPrefixes records the prefix leaves that key begins with.
func (m *Matcher) addPrefixes(p *postings, key string, tok int) {
	if len(m.prefixes) == 0 {
		return
	}
	for _, l := range m.prefixes[bucket(key)] {
		if strings.HasPrefix(key, m.leaves[l].key) {
			p.addOne(l, tok)
		}
	}
}

func (p *postings) add(leaves []int32, tok int) {
	for _, l := range leaves {
		p.addOne(l, tok)
	}
}

// addOne records that leaf l matched token tok (once per token).
func (p *postings) addOne(l int32, tok int) {
	h := p.hits[l]
	if len(h) == 0 {
		p.present = append(p.present, l)
	}
	if len(h) == 0 || h[len(h)-1] != int32(tok) {
		p.hits[l] = append(h, int32(tok))
	}
}

// matches reports whether token t of d matches word w (used inside
// phrases): as written, or folded when w folds.
func (w qword) matches(t token, d *doc) bool {
	s := t.key
	if w.loose {
		s = t.loose
	}
	if w.prefix && strings.HasPrefix(s, w.key) || !w.prefix && s == w.key {
		return true
	}
	if w.fold == "" {
		return false
	}
	if w.prefix {
		sk := d.skel[t.sk0:t.sk1]
		return len(sk) >= len(w.fold) && string(sk[:len(w.fold)]) == w.fold
	}
	return string(d.skel[t.sk0:t.nk1]) == w.fold
}

// eval reports whether n matches the doc.
func (p *postings) eval(n *node) bool {
	switch n.kind {
	case nAnd:
		for _, k := range n.kids {
			if !p.eval(k) {
				return false
			}
		}
		return true
	case nOr:
		for _, k := range n.kids {
			if p.eval(k) {
				return true
			}
		}
		return false
	case nNot:
		return !p.eval(n.kids[0])
	}
	return len(p.spans(n)) > 0
}

// span is a run of positions [start, end] a term, phrase or NEAR covers.
type span struct{ start, end int32 }

// spans lists where n occurs; n is a term, phrase, OR of them, or NEAR.
func (p *postings) spans(n *node) []span {
	switch n.kind {
	case nTerm, nPhrase:
		return p.phraseSpans(n)
	case nOr:
		var out []span
		for _, k := range n.kids {
			out = append(out, p.spans(k)...)
		}
		// Spellings of one name now match the same words (Сафаров* and
		// Safarov* both find "Сафаровых"): keep each span once, so that
		// NEAR over the group does not repeat its work per spelling.
		if len(n.kids) > 1 && len(out) > 1 {
			slices.SortFunc(out, func(x, y span) int {
				return cmp.Or(cmp.Compare(x.start, y.start), cmp.Compare(x.end, y.end))
			})
			out = slices.Compact(out)
		}
		return out
	case nNear:
		return nearSpans(p.spans(n.kids[0]), p.spans(n.kids[1]), n.n, n.ordered)
	}
	return nil
}

// phraseSpans finds the first word's hits and checks the words after it
// on the following tokens of the same field.
func (p *postings) phraseSpans(n *node) []span {
	var out []span
	toks := p.d.toks
	for _, i := range p.hits[n.words[0].leaf] {
		t := toks[i]
		if n.fields&(1<<t.field) == 0 || int(i)+len(n.words) > len(toks) {
			continue
		}
		ok := true
		for j, w := range n.words[1:] {
			next := toks[int(i)+j+1]
			if next.field != t.field || !w.matches(next, p.d) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, span{t.pos, t.pos + int32(len(n.words)) - 1})
		}
	}
	return out
}

// nearSpans joins spans of a and b at most n words apart (words strictly
// between), in the same field; ordered requires a before b. b is sorted
// and searched, so the cost follows the pairs that are near, not |a|·|b|:
// a page repeating one name must not stall the matcher.
func nearSpans(a, b []span, n int, ordered bool) []span {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	b = slices.Clone(b)
	slices.SortFunc(b, func(x, y span) int { return cmp.Compare(x.start, y.start) })
	longest := int32(0)
	for _, y := range b {
		longest = max(longest, y.end-y.start)
	}
	var out []span
	for _, x := range a {
		// Any y near x starts after x.start - n - longest - 1.
		lo, _ := slices.BinarySearchFunc(b, x.start-int32(n)-longest-1, func(y span, t int32) int { return cmp.Compare(y.start, t) })
		for _, y := range b[lo:] {
			if y.start > x.end+int32(n)+1 {
				break
			}
			if j, ok := joinNear(x, y, n, ordered); ok {
				out = append(out, j)
			}
		}
	}
	return out
}

// joinNear returns the span covering x and y when they are near enough.
func joinNear(x, y span, n int, ordered bool) (span, bool) {
	if x.start/fieldGap != y.start/fieldGap {
		return span{}, false
	}
	gap := int32(-1)
	switch {
	case x.end < y.start:
		gap = y.start - x.end - 1
	case !ordered && y.end < x.start:
		gap = x.start - y.end - 1
	}
	if gap < 0 || gap > int32(n) {
		return span{}, false
	}
	return span{min(x.start, y.start), max(x.end, y.end)}, true
}
