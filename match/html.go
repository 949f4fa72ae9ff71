package match

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText returns the text of an HTML fragment: entities decoded, the
// contents of script, style, noscript and template dropped, a space at every
// tag and a blank line at block tags, so "<p>a</p><p>b</p>" is two words.
// Text with no '<' or '&' is returned as is.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	if !strings.ContainsAny(s, "<\r") {
		// Entities without markup, as in the crawler's clean text ("AT&T"):
		// the tokenizer would make the whole of it one text token, decoded
		// by this same function, at the cost of its 4 KiB buffer.
		if !mayHoldEntity(s) {
			return strings.TrimSpace(s) // "&" alone, as in "AZAL & Aeroflot"
		}
		return strings.TrimSpace(html.UnescapeString(s))
	}
	return tokenText(s)
}

// mayHoldEntity reports a '&' followed by a letter, digit or '#': the only
// ones that can begin a character reference. Unescaping text without any
// returns it unchanged, after two copies.
func mayHoldEntity(s string) bool {
	for i := strings.IndexByte(s, '&'); i >= 0 && i+1 < len(s); {
		if c := s[i+1]; c == '#' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
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

// tokenText is htmlText for text with markup.
func tokenText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			skip += tagBreak(&b, z, 1)
		case html.EndTagToken:
			skip += tagBreak(&b, z, -1)
		}
		if skip < 0 {
			skip = 0
		}
	}
}

// tagBreak writes the separator a tag stands for and returns how the
// skip depth changes (dir for script-like tags, else 0).
func tagBreak(b *strings.Builder, z *html.Tokenizer, dir int) int {
	name, _ := z.TagName()
	switch atom.Lookup(name) {
	case atom.Script, atom.Style, atom.Noscript, atom.Template:
		b.WriteByte(' ')
		return dir
	case atom.P, atom.Br, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.H1, atom.H2,
		atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Tr, atom.Table:
		if !strings.HasSuffix(b.String(), "\n\n") {
			b.WriteString("\n\n")
		}
	default:
		b.WriteByte(' ')
	}
	return 0
}
