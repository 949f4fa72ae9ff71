// Package crawl fetches the configured sources (feeds and listing pages)
// and turns what they serve into clean item.Items.
//
// A Fetcher owns one HTTP transport for every request it makes (feeds,
// listing pages, article pages, robots.txt), and that transport enforces
// the global and per-host bounds, the politeness delay, the body limit and
// the private-network guard. Fetch never aborts the caller: a failing
// source comes back as a Result whose Err names the source and the cause.
package crawl

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/watcher-news/watcher/item"
)

// Source is one configured source: either a feed, or a listing page whose
// article links are picked by a CSS selector.
type Source struct {
	// Name identifies the source in items, logs and errors.
	Name string
	// Feed is the feed URL (RSS 0.9x/2.0, RSS 1.0, Atom or JSON Feed).
	Feed string
	// Page is the URL of a listing page, for sources without a feed.
	Page string
	// Links is the CSS selector of the article links on Page.
	Links string
	// Telegram is a public channel's username, for a source read through
	// the channel's web preview; Base is where that preview is served
	// (empty: DefaultTelegramBase).
	Telegram string
	Base     string
	// Fulltext makes a feed source fetch each new item's page and set
	// Item.Body to its main text.
	Fulltext bool
	// Lang is the language the operator declared for the source, if any.
	Lang string
	// KeysOnly says the caller needs only the items' identities (a new
	// source's first read, which records what is there and alerts
	// nothing): their summaries and texts may be left unparsed.
	KeysOnly bool
	// SkipKnown lets items that known reports seen be left out of
	// Result.Items, unparsed; their keys are in Result.Known.
	SkipKnown bool
	// Seen, when set, answers for SkipKnown which of a feed's keys were
	// seen, in one call (one state read per feed, not one per item).
	Seen func(keys []string) map[string]bool
}

// URL returns the address the source is fetched from.
func (s Source) URL() string {
	switch {
	case s.Feed != "":
		return s.Feed
	case s.Telegram != "":
		return telegramURL(s.Base, s.Telegram)
	}
	return s.Page
}

// Validators are the HTTP cache validators of a feed, sent back on the
// next fetch so an unchanged feed costs a 304 and no parse.
type Validators struct{ ETag, LastModified string }

// Result is the outcome of fetching one source.
type Result struct {
	// Source is the source's name.
	Source string
	// Items are the items found, at most Options.MaxItems.
	Items []item.Item
	// NotModified reports a 304 answer: nothing was parsed.
	NotModified bool
	// Validators are the new validators; meaningful only when Err is nil.
	Validators Validators
	// Err is nil on success; otherwise it names the source, its URL and
	// a cause a person understands.
	Err error
	// RetryAfter is the delay a 429 or 503 answer asked for, 0 if none.
	RetryAfter time.Duration
	// Bytes counts the body bytes read for this source.
	Bytes int64
	// Known are the keys of the items left out of Items because known
	// reported them seen (Source.SkipKnown): still listed by the source.
	Known []string
	// Pending holds, by item key, the new items whose article page was
	// wanted but not read this time, and why: the page failed, the
	// article limit was reached, or the deadline came first. Their Body
	// is empty; the caller may keep them unseen so that a later fetch
	// reads their pages again.
	Pending map[string]error
}

// Fetcher fetches sources. It is safe for concurrent use.
type Fetcher struct {
	opts      Options
	transport *limitTransport
	client    *http.Client
	log       *slog.Logger
	// parsing bounds the feeds parsed at once to the processors there
	// are. Without it a thousand sources parse at once: memory grows
	// with every half-parsed feed, and the goroutines that read
	// responses wait behind them while holding their connection slots.
	parsing chan struct{}
	// backlog bounds the bodies read and waiting to be parsed.
	backlog chan struct{}
	// robots caches robots.txt by host.
	robots robotsCache
}

// New builds a Fetcher and its shared transport from opts, after filling
// in defaults. It fails on options that make no sense (negative limits).
func New(opts Options) (*Fetcher, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	lt := newLimitTransport(newTransport(opts), opts)
	return &Fetcher{
		opts:      opts,
		transport: lt,
		client: &http.Client{
			Transport:     lt,
			CheckRedirect: checkRedirect,
			// No Timeout here: it would count the time a request waits
			// for its host's turn. The transport times each request
			// from the moment it is sent.
		},
		log:     opts.Logger,
		parsing: make(chan struct{}, runtime.GOMAXPROCS(0)),
		backlog: make(chan struct{}, opts.Concurrency+2*runtime.GOMAXPROCS(0)),
	}, nil
}

// Fetch fetches one source. v are the validators a feed returned last
// time (listing pages are always fetched in full). known reports whether
// an item key (item.Item.Key()) was seen before; article pages are
// fetched only for unknown items, and known may be nil when every item
// counts as new.
// Fetch is safe for concurrent use by one goroutine per source; the
// Fetcher enforces the global and per-host bounds itself.
func (f *Fetcher) Fetch(ctx context.Context, src Source, v Validators, known func(key string) bool) (res Result) {
	res.Source = src.Name
	if known == nil {
		known = func(string) bool { return false }
	}
	ctx, counter := withByteCounter(ctx)
	defer func() {
		res.Bytes = counter.Load()
		if p := recover(); p != nil {
			res.Items = nil
			res.Err = fmt.Errorf("source %q (%s): internal error: %v", src.Name, src.URL(), p)
			f.log.Error("fetch panicked", "source", src.Name, "err", res.Err)
		}
	}()
	switch {
	case src.Feed != "":
		res = f.fetchFeedSource(ctx, src, v, known)
	case src.Telegram != "":
		res = f.fetchTelegramSource(ctx, src, v, known)
	case src.Page != "" && src.Links != "":
		res = f.fetchPageSource(ctx, src, v, known)
	default:
		res.Err = fmt.Errorf("source %q: needs a feed URL, or a page URL and a links selector, or a telegram channel", src.Name)
	}
	res.Source = src.Name
	return res
}

// sourceError wraps err with the source's identity and the stage
// ("fetch" or "parse") at which it failed.
func sourceError(ctx context.Context, src Source, stage string, err error) error {
	return fmt.Errorf("source %q (%s): %s: %w", src.Name, src.URL(), stage, explain(ctx, err))
}
