package crawl

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/itlightning/dateparse"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxReadabilityTags is the most start tags a page may have for
// readability to read it. readability builds a DOM and scores its nodes
// several times over, about 1 KiB of heap a tag: a page of 225,000
// paragraphs, under the body limit, took 250 MiB of heap and 1.8 s, and
// two at once more than the service may use. Real article pages have a
// few thousand tags (Lighthouse calls 1,400 excessive); at this bound
// readability takes some 10 MiB. Above it, streamArticle reads the page
// in one pass and in bounded memory instead.
const maxReadabilityTags = 10000

// extractArticle reads the main text, title, language and publication
// time of an HTML page already decoded to UTF-8. readability finds the
// text and the article:published_time / JSON-LD datePublished metadata; a
// <time datetime> element is the fallback for the date. We parse the
// document ourselves because readability's own reader guesses the charset
// statistically and would re-decode text we have already decoded. A page
// with more than maxReadabilityTags tags is read by streamArticle.
func extractArticle(body []byte, pageURL *url.URL) (Article, error) {
	if countStartTags(body, maxReadabilityTags+1) > maxReadabilityTags {
		return streamArticle(body, pageURL)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return Article{}, fmt.Errorf("parse html: %w", err)
	}
	p := readability.NewParser()
	p.Logger = discardLog // its default formats every debug line into io.Discard
	ra, err := p.ParseAndMutate(doc, pageURL)
	if err != nil {
		return Article{}, fmt.Errorf("extract article: %w", err)
	}
	a := Article{
		URL:   pageURL.String(),
		Title: cut(plainText(ra.Title()), maxTitle),
		Lang:  strings.ToLower(strings.TrimSpace(ra.Language())),
	}
	if ra.Node != nil {
		var buf bytes.Buffer
		if err := ra.RenderHTML(&buf); err == nil {
			a.Text = cut(plainText(buf.String()), maxBody)
		}
	}
	if a.Text == "" {
		return Article{}, errors.New("extract article: no main text found")
	}
	if t, err := ra.PublishedTime(); err == nil && plausibleDate(t.UTC(), time.Now()) {
		a.Published = t.UTC()
	} else {
		a.Published = timeElement(body)
	}
	return a, nil
}

// countStartTags counts the start tags of a page ('<' and a letter), up to
// limit: a cheap scan, before anything is built.
func countStartTags(body []byte, limit int) int {
	n := 0
	for i := 0; n < limit; i++ {
		k := bytes.IndexByte(body[i:], '<')
		if k < 0 {
			break
		}
		i += k
		if i+1 < len(body) && (body[i+1]|0x20 >= 'a' && body[i+1]|0x20 <= 'z') {
			n++
		}
	}
	return n
}

var discardLog = slog.New(slog.DiscardHandler)

// timeElement returns the first readable <time datetime> of the page.
func timeElement(body []byte) time.Time {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return time.Time{}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.DataAtom != atom.Time {
				continue
			}
			for _, at := range tok.Attr {
				if at.Key != "datetime" {
					continue
				}
				if t, err := dateparse.ParseAny(strings.TrimSpace(at.Val)); err == nil && plausibleDate(t.UTC(), time.Now()) {
					return t.UTC()
				}
			}
		}
	}
}
