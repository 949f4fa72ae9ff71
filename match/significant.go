package match

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Ref names an item for people: in suggestions and in the explanation of
// a related item.
type Ref struct {
	Title, URL, Source string
	Published          time.Time
}

// Background counts in how many items each name term occurs: everything
// read over a time range.
type Background struct {
	docs int
	df   map[string]int
}

// NewBackground returns empty counts.
func NewBackground() *Background { return &Background{df: map[string]int{}} }

// Add counts one item's terms (Names gives them distinct).
func (b *Background) Add(terms []Term) {
	b.docs++
	for _, t := range terms {
		b.df[t.Key]++
	}
}

// Docs is the number of items counted.
func (b *Background) Docs() int { return b.docs }

// Foreground holds one topic's matches over the range, with their terms.
type Foreground struct {
	docs  []fgDoc
	df    map[string]int
	forms map[string]map[string]int
}

type fgDoc struct {
	ref  Ref
	keys map[string]bool
}

// NewForeground returns an empty foreground.
func NewForeground() *Foreground {
	return &Foreground{df: map[string]int{}, forms: map[string]map[string]int{}}
}

// Add records one of the topic's matches. It must also be added to the
// background: the foreground is a subset of it, as in Elasticsearch.
func (f *Foreground) Add(ref Ref, terms []Term) {
	d := fgDoc{ref: ref, keys: make(map[string]bool, len(terms))}
	for _, t := range terms {
		d.keys[t.Key] = true
		f.df[t.Key]++
		if f.forms[t.Key] == nil {
			f.forms[t.Key] = map[string]int{}
		}
		f.forms[t.Key][t.Form]++
	}
	f.docs = append(f.docs, d)
}

// Docs is the number of matches recorded.
func (f *Foreground) Docs() int { return len(f.docs) }

// Significant is a term that stands out in a topic's matches.
type Significant struct {
	Key string
	// Form is the way the matches most often write it; Paste is how to
	// write it in a query: the form, or its stem with * when the matches
	// inflect it.
	Form, Paste string
	Forms       []string
	// FG of FGDocs matches contain it, BG of BGDocs items read.
	FG, FGDocs, BG, BGDocs int
	// Score is the JLH score (see Score).
	Score float64
	// Examples are up to three matches that contain it, newest first.
	Examples []Ref
}

// Score is Elasticsearch's JLH significance: with fg the share of the
// topic's matches that contain a term and bg its share of everything
// read, (fg - bg) * fg / bg, and 0 where the term is no more frequent in
// the matches than elsewhere. The absolute change rewards terms common in
// the matches, the relative one terms rare everywhere else.
func Score(fgDF, fgDocs, bgDF, bgDocs int) float64 {
	if fgDocs == 0 || bgDocs == 0 || bgDF == 0 {
		return 0
	}
	fg := float64(fgDF) / float64(fgDocs)
	bg := float64(bgDF) / float64(bgDocs)
	if fg <= bg {
		return 0
	}
	return (fg - bg) * (fg / bg)
}

// Top returns the n terms with the highest scores among those in at least
// minDocs of the matches, best first; ties go to the more frequent term,
// then the key, so the list is the same on every run.
func Top(f *Foreground, b *Background, minDocs, n int) []Significant {
	var out []Significant
	for key, df := range f.df {
		if df < minDocs {
			continue
		}
		s := Significant{Key: key, FG: df, FGDocs: len(f.docs), BG: b.df[key], BGDocs: b.docs}
		s.Score = Score(s.FG, s.FGDocs, s.BG, s.BGDocs)
		if s.Score <= 0 {
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Significant) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.FG, a.FG); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	out = out[:min(len(out), n)]
	for i := range out {
		f.describe(&out[i])
	}
	return out
}

// describe fills the forms, the paste form and the examples of s.
func (f *Foreground) describe(s *Significant) {
	forms := f.forms[s.Key]
	s.Forms = slices.SortedFunc(maps.Keys(forms), func(a, b string) int {
		if c := cmp.Compare(forms[b], forms[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	s.Form = s.Forms[0]
	s.Paste = s.Form
	if len(s.Forms) > 1 && utf8.RuneCountInString(s.Form) > stemRunes {
		s.Paste = string([]rune(s.Form)[:stemRunes]) + "*"
	}
	for i := len(f.docs) - 1; i >= 0 && len(s.Examples) < 3; i-- {
		if f.docs[i].keys[s.Key] {
			s.Examples = append(s.Examples, f.docs[i].ref)
		}
	}
}

// Profile is what a topic that follows its story knows of it: its
// significant terms and the matches that contain them.
type Profile struct {
	terms map[string]Significant
	fg    *Foreground
}

// ProfileOptions choose a profile's terms.
type ProfileOptions struct {
	// Terms is how many of the most significant terms are kept.
	Terms int
	// MinDocs is how many matches a term must occur in.
	MinDocs int
	// MinLift is how many times more frequent in the matches than in
	// everything read a term must be (the relative half of JLH). Names
	// the whole beat shares (the capital, the foreign ministry) are
	// frequent in the matches but hardly more so than elsewhere; this
	// keeps them out.
	MinLift float64
}

// NewProfile keeps the most significant terms of the topic's matches.
func NewProfile(f *Foreground, b *Background, o ProfileOptions) *Profile {
	p := &Profile{terms: map[string]Significant{}, fg: f}
	for _, s := range Top(f, b, o.MinDocs, len(f.df)) {
		if len(p.terms) == o.Terms {
			break
		}
		fg := float64(s.FG) / float64(s.FGDocs)
		bg := float64(s.BG) / float64(s.BGDocs)
		if fg >= o.MinLift*bg {
			p.terms[s.Key] = s
		}
	}
	return p
}

// Terms returns the profile's terms, best first.
func (p *Profile) Terms() []Significant {
	out := slices.Collect(maps.Values(p.terms))
	slices.SortFunc(out, func(a, b Significant) int { return cmp.Compare(b.Score, a.Score) })
	return out
}

// Relation explains why an item is related to a topic: the significant
// terms it shares with one of the topic's matches, and the matches (at
// most three, those sharing most, newest first) that share them.
type Relation struct {
	Terms []string
	Like  []Ref
}

// Related reports whether an item with terms shares at least minShared of
// the profile's significant terms with one and the same earlier match,
// and which. Terms spread over several matches do not count: a story is
// followed through items that resemble one of its reports, not through
// the vocabulary of the whole beat.
func (p *Profile) Related(terms []Term, minShared int) (Relation, bool) {
	var sig []string
	for _, t := range terms {
		if _, ok := p.terms[t.Key]; ok {
			sig = append(sig, t.Key)
		}
	}
	minShared = max(minShared, 1)
	if len(sig) < minShared {
		return Relation{}, false
	}
	type like struct {
		i      int
		shared []string
	}
	var likes []like
	for i, d := range p.fg.docs {
		var shared []string
		for _, k := range sig {
			if d.keys[k] {
				shared = append(shared, k)
			}
		}
		if len(shared) >= minShared {
			likes = append(likes, like{i, shared})
		}
	}
	if len(likes) == 0 {
		return Relation{}, false
	}
	slices.SortStableFunc(likes, func(a, b like) int {
		if c := cmp.Compare(len(b.shared), len(a.shared)); c != 0 {
			return c
		}
		return cmp.Compare(b.i, a.i)
	})
	r := Relation{}
	for _, k := range likes[0].shared {
		r.Terms = append(r.Terms, p.terms[k].Form)
	}
	for _, l := range likes[:min(len(likes), 3)] {
		r.Like = append(r.Like, p.fg.docs[l.i].ref)
	}
	return r, true
}

// String reads like `shares Kartavykh, Belousov with "Court in Baku …"`.
func (r Relation) String() string {
	var b strings.Builder
	b.WriteString("shares " + strings.Join(r.Terms, ", ") + " with ")
	for i, l := range r.Like {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(strconv.Quote(l.Title))
	}
	return b.String()
}

// Merge adds o's counts to b.
func (b *Background) Merge(o *Background) {
	b.docs += o.docs
	for k, n := range o.df {
		b.df[k] += n
	}
}

// Merge adds o's matches to f, after f's own.
func (f *Foreground) Merge(o *Foreground) {
	for k, n := range o.df {
		f.df[k] += n
	}
	for k, forms := range o.forms {
		if f.forms[k] == nil {
			f.forms[k] = map[string]int{}
		}
		for form, n := range forms {
			f.forms[k][form] += n
		}
	}
	f.docs = append(f.docs, o.docs...)
}
