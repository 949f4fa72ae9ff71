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

// extractArticle reads the main text, title, language and publication
// time of an HTML page already decoded to UTF-8. readability finds the
// text and the article:published_time / JSON-LD datePublished metadata; a
// <time datetime> element is the fallback for the date. We parse the
// document ourselves because readability's own reader guesses the charset
// statistically and would re-decode text we have already decoded.
func extractArticle(body []byte, pageURL *url.URL) (Article, error) {
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
	if t, err := ra.PublishedTime(); err == nil {
		a.Published = t.UTC()
	} else {
		a.Published = timeElement(body)
	}
	return a, nil
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
				if t, err := dateparse.ParseAny(strings.TrimSpace(at.Val)); err == nil {
					return t.UTC()
				}
			}
		}
	}
}
