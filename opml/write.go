package opml

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// document is an OPML 2.0 document as Write produces it.
type document struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	NS      string   `xml:"xmlns:watcher,attr,omitempty"`
	Head    struct {
		Title       string `xml:"title"`
		DateCreated string `xml:"dateCreated,omitempty"`
	} `xml:"head"`
	Comment xml.Comment `xml:",comment"`
	Body    struct {
		Outlines []xmlOutline `xml:"outline"`
	} `xml:"body"`
}

type xmlOutline struct {
	Attrs []xml.Attr `xml:",any,attr"`
}

// Write writes feeds as an OPML 2.0 document titled title, created at
// created (zero: no date). Each feed's Extra attributes are written in
// Namespace, under the watcher: prefix. note, when not empty, goes in a
// comment at the top of the body.
func Write(w io.Writer, title string, feeds []Feed, created time.Time, note string) error {
	var doc document
	doc.Version = "2.0"
	doc.Head.Title = title
	if !created.IsZero() {
		doc.Head.DateCreated = created.UTC().Format(time.RFC1123Z)
	}
	if note != "" {
		doc.Comment = xml.Comment(" " + note + " ")
	}
	for _, f := range feeds {
		attrs := []xml.Attr{
			{Name: xml.Name{Local: "type"}, Value: "rss"},
			{Name: xml.Name{Local: "text"}, Value: f.Title},
			{Name: xml.Name{Local: "title"}, Value: f.Title},
			{Name: xml.Name{Local: "xmlUrl"}, Value: f.XMLURL},
		}
		if f.HTMLURL != "" {
			attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "htmlUrl"}, Value: f.HTMLURL})
		}
		for _, k := range slices.Sorted(maps.Keys(f.Extra)) {
			doc.NS = Namespace
			// encoding/xml writes a prefix it is given literally; the
			// document declares it on the root.
			attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "watcher:" + k}, Value: f.Extra[k]})
		}
		doc.Body.Outlines = append(doc.Body.Outlines, xmlOutline{Attrs: attrs})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	return nil
}
