package crawl

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/watcher-news/watcher/item"
)

// Article is what is read from one article page.
type Article struct {
	// URL is the page's address after redirects.
	URL string
	// Title is the article's title (metadata, else <title>).
	Title string
	// Text is the article's main text, plain, paragraphs separated by "\n\n".
	Text string
	// Lang is the page's declared language, if any.
	Lang string
	// Published is the article's publication time, zero if none was found
	// (article:published_time, JSON-LD datePublished, <time datetime>).
	Published time.Time
}

// Article fetches one page and extracts its title, publication time and
// main text, under the same bounds as a source's pages.
func (f *Fetcher) Article(ctx context.Context, pageURL string) (Article, error) {
	a, err := f.article(ctx, f.collector(ctx), pageURL)
	if err != nil {
		return Article{}, fmt.Errorf("article %s: %w", pageURL, explain(ctx, err))
	}
	return a, nil
}

// article fetches and extracts one page with an existing collector.
func (f *Fetcher) article(ctx context.Context, c *colly.Collector, pageURL string) (Article, error) {
	r, err := f.visit(ctx, c, pageURL, "article", nil)
	if err != nil {
		return Article{}, err
	}
	if mt, _, _ := mime.ParseMediaType(r.Headers.Get("Content-Type")); mt != "" && !strings.Contains(mt, "html") {
		return Article{}, fmt.Errorf("not an HTML page (Content-Type %s)", mt)
	}
	u, err := url.Parse(r.Request.URL.String())
	if err != nil {
		return Article{}, fmt.Errorf("page URL: %w", err)
	}
	return extractArticle(r.Body, u)
}

// fetchArticles fetches the pages of the unknown items, at most
// MaxArticles, and fills their Body (and Title or date where missing).
// An item whose page is not read keeps what it has and is returned, by
// key, with the reason, so that the caller can try it again later.
func (f *Fetcher) fetchArticles(ctx context.Context, c *colly.Collector, src Source, items []item.Item, known func(string) bool) map[string]error {
	var pending map[string]error
	put := func(it *item.Item, err error) {
		if pending == nil {
			pending = map[string]error{}
		}
		pending[it.Key()] = fmt.Errorf("article %s: %w", it.URL, err)
	}
	fetched, left := 0, 0
	for i := range items {
		it := &items[i]
		if it.URL == "" || known(it.Key()) {
			continue
		}
		if ctx.Err() != nil {
			put(it, context.Cause(ctx))
			left++
			continue
		}
		if fetched == f.opts.MaxArticles {
			put(it, fmt.Errorf("article page limit (%d per source and cycle) reached", f.opts.MaxArticles))
			left++
			continue
		}
		fetched++
		a, err := f.article(ctx, c, it.URL)
		if err != nil {
			err = explain(ctx, err)
			f.log.Debug("article fetch failed", "source", src.Name, "url", it.URL, "err", err)
			put(it, err)
			continue
		}
		applyArticle(it, a, f.opts.Now())
	}
	if left > 0 {
		f.log.Debug("article pages left for a later cycle", "source", src.Name, "count", left)
	}
	return pending
}

// applyArticle fills an item from its page. The page's date replaces a
// guessed one only when it is plausible by the Fetcher's clock (the page
// was read with the wall clock's).
func applyArticle(it *item.Item, a Article, now time.Time) {
	it.Body = a.Text
	if it.Title == "" {
		it.Title = a.Title
	}
	if it.Lang == "" {
		it.Lang = a.Lang
	}
	if it.DateGuessed && !a.Published.IsZero() && plausibleDate(a.Published, now) {
		it.Published, it.DateGuessed = a.Published, false
	}
}
