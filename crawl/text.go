package crawl

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Field length limits, in runes.
const (
	maxTitle   = 1000
	maxSummary = 10000
	maxBody    = 100000
)

// blockTags end a paragraph in the plain text made from HTML.
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Pre: true, atom.Table: true, atom.Tr: true, atom.Section: true,
	atom.Article: true, atom.Header: true, atom.Footer: true, atom.Figure: true, atom.Hr: true,
}

// skipTags hold no readable text.
var skipTags = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true}

// plainText turns an HTML fragment (or plain text with entities) into
// plain text: markup removed, entities decoded, runs of white space made
// one space, and block elements turned into paragraph breaks ("\n\n").
func plainText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.Contains(s, "<") {
		// No markup: skip the tokenizer and its 4 KiB buffer (most titles).
		return joinParagraphs([]string{html.UnescapeString(s)})
	}
	var paras []string
	var cur strings.Builder
	flush := func() {
		paras = append(paras, cur.String())
		cur.Reset()
	}
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			flush()
			return joinParagraphs(paras)
		case html.TextToken:
			if skip == 0 {
				cur.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			skip += tagEffect(z, flush)
		}
	}
}

// tagEffect ends a paragraph on block tags and reports +1/-1 when a
// skipped element (script, style) opens or closes.
func tagEffect(z *html.Tokenizer, flush func()) int {
	tt := z.Token()
	a := tt.DataAtom
	if blockTags[a] {
		flush()
	}
	if skipTags[a] {
		switch tt.Type {
		case html.StartTagToken:
			return 1
		case html.EndTagToken:
			return -1
		}
	}
	return 0
}

// joinParagraphs collapses white space inside each paragraph and joins the
// non-empty ones with blank lines.
func joinParagraphs(paras []string) string {
	var b strings.Builder
	for _, p := range paras {
		first := true
		for word := range strings.FieldsSeq(p) {
			switch {
			case !first:
				b.WriteByte(' ')
			case b.Len() > 0:
				b.WriteString("\n\n")
			}
			b.WriteString(word)
			first = false
		}
	}
	return b.String()
}

// cut shortens s to at most n runes, on a rune boundary.
func cut(s string, n int) string {
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
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "" // "http:" alone, or "https:///x": no host to fetch
	}
	return u.String()
}
