package match

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folding is written by hand because no library does what matching needs:
// x/text/cases turns İ into "i̇" and, with an Azerbaijani tag, English "I"
// into "ı", and stripping every combining mark would turn й into и. Go's
// unicode.ToLower per rune is the base; the few folds below are explicit.

// strictFold maps a lower-cased rune to its strict key rune: the dotless i
// and dotted i are one letter for matching, ё is written е as often as not,
// and ǝ (U+01DD) is a look-alike typed for ə (U+0259).
func strictFold(r rune) rune {
	switch r {
	case 'ı':
		return 'i'
	case 'ё':
		return 'е'
	case 'ǝ':
		return 'ə'
	}
	return r
}

// looseTable maps Latin letters with diacritics (U+0080–U+024F) to their
// base letter; zero means the rune is kept. Cyrillic is never stripped.
var looseTable = buildLooseTable()

func buildLooseTable() []rune {
	t := make([]rune, 0x250)
	for r := rune(0x80); r < 0x250; r++ {
		if !unicode.Is(unicode.Latin, r) {
			continue
		}
		base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
		if base < utf8.RuneSelf && base != r {
			t[r] = base
		}
	}
	return t
}

// looseFold maps a strict key rune to its diacritic-free Latin form.
func looseFold(r rune) rune {
	if r == 'ə' {
		return 'e'
	}
	if r >= 0x80 && r < rune(len(looseTable)) && looseTable[r] != 0 {
		return looseTable[r]
	}
	return r
}

// keyRune lower-cases and strictly folds one rune of a token. ASCII and
// the Russian alphabet, most of the text, skip the Unicode tables.
func keyRune(r rune) rune {
	switch {
	case 'A' <= r && r <= 'Z', 'А' <= r && r <= 'Я':
		return r + ('a' - 'A')
	case r < utf8.RuneSelf, 'а' <= r && r <= 'я':
		return r
	}
	return strictFold(unicode.ToLower(r))
}

// looseKey returns the diacritic-free form of a strict key, or key itself
// when nothing changes (the common case allocates nothing).
func looseKey(key string) string {
	for i, r := range key {
		if looseFold(r) != r {
			var b strings.Builder
			b.Grow(len(key))
			b.WriteString(key[:i])
			for _, r := range key[i:] {
				b.WriteRune(looseFold(r))
			}
			return b.String()
		}
	}
	return key
}

// isWordRune reports whether r belongs inside a token: letters, digits and
// combining marks. Everything else, hyphens, apostrophes and typographic
// quotes and dashes included, is a boundary.
func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	case 0x410 <= r && r <= 0x44F: // А-я, the bulk of Russian text
		return true
	}
	return unicode.In(r, unicode.L, unicode.N, unicode.Mn, unicode.Mc)
}

// Normalize returns s as matching sees it: NFKC, format characters (soft
// hyphen, zero-width spaces, BOM) removed, invalid UTF-8 replaced. Case is
// kept; keys are folded per token.
func Normalize(s string) string {
	valid, stable, format := survey(s)
	if !valid {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !stable {
		s = norm.NFKC.String(s)
		format = true
	}
	if !format {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == 0xAD || r >= 0x600 && unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}

// survey reads s once and reports whether it is valid UTF-8, whether it
// holds only runes NFKC leaves alone whatever follows them (ASCII, the
// Russian alphabet, the Azerbaijani letters, quotes and dashes of news
// text), and whether it may hold a format character. It is a shortcut:
// norm's own check cost a fifth of the matching time, and most items pass
// this one loop. Below U+0600 the only format character is the soft hyphen.
func survey(s string) (valid, stable, format bool) {
	valid, stable = true, true
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n
		switch {
		case r < utf8.RuneSelf, 'А' <= r && r <= 'я', r == 'Ё', r == 'ё':
		case r == utf8.RuneError && n == 1:
			valid, stable = false, false
		case strings.ContainsRune("əƏşŞçÇğĞöÖüÜıİ«»—–“”‘’„", r):
		default:
			stable = false
			format = format || r == 0xAD || r >= 0x600
		}
	}
	return valid, stable, format
}

// runeClass is what tokenising needs to know about one rune, precomputed
// for the scripts of nearly all the text (Latin, IPA, Greek, Cyrillic):
// looking it up costs less than the switches and Unicode tables it caches.
type runeClass struct {
	key   rune // keyRune(r)
	word  bool // isWordRune(r)
	loose bool // the key changes under looseFold
}

// classTableSize covers U+0000 to U+052F.
const classTableSize = 0x530

var classTable = buildClassTable()

func buildClassTable() *[classTableSize]runeClass {
	var t [classTableSize]runeClass
	for r := rune(0); r < classTableSize; r++ {
		k := keyRune(r)
		t[r] = runeClass{key: k, word: isWordRune(r), loose: k >= utf8.RuneSelf && looseFold(k) != k}
	}
	return &t
}

// classOf returns the class of r, from the table when it is there.
func classOf(r rune) runeClass {
	if r >= 0 && r < classTableSize {
		return classTable[r]
	}
	k := keyRune(r)
	return runeClass{key: k, word: isWordRune(r), loose: k >= utf8.RuneSelf && looseFold(k) != k}
}

// classKey is keyRune through the class table.
func classKey(r rune) rune { return classOf(r).key }
