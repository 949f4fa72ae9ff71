package crawl

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/watcher-news/watcher/item"
)

// parsedFeed is what a feed body yields.
type parsedFeed struct {
	// items are the feed's newest items, at most the limit asked for, in
	// the feed's order.
	items []item.Item
	// listed is how many items the feed held; more than len(items) when
	// the feed was cut to its newest.
	listed int
	// known are the keys of known items left out unparsed.
	known []string
}

// parseFeed parses a feed body (RSS, Atom or JSON Feed, in any charset)
// into clean items, at most maxItems, judging dates by the wall clock.
func parseFeed(body []byte, contentType string, base *url.URL, maxItems int) ([]item.Item, error) {
	p, err := parseFeedAt(body, contentType, base, maxItems, time.Now())
	return p.items, err
}

// parseFeedAt parses a feed body into clean items: of a feed longer than
// maxItems, the newest maxItems by date (see newest). base resolves
// relative links that xml:base did not already resolve; dates are judged
// at now. Items carry no Source yet.
//
// An XML feed is pruned first (see pruneXML), which keeps its first and
// its last maxItems items: whichever end a feed lists its news at, the
// newest are among them, and gofeed builds at most twice the limit
// however long the feed.
func parseFeedAt(body []byte, contentType string, base *url.URL, maxItems int, now time.Time) (parsedFeed, error) {
	return parseFeedLean(body, contentType, base, maxItems, now, leanOptions{})
}

// leanOptions say what of a feed the caller does not need (see leanXML).
type leanOptions struct {
	source   string                         // the name keys are made with
	keysOnly bool                           // only identities: a first read
	known    func([]string) map[string]bool // which of the keys of items were seen: those may be left out
}

// parseFeedLean is parseFeedAt leaving out, before gofeed runs, what lean
// says is not needed. parsedFeed.known lists the keys of the items left out.
func parseFeedLean(body []byte, contentType string, base *url.URL, maxItems int, now time.Time, lean leanOptions) (parsedFeed, error) {
	data, err := toParseable(body, contentType)
	if err != nil {
		return parsedFeed{}, err
	}
	dropped := 0
	var known []string
	var ids []leanID
	whole := data
	if first := bytes.TrimLeft(data, " \t\r\n"); len(first) > 0 && first[0] == '<' {
		data, dropped = pruneXML(data, maxXMLDepth, maxItems)
		whole = data
		data, known, ids = leanXML(data, lean.source, lean.keysOnly, lean.known, maxItems, dropped > 0)
	} else if len(first) > 0 && first[0] == '{' {
		data, known, ids = leanJSON(data, lean.source, lean.keysOnly, lean.known, maxItems)
	}
	feed, err := gofeedParse(data)
	if err != nil && len(data) != len(whole) || ids != nil && err == nil && len(feed.Items) > 0 {
		// What the lean cut made unreadable, the whole feed decides; so it
		// does when gofeed finds items in what the scan left of a first
		// read: items the scan did not see as such.
		data, known, ids = whole, nil, nil
		feed, err = gofeedParse(data)
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		if looksLikeHTML(data) {
			return parsedFeed{}, fmt.Errorf("%w: got an HTML page", ErrNotAFeed)
		}
		return parsedFeed{}, fmt.Errorf("%w: no RSS, Atom or JSON Feed root found", ErrNotAFeed)
	}
	if err != nil {
		return parsedFeed{}, fmt.Errorf("broken feed: %w", err)
	}
	if ids != nil {
		return parsedFeed{items: idItems(ids, feed.Language), listed: len(ids) + len(known), known: known}, nil
	}
	if feed.Link != "" && base == nil {
		base, _ = url.Parse(feed.Link)
	}
	fis := slices.DeleteFunc(feed.Items, func(fi *gofeed.Item) bool { return fi == nil })
	dates := make([]time.Time, len(fis))
	for i, fi := range fis {
		dates[i] = itemDate(fi, now)
	}
	keep := newest(dates, maxItems)
	items := make([]item.Item, 0, len(keep))
	for _, i := range keep {
		items = append(items, convertItem(fis[i], base, feed.Language, dates[i]))
	}
	distrustSharedGUIDs(items)
	return parsedFeed{items: items, listed: len(fis) + dropped + len(known), known: known}, nil
}

// idItems are the items of a first read made from their identities as
// the scan read them: the GUID, else the link, which are what item.Key is
// made of; the link of an item known by its GUID is the GUID when it is
// one, as itemLink makes it. No date was asked for (the feed is not
// longer than max_items), so none is read; lang is the feed's.
func idItems(ids []leanID, lang string) []item.Item {
	lang = strings.ToLower(strings.TrimSpace(lang))
	items := make([]item.Item, len(ids))
	for i, id := range ids {
		link := id.link
		if id.guid != "" && (strings.HasPrefix(id.guid, "http://") || strings.HasPrefix(id.guid, "https://")) {
			link = absolute(nil, id.guid)
		}
		items[i] = item.Item{GUID: id.guid, URL: link, Lang: lang}
	}
	return items
}

// newest returns the indices, in increasing order, of the n newest of
// items with the given dates (zero: no readable date); all of them when
// there are no more than n.
//
// An item without a date is ranked with the dated item before it in the
// feed (else the one after it): feeds list items in order, newest or
// oldest first, so its place tells its age better than any date we could
// make up, and ranking it as "now" would let undated items crowd out the
// news of a feed that dates most of them. Ties, and a feed with no dates
// at all, keep the feed's order, so the first items win as before.
func newest(dates []time.Time, n int) []int {
	idx := make([]int, len(dates))
	for i := range idx {
		idx[i] = i
	}
	if len(dates) <= n {
		return idx
	}
	rank := slices.Clone(dates)
	if first := slices.IndexFunc(rank, func(d time.Time) bool { return !d.IsZero() }); first > 0 {
		for i := range first { // before the first dated item: its date
			rank[i] = rank[first]
		}
	}
	for i := 1; i < len(rank); i++ { // later undated items: the previous one's
		if rank[i].IsZero() {
			rank[i] = rank[i-1]
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return rank[b].Compare(rank[a]) })
	idx = idx[:n]
	slices.Sort(idx)
	return idx
}

// distrustSharedGUIDs clears the GUID of items that share it with a
// different item (another link, or another text when there is no link),
// so that each is known by its link instead. A publisher whose template
// gives every item the same GUID would otherwise have its first item
// stand for all, and every later story would look seen: the watcher would
// miss news silently. Repeats of one item (same GUID, same link) keep the
// GUID, and the cycle keeps the first of them. Keys stay stable across
// fetches as long as the feed keeps sharing the GUID.
func distrustSharedGUIDs(items []item.Item) {
	// Almost every feed has distinct GUIDs: count first, so the keys are
	// hashed only for GUIDs that repeat.
	count := make(map[string]int, len(items))
	for _, it := range items {
		count[it.GUID]++
	}
	identities := map[string]map[string]bool{} // GUID -> keys the items would have without it
	for _, it := range items {
		if it.GUID == "" || count[it.GUID] < 2 {
			continue
		}
		if identities[it.GUID] == nil {
			identities[it.GUID] = map[string]bool{}
		}
		identities[it.GUID][item.Key("", "", it.URL, it.Title+"\n"+it.Summary)] = true
	}
	for i := range items {
		if len(identities[items[i].GUID]) > 1 {
			items[i].GUID = ""
		}
	}
}

// gofeedParse runs gofeed, turning a panic into an error: gofeed v1.4.2
// dereferences nil on a JSON Feed whose items list holds a null (found by
// FuzzParseFeed, seed json-odd), and a bad feed must cost only its source.
func gofeedParse(data []byte) (feed *gofeed.Feed, err error) {
	defer func() {
		if p := recover(); p != nil {
			feed, err = nil, fmt.Errorf("broken feed: parser failed: %v", p)
		}
	}()
	p := gofeed.NewParser()
	// We show no images, and the scan for one parses every item's HTML a
	// second time: a third of the allocations of a cycle.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	return p.Parse(bytes.NewReader(data))
}

// convertItem makes one clean item from a parsed feed item.
func convertItem(fi *gofeed.Item, base *url.URL, lang string, published time.Time) item.Item {
	summary := fi.Description
	if strings.TrimSpace(summary) == "" {
		summary = fi.Content
	}
	return item.Item{
		GUID:      cutRunes(strings.TrimSpace(strings.ToValidUTF8(fi.GUID, "\uFFFD")), maxTitle),
		URL:       itemLink(fi, base),
		Title:     cut(strings.ReplaceAll(plainText(fi.Title), "\n\n", " "), maxTitle),
		Summary:   cut(plainText(summary), maxSummary),
		Lang:      strings.ToLower(strings.TrimSpace(lang)),
		Published: published,
	}
}

// itemLink is the item's first usable link, made absolute.
func itemLink(fi *gofeed.Item, base *url.URL) string {
	for _, l := range append([]string{fi.Link}, fi.Links...) {
		if abs := absolute(base, strings.ToValidUTF8(l, "")); abs != "" {
			return abs
		}
	}
	if strings.HasPrefix(fi.GUID, "http://") || strings.HasPrefix(fi.GUID, "https://") {
		return absolute(nil, fi.GUID)
	}
	return ""
}

// itemDate is the item's published (else updated) time as gofeed read it,
// else a date in a local language; the zero time when none could be read
// or none is plausible at now (a date past year 9999 in UTC, say).
func itemDate(fi *gofeed.Item, now time.Time) time.Time {
	for _, t := range []*time.Time{fi.PublishedParsed, fi.UpdatedParsed} {
		if t != nil && plausibleDate(t.UTC(), now) {
			return t.UTC()
		}
	}
	for _, s := range []string{fi.Published, fi.Updated} {
		if t, ok := parseLocalDate(s); ok && plausibleDate(t, now) {
			return t
		}
	}
	return time.Time{}
}

// looksLikeHTML reports an HTML document, the usual answer of a site
// whose feed moved.
func looksLikeHTML(data []byte) bool {
	head := bytes.ToLower(data[:min(len(data), 1024)])
	return bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype html"))
}
