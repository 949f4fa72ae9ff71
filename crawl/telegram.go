package crawl

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/watcher-news/watcher/item"
)

// ErrNotAChannel: a Telegram address answered with a page that holds no
// channel history: the channel is private, does not exist, or has its
// web preview turned off.
var ErrNotAChannel = errors.New("no public channel preview at this address (private, unknown, or preview turned off)")

// DefaultTelegramBase is where Telegram serves channels' web previews.
const DefaultTelegramBase = "https://t.me"

// maxTelegramPages bounds the preview pages read per channel and run: the
// newest page and older ones asked for with ?before=.
const maxTelegramPages = 5

// telegramURL is the web preview address of a channel.
func telegramURL(base, channel string) string {
	if base == "" {
		base = DefaultTelegramBase
	}
	return strings.TrimRight(base, "/") + "/s/" + channel
}

// fetchTelegramSource reads a public channel's web preview
// (https://t.me/s/CHANNEL), which needs no login or API key, and makes an
// item of each post. It goes through the same collector and transport as
// a listing page, so the per-host queue, robots.txt, Retry-After, the
// body limit, timeouts and conditional GET apply as they do to any page.
//
// The preview shows about the twenty newest posts. When every one of
// them is new (a busy channel between two runs), older pages are read
// with ?before=, up to maxTelegramPages and max_items, so that the posts
// in between are not missed. A first read (known says every post is
// seen) records only the newest page.
func (f *Fetcher) fetchTelegramSource(ctx context.Context, src Source, v Validators, known func(string) bool) Result {
	res := Result{Source: src.Name}
	c := f.collector(withKind(ctx, kindListing))
	hdr := http.Header{}
	if v.ETag != "" {
		hdr.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		hdr.Set("If-Modified-Since", v.LastModified)
	}
	first := src.URL()
	r, err := f.visit(ctx, c, first, "listing", hdr)
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
	page, err := parseTelegram(r.Body, src.Name)
	if err != nil {
		res.Err = sourceError(ctx, src, "parse", err)
		return res
	}
	items := page.items
	pages := 1
	for ; pages < maxTelegramPages && len(items) < f.opts.MaxItems && page.oldest > 1 && allNew(page.items, known); pages++ {
		older := first + "?before=" + strconv.Itoa(page.oldest)
		before := page.oldest
		r, err := f.visit(ctx, c, older, "listing", nil)
		if err == nil {
			page, err = parseTelegram(r.Body, src.Name)
		}
		if err != nil {
			// Failing the source (rather than keeping the newest page)
			// keeps the posts in between unseen: the next run reads
			// them again instead of skipping them for good.
			res.Err = sourceError(ctx, src, "fetch older posts", fmt.Errorf("%s: %w", older, err))
			res.RetryAfter = retryAfterOf(err)
			return res
		}
		if page.oldest == 0 || page.oldest >= before {
			break // nothing older, or a server that ignores ?before=
		}
		items = append(items, page.items...)
	}
	// Newest first, then at most max_items: the preview lists oldest
	// first, and pages may overlap when posts arrive while they are read.
	slices.SortFunc(items, func(a, b item.Item) int { return cmp.Compare(postID(b.GUID), postID(a.GUID)) })
	items = slices.CompactFunc(items, func(a, b item.Item) bool { return a.GUID == b.GUID })
	if page.oldest > 1 && allNew(page.items, known) && (pages == maxTelegramPages || len(items) > f.opts.MaxItems) {
		f.log.Warn("channel has more new posts than the preview pages read: kept the newest", "source", src.Name,
			"pages", pages, "kept", min(len(items), f.opts.MaxItems), "max_items", f.opts.MaxItems)
	}
	res.Items = items[:min(len(items), f.opts.MaxItems)]
	f.finishItems(res.Items, src)
	return res
}

// allNew reports whether known says none of items was seen before; an
// empty page is not "all new" (there is nothing older to look for).
func allNew(items []item.Item, known func(string) bool) bool {
	for _, it := range items {
		if known(it.Key()) {
			return false
		}
	}
	return len(items) > 0
}

// postID reads the number at the end of a post's GUID.
func postID(guid string) int {
	id, _ := strconv.Atoi(guid[strings.LastIndexByte(guid, '/')+1:])
	return id
}
