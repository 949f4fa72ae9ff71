package match

import (
	"unicode/utf8"
)

// Names in a query match across scripts and inflections: a capitalised
// query word (a name) and every text token are folded to a canonical key,
// a Latin skeleton of how the word sounds, and inflectional endings are
// cut from it. Safarov, Сафаров, Səfərov, Сафаровых and Səfərovun all
// fold to "safarov"; Kartavykh, Картавых, Kartavıx and Kartavıxın to
// "kartav". Both sides are folded the same way at compile and scan time,
// so matching is one more map lookup per token.
//
// The tables are written here rather than taken from a library, for these
// reasons (both were tried):
//   - go-unidecode, the transliteration table on the module proxy, maps
//     ə to "@", ş to "s", ç to "c" and ь to "'": it does not know the
//     Azerbaijani alphabet, and a lossy ASCII form is not a match key.
//   - The Snowball Russian stemmer cuts "ов" from the base form of a
//     surname but not from its inflections (сафаров → сафар, сафарова →
//     сафаров), so a name and its cases do not meet; it has no rules for
//     Azerbaijani, whose case endings follow the name in the same word
//     (Kartavıxın, Səfərovlar). Surname endings are a short, closed list.
//
// The key is phonetic on purpose: a, e, ə and э are one letter (ə is "a"
// in Сафаров but "e" in Азербайджан and Seferov); i, y, ı, ы, й are one;
// kh, x and х are one; j, c (Azerbaijani, "дж"), zh, ж and дж are one;
// q and г are "g" (Qroznı, Yekaterinburq); w is v; doubled letters are
// written once; a word-initial y or i before a vowel is dropped
// (Yevgeny ~ Евгений, Yekaterinburg ~ Екатеринбург).

// cyrSkeleton spells the Russian (and common Ukrainian and Kazakh) letters
// in the skeleton alphabet, after BGN/PCGN with the vowels merged.
var cyrSkeleton = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "a", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "x", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "i", 'ь': "", 'э': "a", 'ю': "iu", 'я': "ia",
	'і': "i", 'ї': "i", 'є': "a", 'ґ': "g", 'ә': "a", 'қ': "k", 'ғ': "g", 'ү': "u",
	'ұ': "u", 'ө': "o", 'һ': "h", 'ң': "n",
}

// latSkeleton spells the Latin letters that differ from themselves in the
// skeleton; other Latin letters with diacritics lose them (looseFold).
var latSkeleton = map[rune]string{
	'e': "a", 'ə': "a", 'y': "i", 'ı': "i", 'w': "v", 'j': "zh", 'c': "zh",
	'ç': "ch", 'ş': "sh", 'ğ': "g", 'q': "g", 'ö': "o", 'ü': "u", 'x': "x",
}

// skeletonTable holds the spelling of every rune below classTableSize;
// a rune outside it is kept as it is (Georgian, Armenian, Greek…).
var skeletonTable = buildSkeletonTable()

func buildSkeletonTable() *[classTableSize]string {
	var t [classTableSize]string
	for r := rune(0); r < classTableSize; r++ {
		switch s, ok := cyrSkeleton[r]; {
		case ok:
			t[r] = s
		default:
			if s, ok := latSkeleton[r]; ok {
				t[r] = s
			} else if l := looseFold(r); l < utf8.RuneSelf {
				t[r] = string(l)
			} else {
				t[r] = string(r)
			}
		}
	}
	return &t
}

// appendSkeleton appends the skeleton of a strict key to dst.
func appendSkeleton(dst []byte, key string) []byte {
	start := len(dst)
	for _, r := range key {
		var s string
		if r >= 0 && r < classTableSize {
			s = skeletonTable[r]
		} else {
			s = string(r)
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			n := len(dst) - start
			switch {
			case n > 0 && dst[len(dst)-1] == c:
				continue // doubled letters are written once
			case c == 'h' && n > 0 && dst[len(dst)-1] == 'k':
				dst[len(dst)-1] = 'x' // kh
				continue
			case c == 'h' && n > 1 && dst[len(dst)-1] == 'z' && dst[len(dst)-2] == 'd':
				dst[len(dst)-2], dst[len(dst)-1] = 'z', 'h' // dzh
				continue
			case c == 'z' && i+1 < len(s) && s[i+1] == 'h' && n > 0 && dst[len(dst)-1] == 'd':
				dst = dst[:len(dst)-1] // dzh, dj, дж
			}
			dst = append(dst, c)
		}
	}
	if len(dst)-start > 2 && dst[start] == 'i' && isSkelVowel(dst[start+1]) {
		dst = append(dst[:start], dst[start+1:]...)
	}
	return dst
}

func isSkelVowel(c byte) bool { return c == 'a' || c == 'o' || c == 'u' || c == 'i' }

// inflections are the case, number and possessive endings of names, in
// the skeleton alphabet: Russian -а, -у, -ы, -е, -ом, -ым, -ой, -ых,
// -ей, -ах, -ая, -ую, -ыми, -ами, -ого, -ому; Azerbaijani -a/-ə,
// -ı/-i/-u/-ü, -ın/-in/-un/-ün, -nı…, -da/-də/-ta, -la/-lə, -nın…,
// -dan/-dən/-tan, -ylə, -lar/-lər, -dır, -ların…; English -s.
var inflections = []string{
	"larin", "larun", "larda", "lari",
	"imi", "ami", "ogo", "omu", "oiu", "nin", "nun", "dan", "tan", "ila", "lar", "dir", "dur",
	"om", "im", "am", "ai", "oi", "ix", "ax", "ia", "iu", "in", "un", "ni", "nu", "da", "ta", "la",
	"a", "u", "i", "s",
}

// inflectionsByLast lists the inflections by their last byte, longest
// first, so that a token is compared only with the endings it may have.
var inflectionsByLast = func() (t [256][]string) {
	for _, suf := range inflections {
		t[suf[len(suf)-1]] = append(t[suf[len(suf)-1]], suf)
	}
	return t
}()

// minStem is the fewest bytes a name keeps when endings are cut: short
// words are too ambiguous to decline.
const minStem = 4

// stemLen returns how much of a skeleton is left once inflectional
// endings are cut, at most three in a row (Səfərovların: -ın, then -lar).
// The longest ending that fits is cut, with two rules that keep a name
// and its cases together: a one-letter ending comes off only after a
// consonant (so -ой and -ая come off whole), and an ending in n- (the
// Azerbaijani -nı, -nın after a vowel) only after a vowel and only when
// nothing else fits (so the -ни of Евгений is not taken for one).
func stemLen(s []byte) int {
	n := len(s)
	for range 3 {
		if n <= minStem {
			break
		}
		cut, nCut := 0, 0
		for _, suf := range inflectionsByLast[s[n-1]] {
			k := len(suf)
			if n-k < minStem || string(s[n-k:n]) != suf {
				continue
			}
			switch prev := s[n-k-1]; {
			case suf[0] == 'n':
				if isSkelVowel(prev) && nCut == 0 {
					nCut = k
				}
				continue
			case k == 1 && isSkelVowel(prev):
				continue
			}
			cut = k
			break
		}
		if cut == 0 {
			cut = nCut
		}
		if cut == 0 {
			break
		}
		n -= cut
	}
	return n
}

// nameKey returns the folded key of a name: its skeleton without
// inflectional endings.
func nameKey(key string) string {
	s := appendSkeleton(nil, key)
	return string(s[:stemLen(s)])
}

// skeleton returns the skeleton of a strict key.
func skeleton(key string) string { return string(appendSkeleton(nil, key)) }
