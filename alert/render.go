package alert

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates are parsed once; a template that does not parse is a bug
// in this package, caught by every test, so Must is right here.
var (
	textTmpl = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/digest.txt.tmpl"))
	htmlTmpl = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/digest.html.tmpl"))
)

// RenderText returns the plain-text digest: topics in order, items newest
// first with title, source, published time (UTC), link and snippet, at
// most 100 items per topic followed by "and N more".
func RenderText(d Digest) string {
	var b strings.Builder
	// The view holds only strings and ints, so executing cannot fail
	// except on a template bug; a writer to a Builder never fails.
	if err := textTmpl.Execute(&b, newView(d)); err != nil {
		return fmt.Sprintf("render text digest %s: %v", clean(d.ID), err)
	}
	return b.String()
}

// RenderHTML returns the digest as an HTML document with the same content
// as RenderText. Every string is escaped; only http and https URLs are
// linked, others are shown as text.
func RenderHTML(d Digest) (string, error) {
	var b strings.Builder
	if err := htmlTmpl.Execute(&b, newView(d)); err != nil {
		return "", fmt.Errorf("render html digest %s: %w", clean(d.ID), err)
	}
	return b.String(), nil
}

// Subject says what is new, e.g.
// "watcher: 3 new — The Yekaterinburg case (2), AZAL flight 8243 (1)",
// or "watcher (1 of 2): 100 new — …" for the first of a series. Topics
// without items are not named; it is cut at 200 characters.
func Subject(d Digest) string {
	n := d.Count()
	health := healthSubject(d)
	head := d.Series.prefix() + ": "
	switch {
	case n == 0 && health != "":
		return head + health
	case n == 0:
		return head + "nothing new"
	}
	var parts []string
	for _, t := range d.Topics {
		if len(t.Items) > 0 {
			parts = append(parts, clean(t.Title)+" ("+strconv.Itoa(len(t.Items))+")")
		}
	}
	s := head + strconv.Itoa(n) + " new — " + strings.Join(parts, ", ")
	if health != "" {
		// First, where the cut below never reaches it.
		s = head + health + "; " + strconv.Itoa(n) + " new — " + strings.Join(parts, ", ")
	}
	return truncate(s, maxSubjectRunes)
}
