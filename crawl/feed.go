package crawl

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"

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
	release     func() // frees the backlog slot the body holds
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
	items, skipped, err := f.parse(ctx, fr, src, known)
	fr.release()
	if err != nil {
		res.Err = sourceError(ctx, src, "parse", err)
		return res
	}
	if src.Fulltext {
		res.Pending = f.fetchArticles(ctx, f.collector(ctx), src, items, known)
	}
	res.Items = items
	res.Known = skipped
	res.Validators = fr.validators
	return res
}

// parse parses a fetched feed into finished items, holding one of the
// Fetcher's parse slots (released even if the parser panics). A feed
// longer than MaxItems keeps its newest items, with a warning.
//
// Known items (when src.SkipKnown) and, for src.KeysOnly, the text of
// the others are left out before parsing where their identities can be
// read from the raw feed (see leanXML); the keys of the items left out
// are returned.
func (f *Fetcher) parse(ctx context.Context, fr *feedResponse, src Source, known func(string) bool) ([]item.Item, []string, error) {
	if err := acquire(ctx, f.parsing); err != nil {
		return nil, nil, err
	}
	defer func() { <-f.parsing }()
	lean := leanOptions{source: src.Name, keysOnly: src.KeysOnly}
	switch {
	case src.SkipKnown && src.Seen != nil:
		lean.known = src.Seen
	case src.SkipKnown:
		lean.known = func(keys []string) map[string]bool {
			m := make(map[string]bool, len(keys))
			for _, k := range keys {
				m[k] = known(k)
			}
			return m
		}
	}
	p, err := parseFeedLean(fr.body, fr.contentType, fr.url, f.opts.MaxItems, f.opts.Now(), lean)
	if err != nil {
		return nil, nil, err
	}
	if p.listed-len(p.known) > len(p.items) {
		f.log.Warn("feed lists more items than max_items: kept the newest", "source", src.Name,
			"items", p.listed, "kept", len(p.items)+len(p.known), "max_items", f.opts.MaxItems)
	}
	f.finishItems(p.items, src)
	return p.items, p.known, nil
}

// bodyPool recycles the buffers feed bodies are read into. A cycle reads
// every changed feed whole (tens of kilobytes each, grown by doubling when
// the length is not declared, as with gzip): without reuse that was the
// largest allocation of a cycle, 620 MB for 5,000 feeds, and with it the
// garbage collector's work. A buffer goes back once its feed is parsed:
// nothing parsed refers to it (gofeed and the clean-up copy what they
// keep).
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest buffer kept for reuse: one absurd feed must
// not pin its megabytes in the pool.
const maxPooledBody = 1 << 20

// readBody reads a whole response body into a pooled buffer sized from its
// declared length (bounded by the body limit); put it back with putBody.
func readBody(resp *http.Response, limit int64) (*bytes.Buffer, error) {
	buf := bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	if n := resp.ContentLength; n > 0 && !resp.Uncompressed {
		buf.Grow(int(min(n, limit) + 1))
	} else {
		buf.Grow(int(min(64<<10, limit+1))) // a typical feed, decompressed
	}
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		putBody(buf)
		return nil, fmt.Errorf("read body: %w", err)
	}
	return buf, nil
}

// putBody returns a body's buffer to the pool.
func putBody(buf *bytes.Buffer) {
	if buf != nil && buf.Cap() <= maxPooledBody {
		bodyPool.Put(buf)
	}
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
	// A body read is held until it is parsed: the backlog slot bounds how
	// many wait for a parser, so memory does not grow with the number of
	// sources when parsing is slower than the network. Waiting for a slot
	// keeps this request's connection slot, which slows the network to
	// the pace of the parsers.
	if err := acquire(ctx, f.backlog); err != nil {
		return nil, err
	}
	buf, err := readBody(resp, f.opts.MaxBody)
	if err == nil && len(bytes.TrimSpace(buf.Bytes())) == 0 {
		putBody(buf)
		err = ErrEmpty
	}
	if err != nil {
		<-f.backlog
		return nil, err
	}
	return &feedResponse{
		release:     func() { putBody(buf); <-f.backlog },
		body:        buf.Bytes(),
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
