package crawl

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Version is the program version placed in the default User-Agent; the
// build may override it.
var Version = "dev"

// Options configures a Fetcher. Zero fields take the documented defaults.
type Options struct {
	// UserAgent defaults to "watcher/<version> (+https://github.com/watcher-news/watcher)".
	UserAgent string
	// Timeout bounds one request once it is sent: connect, first byte and
	// body. Time spent waiting for a slot or a politeness pause does not
	// count. Default 30s.
	Timeout time.Duration
	// ConnectTimeout bounds each TCP connect. Default 10s.
	ConnectTimeout time.Duration
	// MaxBody bounds each response body after decompression. Default 10 MiB.
	MaxBody int64
	// MaxItems bounds the items taken from one feed or listing. Default 500.
	MaxItems int
	// MaxArticles bounds the article pages fetched per source per run. Default 50.
	MaxArticles int
	// Concurrency bounds the requests in flight over all hosts. Default 16.
	Concurrency int
	// PerHost bounds the requests in flight to one host. Default 2.
	PerHost int
	// HostDelay is the least time between the starts of any two
	// requests to one host. Default 0: feeds are conditional GETs, and
	// PerHost bounds them.
	HostDelay time.Duration
	// PageDelay is the least time between the start of an article page
	// request and the host's previous page request (article or listing);
	// a longer robots.txt Crawl-delay of the host replaces it. Listing
	// pages, polled like feeds, wait only for the Crawl-delay. Default 0.
	PageDelay time.Duration
	// MaxRetryAfter caps how long a host's Retry-After keeps its requests
	// waiting. Default 6h.
	MaxRetryAfter time.Duration
	// AllowHosts lists hosts ("host" or "host:port") that may resolve to
	// loopback or private addresses: the operator's own sources. Every
	// other host is refused such addresses at connect time.
	AllowHosts []string
	// Robots makes page fetches respect robots.txt.
	Robots bool
	// Pacer, when set, spaces the requests that wait a pause (HostDelay,
	// PageDelay, a Crawl-delay) across every process sharing it as well
	// as within this one: several watchers on one database. Nil: the
	// pauses hold within this Fetcher only.
	Pacer Pacer
	// Now is the clock used for items without a readable date. Default time.Now.
	Now func() time.Time
	// Logger receives warnings (e.g. an article that failed). Default discards.
	Logger *slog.Logger
}

const mib = 1 << 20

func (o *Options) setDefaults() {
	if o.UserAgent == "" {
		o.UserAgent = "watcher/" + Version + " (+https://github.com/watcher-news/watcher)"
	}
	setIfZero(&o.Timeout, 30*time.Second)
	setIfZero(&o.ConnectTimeout, 10*time.Second)
	setIfZero(&o.MaxBody, 10*mib)
	setIfZero(&o.MaxItems, 500)
	setIfZero(&o.MaxArticles, 50)
	setIfZero(&o.Concurrency, 16)
	setIfZero(&o.PerHost, 2)
	setIfZero(&o.MaxRetryAfter, 6*time.Hour)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

func setIfZero[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

func (o *Options) validate() error {
	var errs []error
	check := func(bad bool, name string, v any) {
		if bad {
			errs = append(errs, fmt.Errorf("crawl options: %s must be positive (got %v)", name, v))
		}
	}
	check(o.Timeout < 0, "timeout", o.Timeout)
	check(o.ConnectTimeout < 0, "connect timeout", o.ConnectTimeout)
	check(o.MaxBody < 0, "max body", o.MaxBody)
	check(o.MaxItems < 0, "max items", o.MaxItems)
	check(o.MaxArticles < 0, "max articles", o.MaxArticles)
	check(o.Concurrency < 0, "concurrency", o.Concurrency)
	check(o.PerHost < 0, "per-host limit", o.PerHost)
	if o.HostDelay < 0 || o.PageDelay < 0 {
		errs = append(errs, fmt.Errorf("crawl options: host and page delays must not be negative (got %s, %s)", o.HostDelay, o.PageDelay))
	}
	return errors.Join(errs...)
}
