package crawl

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/watcher-news/watcher/item"
)

// feedAccept is the Accept header sent for feeds.
const feedAccept = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// feedResponse is a fetched feed before parsing.
type feedResponse struct {
	body        []byte
	contentType string
	url         *url.URL // final URL, after redirects
	validators  Validators
	notModified bool
}

// fetchFeedSource fetches, parses and (for fulltext sources) completes a
// feed source.
func (f *Fetcher) fetchFeedSource(ctx context.Context, src Source, v Validators, known func(string) bool) Result {
	res := Result{Source: src.Name}
	fr, err := f.getFeed(ctx, src.Feed, v)
	if err != nil {
		res.Err = sourceError(ctx, src, "fetch", err)
		res.RetryAfter = retryAfterOf(err)
		return res
	}
	if fr.notModified {
		res.NotModified = true
		res.Validators = v
		return res
	}
	items, err := f.parse(ctx, fr, src)
	if err != nil {
		res.Err = sourceError(ctx, src, "parse", err)
		return res
	}
	if src.Fulltext {
		f.fetchArticles(ctx, f.collector(ctx), src, items, known)
	}
	res.Items = items
	res.Validators = fr.validators
	return res
}

// parse parses a fetched feed into finished items, holding one of the
// Fetcher's parse slots (released even if the parser panics).
func (f *Fetcher) parse(ctx context.Context, fr *feedResponse, src Source) ([]item.Item, error) {
	if err := acquire(ctx, f.parsing); err != nil {
		return nil, err
	}
	defer func() { <-f.parsing }()
	items, err := parseFeed(fr.body, fr.contentType, fr.url, f.opts.MaxItems)
	if err != nil {
		return nil, err
	}
	f.finishItems(items, src)
	return items, nil
}

// getFeed sends a conditional GET for the feed.
func (f *Fetcher) getFeed(ctx context.Context, feedURL string, v Validators) (*feedResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feedURL, nil)
	if err != nil {
		return nil, fmt.Errorf("bad feed URL: %w", err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", feedAccept)
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return &feedResponse{notModified: true}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newStatusError(resp.StatusCode, resp.Header, f.opts.Now())
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrEmpty
	}
	return &feedResponse{
		body:        body,
		contentType: resp.Header.Get("Content-Type"),
		url:         resp.Request.URL,
		validators:  Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")},
	}, nil
}

// finishItems stamps the source on each item and fills in the date when
// the feed gave none that could be read.
func (f *Fetcher) finishItems(items []item.Item, src Source) {
	for i := range items {
		items[i].Source = src.Name
		if src.Lang != "" {
			items[i].Lang = src.Lang
		}
		if items[i].Published.IsZero() {
			items[i].Published = f.opts.Now()
			items[i].DateGuessed = true
		}
	}
}
