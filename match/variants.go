package match

import (
	"slices"
	"strings"
)

// Russian to Latin per BGN/PCGN 1947, simplified as newsrooms write it
// (no apostrophes for ъ and ь, no diacritics): Екатеринбург → yekaterinburg,
// Картавых → kartavykh. The Azerbaijani Latin alphabet writes the same
// names its own way: х → x, ч → ç, ш → ş, ж → j, ы → ı, г → q
// (Yekaterinburq, Qroznı, Kartavıx).
var (
	bgnPCGN = map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
		'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
		'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
		'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	}
	azLatin = map[rune]string{
		'г': "q", 'ж': "j", 'й': "y", 'х': "x", 'ц': "ts", 'ч': "ç", 'ш': "ş",
		'щ': "şç", 'ы': "ı", 'ю': "yu", 'я': "ya",
	}
	// simplified: the variants many English outlets use (Ekaterinburg).
	simplified = map[rune]string{'х': "h", 'ы': "i", 'й': "i", 'е': "e"}
)

// Variants suggests Latin spellings of a Russian word, lower case: the
// BGN/PCGN form, a simplified English form and the Azerbaijani Latin form.
// Е is written "ye" at the start of a word and after a vowel, except in
// the simplified form. Words that are not Cyrillic have no suggestions.
func Variants(word string) []string {
	keys := words(word)
	if len(keys) != 1 || !isCyrillic(keys[0]) {
		return nil
	}
	var out []string
	for i, tables := range [][]map[rune]string{{bgnPCGN}, {simplified, bgnPCGN}, {azLatin, bgnPCGN}} {
		if v := romanise(keys[0], tables, i != 1); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// romanise writes key with the first table that has each rune; ye makes
// е "ye" at the start and after vowels.
func romanise(key string, tables []map[rune]string, ye bool) string {
	var b strings.Builder
	prev := ' '
	for _, r := range key {
		s := string(r)
		for _, t := range tables {
			if v, ok := t[r]; ok {
				s = v
				break
			}
		}
		if r == 'е' && ye && strings.ContainsRune(" аеёиоуыэюяъь", prev) {
			s = "ye"
		}
		b.WriteString(s)
		prev = r
	}
	return b.String()
}

func isCyrillic(s string) bool {
	for _, r := range s {
		if r >= 0x400 && r <= 0x4FF {
			return true
		}
	}
	return false
}
