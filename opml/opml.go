// Package opml reads and writes OPML subscription lists, the format feed
// readers (Feedly, Inoreader, Miniflux, NetNewsWire and others) import
// and export: OPML 1.0 and 2.0 outlines whose xmlUrl names a feed,
// nested in category outlines.
//
// It is written on encoding/xml: no OPML library for Go is kept up, and
// the format is a handful of attributes. The reader walks the tokens
// rather than unmarshalling, to keep each outline's line (for messages)
// and to accept the attribute spellings exporters use (xmlUrl, xmlurl,
// xmlURL). It imports nothing from the project.
package opml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// Namespace is the XML namespace of the watcher's own outline attributes
// (lang, fulltext, interval, jitter), which let an export round-trip.
const Namespace = "https://github.com/watcher-news/watcher/opml"

// Feed is one subscription: an outline with an xmlUrl.
type Feed struct {
	// Title is the outline's text, or its title when it has no text.
	Title   string
	XMLURL  string
	HTMLURL string
	// Categories are the titles of the outlines it sits in, outermost
	// first, then the paths of its category attribute (OPML 2.0).
	Categories []string
	// Extra holds the attributes of Namespace, by local name.
	Extra map[string]string
	// Line is the line of the outline in the file.
	Line int
}

// Skipped is an outline that is neither a feed nor a category: a link,
// an include, or one with an xmlUrl that is empty.
type Skipped struct {
	Title, Type string
	Line        int
}

// ErrNotOPML is wrapped by Parse when the document is XML but not OPML.
var ErrNotOPML = errors.New("not an OPML document")

// Parse reads an OPML document and returns its feeds in document order,
// and the outlines it left out. Errors name the line.
func Parse(r io.Reader) ([]Feed, []Skipped, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	d.Strict = false // HTML entities such as &nbsp; in titles, as some exporters write
	d.Entity = xml.HTMLEntity
	var (
		feeds   []Feed
		skipped []Skipped
		stack   []string // the titles of the open outlines ("" for a feed's)
		root    = true
		inBody  bool
	)
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if root {
				return nil, nil, fmt.Errorf("%w: the document is empty", ErrNotOPML)
			}
			return feeds, skipped, nil
		}
		if err != nil {
			return nil, nil, syntaxError(err, line)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root {
				if !strings.EqualFold(t.Name.Local, "opml") {
					return nil, nil, fmt.Errorf("line %d: %w (its root element is <%s>)", line, ErrNotOPML, t.Name.Local)
				}
				root = false
				continue
			}
			if strings.EqualFold(t.Name.Local, "body") {
				inBody = true
			}
			if !inBody || !strings.EqualFold(t.Name.Local, "outline") {
				continue
			}
			o := readOutline(t, line)
			switch {
			case o.XMLURL != "":
				o.Categories = append(categories(stack), o.Categories...)
				feeds = append(feeds, o.Feed)
				stack = append(stack, "")
			case o.kind == "" || o.kind == "category" || o.kind == "folder":
				stack = append(stack, o.Title) // a category, if anything is inside
			default:
				skipped = append(skipped, Skipped{Title: o.Title, Type: o.kind, Line: line})
				stack = append(stack, "")
			}
		case xml.EndElement:
			if strings.EqualFold(t.Name.Local, "outline") && inBody && len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if strings.EqualFold(t.Name.Local, "body") {
				inBody = false
			}
		}
	}
}

// outline is a Feed with the type attribute.
type outline struct {
	Feed
	kind string
}

// readOutline reads the attributes of an outline element.
func readOutline(t xml.StartElement, line int) outline {
	o := outline{Feed: Feed{Line: line}}
	var text, title, category string
	for _, a := range t.Attr {
		v := strings.TrimSpace(a.Value)
		if a.Name.Space == Namespace {
			if o.Extra == nil {
				o.Extra = map[string]string{}
			}
			o.Extra[a.Name.Local] = v
			continue
		}
		if a.Name.Space != "" {
			continue
		}
		switch strings.ToLower(a.Name.Local) {
		case "text":
			text = v
		case "title":
			title = v
		case "xmlurl":
			o.XMLURL = v
		case "htmlurl":
			o.HTMLURL = v
		case "type":
			o.kind = strings.ToLower(v)
		case "category":
			category = v
		}
	}
	o.Title = cmpOr(squash(text), squash(title))
	for _, c := range strings.Split(category, ",") {
		if c = strings.Trim(strings.TrimSpace(c), "/"); c != "" {
			o.Categories = append(o.Categories, c)
		}
	}
	return o
}

// categories are the non-empty titles of the enclosing outlines.
func categories(stack []string) []string {
	var out []string
	for _, s := range stack {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// syntaxError names the line of an XML error.
func syntaxError(err error, line int) error {
	if se, ok := errors.AsType[*xml.SyntaxError](err); ok {
		return fmt.Errorf("line %d: %s: %w", se.Line, se.Msg, ErrNotOPML)
	}
	return fmt.Errorf("line %d: %w", line, err)
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
