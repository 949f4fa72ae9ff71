package match

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// field numbers the parts of an item; a query can be restricted to some.
type field uint8

const (
	fieldTitle field = iota
	fieldSummary
	fieldBody
	numFields
)

// fieldGap separates the positions of consecutive fields, so that phrases
// and NEAR never span a title and the summary after it.
const fieldGap = 1 << 20

var fieldNames = [numFields]string{"title", "summary", "body"}

// token is one word of an analysed item.
type token struct {
	key, loose string // strict key; diacritic-free key (same string if equal)
	pos        int32  // word position; fields are fieldGap apart
	field      field
	start, end int32 // byte offsets of the word in doc.text[field]
	// doc.skel[sk0:sk1] is the token's skeleton and doc.skel[sk0:nk1] its
	// name key (see translit.go); set by scan only when some query word
	// folds.
	sk0, sk1, nk1 int32
}

// doc is an item analysed once for every topic: cleaned text and tokens.
type doc struct {
	text [numFields]string
	toks []token
	skel []byte // skeletons of the tokens, back to back
}

// maxFieldBytes bounds how much of each field is read: a news item is far
// shorter, and a runaway page must not cost unbounded time and memory.
const maxFieldBytes = 1 << 20

// analyze cleans each field of it (HTML to text, Normalize) and tokenises
// it into d, reusing d's token slice.
func analyze(it Item, d *doc) {
	raw := [numFields]string{it.Title, it.Summary, it.Body}
	n := 0
	for f := range raw {
		if len(raw[f]) > maxFieldBytes {
			raw[f] = raw[f][:maxFieldBytes] // a cut rune becomes U+FFFD
		}
		d.text[f] = Normalize(htmlText(raw[f]))
		n += len(d.text[f]) / 6
	}
	d.toks = slices.Grow(d.toks[:0], n+8)
	for f := range raw {
		d.toks = appendTokens(d.toks, d.text[f], field(f))
	}
}

// appendTokens splits text into tokens (maximal runs of word runes) and
// appends them with their keys and offsets.
func appendTokens(toks []token, text string, f field) []token {
	pos := int32(f) * fieldGap
	start, folded, loose := -1, false, false
	for i := 0; i <= len(text); {
		r, size := decodeRune(text, i)
		var c runeClass
		if r >= 0 {
			c = classOf(r)
		}
		if c.word {
			if start < 0 {
				start, folded, loose = i, false, false
			}
			folded = folded || c.key != r
			loose = loose || c.loose
		} else if start >= 0 {
			key := text[start:i] // most words are lower case already: no copy
			if folded {
				key = strings.Map(classKey, key)
			}
			lk := key
			if loose {
				lk = looseKey(key)
			}
			toks = append(toks, token{key: key, loose: lk, pos: pos, field: f, start: int32(start), end: int32(i)})
			pos++
			start = -1
		}
		i += size
	}
	return toks
}

// decodeRune decodes the rune at text[i] (-1 past the end), decoding
// ASCII and the two-byte sequences of Cyrillic and Latin diacritics inline:
// together they are nearly all the text.
func decodeRune(text string, i int) (rune, int) {
	if i >= len(text) {
		return -1, 1
	}
	c := text[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if c >= 0xC2 && c <= 0xDF && i+1 < len(text) && text[i+1]&0xC0 == 0x80 {
		return rune(c&0x1F)<<6 | rune(text[i+1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(text[i:])
}

// words returns the strict keys of the tokens of s, as a query word is
// split exactly like document text.
func words(s string) []string {
	toks := appendTokens(nil, Normalize(s), fieldTitle)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.key
	}
	return out
}
