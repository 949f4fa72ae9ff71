package crawl

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/itlightning/dateparse"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxStreamText bounds the HTML text streamArticle keeps for the body, in
// bytes: enough for maxBody runes of any script, entities and white space
// included.
const maxStreamText = 4 * maxBody

// streamArticle reads an article page too big for readability in one pass
// of the HTML tokenizer, in memory bounded by what it keeps: for the text,
// the paragraphs (<p>) outside navigation, asides, footers and forms, up to
// maxStreamText (a page without paragraphs gives the text of its body);
// the title from og:title, else <title>; the language from <html lang>;
// the date from article:published_time (or datePublished), else the first
// <time datetime>. The text is cleaned as readability's is.
func streamArticle(body []byte, pageURL *url.URL) (Article, error) {
	var s articleStream
	z := html.NewTokenizer(bytes.NewReader(body))
	for s.paras.Len() < maxStreamText {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		s.token(z, tt)
	}
	a := Article{
		URL:       pageURL.String(),
		Title:     cut(strings.ReplaceAll(plainText(s.title()), "\n\n", " "), maxTitle),
		Lang:      strings.ToLower(strings.TrimSpace(s.lang)),
		Published: s.published,
	}
	text := s.paras.String()
	if strings.TrimSpace(text) == "" {
		text = s.body.String()
	}
	a.Text = cut(plainText(text), maxBody)
	if a.Text == "" {
		return Article{}, errors.New("extract article: no main text found")
	}
	return a, nil
}

// articleStream is what streamArticle has read so far.
type articleStream struct {
	paras, body     strings.Builder // text of the paragraphs, of the whole body, as HTML
	titleTag        strings.Builder
	ogTitle, lang   string
	published       time.Time
	hidden, chrome  int // depth in elements with no text to read, and in navigation and the like
	inP, inTitle    bool
	inHead, dateSet bool
	// a paragraph ended since the last text written
	parasBreak, bodyBreak bool
}

// streamHidden hold no readable text; streamChrome hold the site's, not
// the article's; streamBlocks end a paragraph of a page's body text.
var (
	streamBlocks = map[atom.Atom]bool{
		atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Td: true, atom.Tr: true,
		atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
		atom.Blockquote: true, atom.Pre: true, atom.Section: true, atom.Article: true, atom.Header: true,
	}
	streamHidden = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Svg: true}
	streamChrome = map[atom.Atom]bool{atom.Nav: true, atom.Aside: true, atom.Footer: true, atom.Form: true}
)

func (s *articleStream) token(z *html.Tokenizer, tt html.TokenType) {
	switch tt {
	case html.TextToken:
		s.text(z)
	case html.StartTagToken, html.SelfClosingTagToken:
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		s.tag(a, tt == html.StartTagToken, +1)
		if hasAttr {
			s.attrs(z, a)
		}
	case html.EndTagToken:
		name, _ := z.TagName()
		s.tag(atom.Lookup(name), true, -1)
	}
}

// tag follows the nesting (open is false for a self-closing tag) and
// marks paragraph breaks.
func (s *articleStream) tag(a atom.Atom, open bool, delta int) {
	switch {
	case a == atom.Title: // the document's, not an <svg> title after it
		s.inTitle = delta > 0 && open && s.titleTag.Len() == 0
	case a == atom.Head:
		s.inHead = delta > 0 && open
	case a == atom.Body:
		s.inHead = false
	case streamHidden[a] && open:
		s.hidden = max(s.hidden+delta, 0)
	case streamChrome[a] && open:
		s.chrome = max(s.chrome+delta, 0)
	case a == atom.P:
		s.inP = delta > 0 && open
		s.parasBreak = s.paras.Len() > 0
	}
	if streamBlocks[a] {
		s.bodyBreak = s.body.Len() > 0
	}
}

func (s *articleStream) text(z *html.Tokenizer) {
	switch {
	case s.inTitle:
		if s.titleTag.Len() < 4*maxTitle {
			s.titleTag.Write(z.Raw())
		}
	case s.hidden > 0 || s.inHead:
	case s.inP && s.chrome == 0:
		writeText(&s.paras, &s.parasBreak, z.Raw())
		fallthrough
	default:
		if s.body.Len() < maxStreamText {
			writeText(&s.body, &s.bodyBreak, z.Raw())
		}
	}
}

// writeText adds a text run to b, after a paragraph break if one is due:
// empty paragraphs, however many, cost nothing.
func writeText(b *strings.Builder, brk *bool, text []byte) {
	if *brk {
		b.WriteString("<p>")
		*brk = false
	}
	b.Write(text)
}

// attrs reads the language, the metadata title and date, and <time>.
func (s *articleStream) attrs(z *html.Tokenizer, a atom.Atom) {
	var key, val []byte
	var prop, content, datetime string
	for more := true; more; {
		key, val, more = z.TagAttr()
		switch string(key) {
		case "lang":
			if a == atom.Html {
				s.lang = string(val)
			}
		case "property", "name", "itemprop":
			prop = string(val)
		case "content":
			content = string(val)
		case "datetime":
			datetime = string(val)
		}
	}
	switch {
	case a == atom.Meta && prop == "og:title":
		s.ogTitle = content
	case a == atom.Meta && (prop == "article:published_time" || prop == "datePublished"):
		s.setDate(content, true)
	case a == atom.Time:
		s.setDate(datetime, false)
	}
}

// setDate takes a readable, plausible date: metadata wins over the first
// <time> element.
func (s *articleStream) setDate(v string, metadata bool) {
	if s.dateSet && !metadata {
		return
	}
	if t, err := dateparse.ParseAny(strings.TrimSpace(v)); err == nil && plausibleDate(t.UTC(), time.Now()) {
		s.published, s.dateSet = t.UTC(), metadata
	}
}

func (s *articleStream) title() string {
	if strings.TrimSpace(s.ogTitle) != "" {
		return s.ogTitle
	}
	return s.titleTag.String()
}
