package match

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Lint returns warnings about a topic that compiles but may not do what
// its author meant: lower-case operators used as words, very short
// prefixes, NEAR distances above 15, words mixing Cyrillic and Latin
// letters, and Russian words with no Latin spelling in a query that has
// Latin words (capitalised words marked "=word" only: other names match
// their romanisations by themselves).
// A query that does not parse yields its error.
func Lint(t Topic) []string {
	var out []string
	queries := append([]string{t.Query}, t.Exclude...)
	for i, q := range queries {
		label := "query"
		if i > 0 {
			label = fmt.Sprintf("exclude[%d]", i-1)
		}
		n, err := parse(q)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", label, err))
			continue
		}
		for _, w := range lintWords(q) {
			out = append(out, fmt.Sprintf("%s: %s", label, w))
		}
		for _, w := range lintTree(n, i == 0) {
			out = append(out, fmt.Sprintf("%s: %s", label, w))
		}
	}
	return out
}

// lintWords looks at the bare words of q for operators written in lower
// case, which match as plain words.
func lintWords(q string) []string {
	var out []string
	lx := &lexer{src: q, line: 1, col: 1}
	for {
		t, err := lx.next()
		if err != nil || t.kind == tEOF {
			return out
		}
		lw := strings.ToLower(t.text)
		if t.kind == tWord && t.text != strings.ToUpper(t.text) &&
			(lw == "and" || lw == "or" || lw == "not" || strings.HasPrefix(lw, "near/")) {
			out = append(out, fmt.Sprintf("%d:%d: %q is matched as a word; operators are upper case (%s)", t.line, t.col, t.text, strings.ToUpper(t.text)))
		}
	}
}

// lintTree checks the parsed words and NEAR distances; suggest enables
// the spelling suggestions (for the query, not excludes).
func lintTree(n *node, suggest bool) []string {
	var out, cyr []string
	latin := map[string]bool{}
	var walk func(*node)
	walk = func(n *node) {
		if n.kind == nNear && n.n > 15 {
			out = append(out, fmt.Sprintf("%d:%d: NEAR/%d is wide; above 15 it is close to AND", n.line, n.col, n.n))
		}
		for _, w := range n.words {
			out = append(out, lintWord(n, w)...)
			if isCyrillic(w.key) {
				// A name that folds already matches its romanisations.
				if w.name && w.fold == "" && !slices.Contains(cyr, w.key) {
					cyr = append(cyr, w.key)
				}
			} else {
				latin[looseKey(w.key)] = true
			}
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(n)
	if suggest && len(latin) > 0 {
		out = append(out, missingSpellings(cyr, latin)...)
	}
	return out
}

func lintWord(n *node, w qword) []string {
	var out []string
	if w.prefix && len([]rune(w.key)) == 3 {
		out = append(out, fmt.Sprintf("%d:%d: prefix %s* is very broad", n.line, n.col, w.key))
	}
	var cyr, lat bool
	for _, r := range w.key {
		cyr = cyr || unicode.Is(unicode.Cyrillic, r)
		lat = lat || unicode.Is(unicode.Latin, r)
	}
	if cyr && lat {
		out = append(out, fmt.Sprintf("%d:%d: %q mixes Cyrillic and Latin letters", n.line, n.col, w.key))
	}
	return out
}

// missingSpellings names Russian words none of whose Variants occur
// among the query's Latin words (compared as prefixes, without
// diacritics).
func missingSpellings(cyr []string, latin map[string]bool) []string {
	var out []string
	for _, c := range cyr {
		vs := Variants(c)
		found := false
		for _, v := range vs {
			for l := range latin {
				lv := looseKey(v)
				found = found || strings.HasPrefix(lv, l) || strings.HasPrefix(l, lv)
			}
		}
		if len(vs) > 0 && !found {
			out = append(out, fmt.Sprintf("%s has no Latin spelling in the query; consider %s", c, strings.Join(vs, ", ")))
		}
	}
	return out
}
