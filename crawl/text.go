package crawl

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Field length limits, in runes.
const (
	maxTitle   = 1000
	maxSummary = 10000
	maxBody    = 100000
)

// plainText turns an HTML fragment (or plain text with entities) into
// plain text: markup removed, entities decoded, runs of white space made
// one space, and block elements turned into paragraph breaks ("\n\n").
// Text that is already clean is returned as it is, without a copy.
//
// The markup is stripped by hand rather than with x/net/html's tokenizer.
// A tokenizer per title and summary (its 4 KiB buffer, a Token with its
// attributes copied for every tag) was 18% of a cold cycle's CPU and
// 1.07 GB of its 6 GB of allocations, for a narrow job: find where each
// tag, comment and raw-text element ends and keep the text in between.
// stripMarkup follows the tokenizer's rules (those of the HTML standard)
// for where each of these ends. Entities are decoded by x/net/html's
// UnescapeString, one text run at a time as the tokenizer does, and only
// in runs that hold a '&'. It is the tokenizer's own decoder; the
// standard library's html.UnescapeString differs at the end of a text
// ("&#5" stays as it is).
func plainText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, '<') < 0 {
		return plainRun(s)
	}
	var w textWriter
	w.b.Grow(min(len(s), maxGrow)) // the text is rarely longer than the field
	w.stripMarkup(s)
	return w.result(s)
}

// plainRun is plainText for text without markup (most titles, many
// summaries): no copy when it is clean, one when it is not.
func plainRun(s string) string {
	if mayHoldEntity(s) {
		s = html.UnescapeString(s)
	}
	if collapsed(s) {
		return s
	}
	var w textWriter
	w.b.Grow(min(len(s), maxGrow))
	w.text(s, false)
	return w.result(s)
}

// mayHoldEntity reports a '&' followed by a letter, digit or '#': the only
// ones that can begin a character reference. Unescaping text without any
// ("AZAL & Aeroflot") returns it unchanged, after two copies.
func mayHoldEntity(s string) bool {
	for i := strings.IndexByte(s, '&'); i >= 0 && i+1 < len(s); {
		if c := s[i+1]; c == '#' || '0' <= c && c <= '9' || isLetter(c) {
			return true
		}
		k := strings.IndexByte(s[i+1:], '&')
		if k < 0 {
			return false
		}
		i += 1 + k
	}
	return false
}

// collapsed reports text with no white space but single spaces between
// words.
func collapsed(s string) bool {
	space := true // a space here would lead the text
	for i := 0; i < len(s); {
		n := spaceAt(s, i)
		switch {
		case n == 0:
			space = false
			i++
		case s[i] != ' ' || space:
			return false
		default:
			space = true
			i++
		}
	}
	return !space || s == ""
}

// spaceAt is the length of the white space rune (unicode.IsSpace, as
// strings.Fields splits on) or invisible control rune at s[i], or 0. A
// control character (a C0 or C1 control other than white space, DEL, a
// byte order mark, U+FFFE or U+FFFF) is a separator, not text: feeds let
// them through from the CMS ("\u0001" in a JSON title), XML forbids most
// of them, and in a title or digest they only garble. It is small enough to be
// inlined: only a few lead bytes begin a non-ASCII space, so Cyrillic and
// Latin letters cost one look-up in spaceBytes.
func spaceAt(s string, i int) int {
	switch spaceBytes[s[i]] {
	case 1:
		return 1
	case 2:
		return wideSpaceAt(s[i:])
	}
	return 0
}

// spaceBytes is 1 for ASCII white space and controls, and 2 for the lead
// bytes of the other white space and control runes: U+0080–U+00A0;
// U+1680; U+2000–U+205F; U+3000; U+FEFF, U+FFFE, U+FFFF.
var spaceBytes = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = 1
	}
	t[' '], t[0x7F] = 1, 1
	t[0xC2], t[0xE1], t[0xE2], t[0xE3], t[0xEF] = 2, 2, 2, 2, 2
	return t
}()

// wideSpaceAt is the length of the white space or control rune s begins
// with, or 0.
func wideSpaceAt(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	if unicode.IsSpace(r) || unicode.IsControl(r) || r == 0xFEFF || r == 0xFFFE || r == 0xFFFF {
		return n
	}
	return 0
}

// maxGrow bounds the buffer reserved for a field's text at the start: a
// field of a megabyte of markup (an article page of empty paragraphs)
// should not reserve a megabyte for a few words.
const maxGrow = 32 << 10

// textWriter collects plain text, collapsing white space between words
// and turning block boundaries into blank lines, so that no pass over the
// result is needed afterwards. Its builder is the result: one allocation.
type textWriter struct {
	b     strings.Builder
	space bool // white space since the last word
	para  bool // a block boundary since the last word
}

// text appends a run of text, decoding its entities when decode is set.
func (w *textWriter) text(run string, decode bool) {
	if decode && mayHoldEntity(run) {
		run = html.UnescapeString(run)
	}
	start := -1 // of the current words, single spaces between them
	for i := 0; i < len(run); {
		n := spaceAt(run, i)
		if n == 0 {
			if start < 0 {
				start = i
			}
			i++
			continue
		}
		if start >= 0 && run[i] == ' ' && i+1 < len(run) && spaceAt(run, i+1) == 0 {
			i++ // one space between words: written with them
			continue
		}
		if start >= 0 {
			w.word(run[start:i])
			start = -1
		}
		w.space = true
		i += n
	}
	if start >= 0 {
		w.word(run[start:])
	}
}

// word appends (part of) a word or words, after the separator it needs.
func (w *textWriter) word(s string) {
	if w.b.Len() > 0 {
		switch {
		case w.para:
			w.b.WriteString("\n\n")
		case w.space:
			w.b.WriteByte(' ')
		}
	}
	w.space, w.para = false, false
	w.b.WriteString(s)
}

// result is the text written: in itself when it is equal, and a copy
// when markup took most of the buffer, so that a field does not keep
// its markup's share of memory for as long as the item lives.
func (w *textWriter) result(in string) string {
	s := w.b.String()
	switch {
	case s == in:
		return in
	case w.b.Cap() > 2*len(s)+512:
		return strings.Clone(s)
	}
	return s
}

// cut shortens a text field to at most n runes, on a rune boundary,
// without the white space a cut just after a word leaves at its end.
func cut(s string, n int) string {
	if c := cutRunes(s, n); len(c) < len(s) {
		return strings.TrimRightFunc(c, unicode.IsSpace)
	}
	return s
}

// cutRunes shortens s to at most n runes, on a rune boundary, and nothing
// else: for an identity (a GUID), whose key must stay what it was.
func cutRunes(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// absolute resolves link against base; it returns "" for links that are
// not http(s) with a host once resolved (javascript:, mailto:, "http:",
// unparsable).
func absolute(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if base != nil && (u.Scheme == "" || strings.Contains(u.EscapedPath(), "/.")) {
		// An absolute link needs resolving only to remove dot segments
		// ("/a/../b"); skipping it saves two allocations per item.
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "" // "http:" alone, or "https:///x": no host to fetch
	}
	return u.String()
}
