package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// snippetLen is the target snippet length in characters; snippetLead is
// how much context goes before the first matched word.
const (
	snippetLen  = 200
	snippetLead = 60
)

// snippet returns about snippetLen characters of the field holding the
// first matched token, starting a little before it, cut on word
// boundaries, whitespace collapsed, with "…" where text was cut.
func snippet(d *doc, toks []int32) string {
	if len(toks) == 0 {
		return ""
	}
	t := d.toks[toks[0]]
	text := d.text[t.field]
	start := backRunes(text, int(t.start), snippetLead)
	end := forwardRunes(text, start, snippetLen)
	if end < int(t.end) {
		end = int(t.end)
	}
	start = min(wordStart(text, start), int(t.start))
	end = max(wordEnd(text, end), int(t.end))
	s := strings.Join(strings.Fields(text[start:end]), " ")
	if start > 0 {
		s = "…" + s
	}
	if end < len(text) {
		s += "…"
	}
	return s
}

// backRunes moves n runes back from byte offset i.
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// forwardRunes moves n runes forward from byte offset i.
func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// wordStart moves i forward past a partly cut word to the next space.
func wordStart(s string, i int) int {
	if i == 0 || unicode.IsSpace(lastRune(s[:i])) {
		return i
	}
	if j := strings.IndexFunc(s[i:], unicode.IsSpace); j >= 0 {
		return i + j
	}
	return i
}

// wordEnd moves i back out of a partly cut word to the previous space.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	if r, _ := utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
		return i
	}
	if j := strings.LastIndexFunc(s[:i], unicode.IsSpace); j >= 0 {
		return j
	}
	return i
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}
