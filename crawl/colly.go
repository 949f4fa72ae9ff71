package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gocolly/colly/v2"
	"golang.org/x/net/html/charset"
)

// Keys in a colly request context.
const (
	ctxKind     = "watcher.kind" // "listing" or "article"
	ctxResponse = "watcher.response"
	ctxStatus   = "watcher.status"
)

// collector builds the colly collector for one source run: it shares the
// Fetcher's transport (and so its bounds and address guard), stops with
// ctx, and follows our redirect policy.
//
// Its requests are article pages for the transport (page_delay and
// Crawl-delay apply) unless ctx says otherwise (a listing page).
func (f *Fetcher) collector(ctx context.Context) *colly.Collector {
	if _, ok := ctx.Value(kindKey{}).(requestKind); !ok {
		ctx = withKind(ctx, kindPage)
	}
	c := colly.NewCollector(
		colly.StdlibContext(ctx),
		colly.UserAgent(f.opts.UserAgent),
		// One byte over our limit: colly would silently truncate at its
		// limit, while our transport reports the overflow as an error.
		colly.MaxBodySize(int(f.opts.MaxBody)+1),
		colly.AllowURLRevisit(),
	)
	c.WithTransport(f.transport)
	// No client timeout: it would count the wait for the host's turn.
	// The transport times each request from the moment it is sent.
	c.SetRequestTimeout(0)
	c.SetRedirectHandler(checkRedirect)
	// robots.txt is checked in visit, from the Fetcher's cache.
	c.IgnoreRobotsTxt = true
	c.OnResponse(func(r *colly.Response) {
		decodeHTML(r)
		r.Ctx.Put(ctxResponse, r)
	})
	c.OnError(func(r *colly.Response, _ error) {
		if r != nil && r.StatusCode != 0 && r.Headers != nil {
			r.Ctx.Put(ctxStatus, newStatusError(r.StatusCode, *r.Headers, f.opts.Now()))
		}
	})
	return c
}

// visit fetches pageURL with c, tagging the request with kind so that
// OnHTML callbacks know which page they see. hdr, if not nil, adds
// request headers (the validators of a listing page).
func (f *Fetcher) visit(ctx context.Context, c *colly.Collector, pageURL, kind string, hdr http.Header) (*colly.Response, error) {
	if f.opts.Robots {
		u, err := url.Parse(pageURL)
		if err != nil {
			return nil, fmt.Errorf("bad page URL: %w", err)
		}
		ok, err := f.allowed(ctx, u)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s: disallowed by robots.txt: %w", pageURL, colly.ErrRobotsTxtBlocked)
		}
	}
	cctx := colly.NewContext()
	cctx.Put(ctxKind, kind)
	err := c.Request(http.MethodGet, pageURL, nil, cctx, hdr)
	if se, ok := cctx.GetAny(ctxStatus).(*StatusError); ok {
		return nil, se
	}
	if errors.Is(err, colly.ErrRobotsTxtBlocked) {
		return nil, fmt.Errorf("%s: disallowed by robots.txt: %w", pageURL, err)
	}
	if err != nil {
		return nil, err
	}
	r, ok := cctx.GetAny(ctxResponse).(*colly.Response)
	if !ok || len(r.Body) == 0 {
		return nil, ErrEmpty
	}
	return r, nil
}

// decodeHTML converts a page to UTF-8 when its charset is declared only in
// the document (BOM or <meta charset>). colly converts by the Content-Type
// charset itself; its DetectCharset option instead guesses statistically
// and ignores <meta>, which misreads short Cyrillic pages.
func decodeHTML(r *colly.Response) {
	ct := r.Headers.Get("Content-Type")
	if contentTypeCharset(ct) != "" {
		return
	}
	enc, name, _ := charset.DetermineEncoding(r.Body, ct)
	if name == "utf-8" {
		return
	}
	if out, err := enc.NewDecoder().Bytes(r.Body); err == nil {
		r.Body = out
	}
}

// retryAfterOf returns the delay a StatusError asked for.
func retryAfterOf(err error) time.Duration {
	var se *StatusError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}
