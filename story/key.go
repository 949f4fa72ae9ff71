package story

import (
	"strings"
	"unicode"
)

// A name key makes one word of every usual spelling of a name: it is the
// word romanised to plain Latin letters, kept to its first letter (any
// vowel as a) and the three consonants after it. The cut also takes off
// the case endings of Russian and Azerbaijani (Сафаровых, Səfərovun), and
// the vowels are where the spellings differ most (Safarov, Səfərov;
// Kartavykh, Kartavıx):
//
//	Kartavykh, Картавых, Kartavıx, Kartavyh  → krtv
//	Safarov, Сафаров, Səfərov, Сафаровых     → sfrv
//	Yekaterinburg, Екатеринбург, Ekaterinburq → aktr
//
// This is deliberately coarser than a transliteration standard: two
// different names may share a key, which is why grouping asks for several
// shared features, weighted by rarity, and never for one.

// romanRunes maps lower-case Cyrillic and Azerbaijani letters to plain
// Latin; the letters of Latin text with diacritics lose them below.
var romanRunes = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ұ': "u",
	'ү': "u", 'һ': "h",
	'ə': "a", 'ǝ': "a", 'ı': "y", 'ş': "sh", 'ç': "ch", 'ğ': "g", 'ö': "o", 'ü': "u",
	'x': "kh", 'q': "g", 'w': "v", 'é': "e", 'è': "e", 'á': "a", 'í': "i",
	'ó': "o", 'ú': "u", 'ñ': "n", 'ä': "a", 'ß': "ss",
}

// romanise returns w lower-cased in plain Latin letters. In Azerbaijani
// (and Turkish) c is the sound of English j and Russian дж (Azərbaycan,
// Azerbaijan, Азербайджан): so it is read in text declared Azerbaijani,
// and in any word written with a letter of those alphabets, since many
// feeds declare no language.
func romanise(w, lang string) string {
	cIsJ := lang == "az" || lang == "tr" || strings.ContainsAny(w, "əƏıİğĞşŞ")
	var b strings.Builder
	for _, r := range strings.ToLower(w) {
		if r == 'c' && cIsJ {
			b.WriteByte('j')
			continue
		}
		if r == 'i' || r == '̇' { // İ lower-cases to i and a combining dot
			if r == 'i' {
				b.WriteByte('i')
			}
			continue
		}
		if s, ok := romanRunes[r]; ok {
			b.WriteString(s)
			continue
		}
		if r < 0x80 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// nameKey returns the key of a name (see above).
func nameKey(w, lang string) string {
	s := strings.ReplaceAll(romanise(w, lang), "dzh", "j")
	// Initial Ye and E are one sound (Yevgeny, Евгений, Evgeni).
	if strings.HasPrefix(s, "ye") {
		s = s[1:]
	}
	s = strings.ReplaceAll(s, "kh", "h")
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte(initial(s[0]))
	consonants := 0
	last := byte(0)
	for i := 1; i < len(s) && consonants < 3; i++ {
		c := s[i]
		if strings.IndexByte("aeiouy", c) >= 0 || c == last || !unicode.IsLetter(rune(c)) {
			last = c
			continue
		}
		b.WriteByte(c)
		consonants++
		last = c
	}
	if b.Len() < 3 {
		return "" // too short to say anything: Baku and Bakı are "bk"
	}
	return b.String()
}

// initial folds a word's first letter: every vowel is one (Əliyev, Aliyev,
// Алиев; Igor, İqor).
func initial(c byte) byte {
	if strings.IndexByte("aeiouy", c) >= 0 {
		return 'a'
	}
	return c
}
