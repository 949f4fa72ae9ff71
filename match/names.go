package match

import (
	"cmp"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Term is a name-like word of an item: a person, place, organisation, or
// a number such as a flight's. Key is what counts are kept under, Form the
// word as the text wrote it.
type Term struct{ Key, Form string }

// stemRunes is how much of a longer name its Key keeps. Russian and
// Azerbaijani inflect names by their ending (Белоусов, Белоусова,
// Белоусову; Kartavıx, Kartavıxın), so counting names by their first six
// letters counts one person once, however the sentence declines them, at
// the price of merging the rare pair of names that share six letters. The
// query language's prefix search (Belous*) matches the same way, so a
// suggested term can be pasted as a prefix. A hand-written rule, since a
// stemmer for names in three languages is not what any library offers.
const stemRunes = 6

// minNameRunes skips two-letter words and initials, which are too common
// to be significant.
const minNameRunes = 3

// Names returns the distinct name-like terms of it, in order of first
// appearance: words written with a capital letter where a sentence does
// not begin (and nowhere in the item in lower case), and numbers of at
// least three digits. Sentence-initial words are left out, since there a
// capital says nothing; a name the item mentions once, at the start of a
// sentence, is missed, and that is the price of not guessing.
func Names(it Item) []Term {
	var d doc
	analyze(it, &d)
	type cand struct {
		form     string
		name     bool // capitalised within a sentence, or a number
		lowered  bool // also written in lower case
		position int
	}
	byKey := map[string]*cand{}
	for i, tk := range d.toks {
		text := d.text[tk.field]
		form := text[tk.start:tk.end]
		if utf8.RuneCountInString(form) < minNameRunes {
			continue
		}
		key := stemKey(tk.loose)
		c := byKey[key]
		if c == nil {
			c = &cand{form: form, position: i}
			byKey[key] = c
		}
		first, _ := utf8.DecodeRuneInString(form)
		switch {
		case isNumber(form):
			c.name = true
		case unicode.IsUpper(first):
			if !sentenceStart(text, int(tk.start)) {
				c.name = true
			}
		case unicode.IsLower(first):
			c.lowered = true
		}
	}
	out := make([]Term, 0, len(byKey))
	for key, c := range byKey {
		if c.name && !c.lowered {
			out = append(out, Term{Key: key, Form: c.form})
		}
	}
	slices.SortFunc(out, func(a, b Term) int { return cmp.Compare(byKey[a.Key].position, byKey[b.Key].position) })
	return out
}

// stemKey cuts a folded word to its first stemRunes runes.
func stemKey(key string) string {
	n := 0
	for i := range key {
		if n == stemRunes {
			return key[:i]
		}
		n++
	}
	return key
}

// isNumber reports whether s is all digits.
func isNumber(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// sentenceStart reports whether the word at byte i of text begins a
// sentence: only spaces, quotes and dashes lie between it and the start of
// the field or the last sentence-ending mark.
func sentenceStart(text string, i int) bool {
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
		switch {
		case unicode.IsSpace(r) || unicode.In(r, unicode.Pi, unicode.Pf, unicode.Ps, unicode.Pd) || r == '"' || r == '\'':
			continue
		case r == '.' || r == '!' || r == '?' || r == '…' || r == ':' || r == ';':
			return true
		default:
			return false
		}
	}
	return true
}
