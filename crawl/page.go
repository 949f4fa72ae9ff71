package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/andybalholm/cascadia"
	"github.com/gocolly/colly/v2"

	"github.com/watcher-news/watcher/item"
)

// link is an article link found on a listing page.
type link struct{ url, title string }

// fetchPageSource reads a listing page, makes an item of each article
// link the selector picks, and fetches the pages of the unknown ones.
//
// A listing page that loads but whose selector matches no links is not an
// error: a new section or a site on a quiet day has none, and the watcher
// must still record the source as read (its later stories are then news).
// As it can also mean the site changed its markup, it is logged as a
// warning naming the selector.
//
// The listing is fetched with the validators it gave last time: a page
// that has not changed costs a 304 and nothing else.
func (f *Fetcher) fetchPageSource(ctx context.Context, src Source, v Validators, known func(string) bool) Result {
	res := Result{Source: src.Name}
	if _, err := cascadia.Compile(src.Links); err != nil {
		res.Err = fmt.Errorf("source %q (%s): links selector %q: %w", src.Name, src.Page, src.Links, err)
		return res
	}
	// The listing is polled like a feed: it waits for robots.txt's
	// Crawl-delay but not for page_delay, which spaces article pages.
	c := f.collector(withKind(ctx, kindListing))
	var links []link
	seen := map[string]bool{}
	c.OnHTML(src.Links, func(e *colly.HTMLElement) {
		if e.Request.Ctx.Get(ctxKind) != "listing" || len(links) >= f.opts.MaxItems {
			return
		}
		if l, ok := linkOf(e); ok && !seen[item.NormalizeURL(l.url)] {
			seen[item.NormalizeURL(l.url)] = true
			links = append(links, l)
		}
	})
	hdr := http.Header{}
	if v.ETag != "" {
		hdr.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		hdr.Set("If-Modified-Since", v.LastModified)
	}
	r, err := f.visit(ctx, c, src.Page, "listing", hdr)
	if se, ok := errors.AsType[*StatusError](err); ok && se.Code == http.StatusNotModified {
		res.NotModified = true
		res.Validators = v
		return res
	}
	if err != nil {
		res.Err = sourceError(ctx, src, "fetch", err)
		res.RetryAfter = retryAfterOf(err)
		return res
	}
	res.Validators = Validators{ETag: r.Headers.Get("ETag"), LastModified: r.Headers.Get("Last-Modified")}
	if len(links) == 0 {
		f.opts.Logger.Warn("links selector matched no links: check it if the page has stories",
			"source", src.Name, "url", src.Page, "selector", src.Links)
		return res
	}
	items := make([]item.Item, len(links))
	for i, l := range links {
		items[i] = item.Item{URL: l.url, Title: l.title}
	}
	f.finishItems(items, src)
	res.Pending = f.fetchArticles(ctx, f.collector(ctx), src, items, known)
	res.Items = items
	return res
}

// linkOf reads the link of a selected element: its own href, or that of
// the first link inside it. The title is the element's text.
func linkOf(e *colly.HTMLElement) (link, bool) {
	href := e.Attr("href")
	if href == "" {
		href = e.ChildAttr("a[href]", "href")
	}
	abs := absolute(nil, e.Request.AbsoluteURL(href))
	if href == "" || abs == "" {
		return link{}, false
	}
	if u, err := url.Parse(abs); err == nil {
		u.Fragment = ""
		abs = u.String()
	}
	title := strings.Join(strings.Fields(strings.ToValidUTF8(e.Text, "\uFFFD")), " ")
	return link{url: abs, title: cut(title, maxTitle)}, true
}
