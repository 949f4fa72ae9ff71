package crawl

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/watcher-news/watcher/item"
)

// parseFeed parses a feed body (RSS, Atom or JSON Feed, in any charset)
// into clean items, at most maxItems. base resolves relative links that
// xml:base did not already resolve. Items carry no Source yet.
func parseFeed(body []byte, contentType string, base *url.URL, maxItems int) ([]item.Item, error) {
	data, err := toParseable(body, contentType)
	if err != nil {
		return nil, err
	}
	if first := bytes.TrimLeft(data, " \t\r\n"); len(first) > 0 && first[0] == '<' {
		data = pruneXML(data, maxXMLDepth, maxItems)
	}
	feed, err := gofeedParse(data)
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		if looksLikeHTML(data) {
			return nil, fmt.Errorf("%w: got an HTML page", ErrNotAFeed)
		}
		return nil, fmt.Errorf("%w: no RSS, Atom or JSON Feed root found", ErrNotAFeed)
	}
	if err != nil {
		return nil, fmt.Errorf("broken feed: %w", err)
	}
	if feed.Link != "" && base == nil {
		base, _ = url.Parse(feed.Link)
	}
	n := min(len(feed.Items), maxItems)
	items := make([]item.Item, 0, n)
	for _, fi := range feed.Items[:n] {
		if fi != nil {
			items = append(items, convertItem(fi, base, feed.Language))
		}
	}
	distrustSharedGUIDs(items)
	return items, nil
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
func convertItem(fi *gofeed.Item, base *url.URL, lang string) item.Item {
	summary := fi.Description
	if strings.TrimSpace(summary) == "" {
		summary = fi.Content
	}
	it := item.Item{
		GUID:    cut(strings.TrimSpace(strings.ToValidUTF8(fi.GUID, "\uFFFD")), maxTitle),
		URL:     itemLink(fi, base),
		Title:   cut(strings.ReplaceAll(plainText(fi.Title), "\n\n", " "), maxTitle),
		Summary: cut(plainText(summary), maxSummary),
		Lang:    strings.ToLower(strings.TrimSpace(lang)),
	}
	it.Published, it.DateGuessed = itemDate(fi)
	return it
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
// else a date in a local language; the zero time when none could be read.
func itemDate(fi *gofeed.Item) (time.Time, bool) {
	switch {
	case fi.PublishedParsed != nil:
		return fi.PublishedParsed.UTC(), false
	case fi.UpdatedParsed != nil:
		return fi.UpdatedParsed.UTC(), false
	}
	for _, s := range []string{fi.Published, fi.Updated} {
		if t, ok := parseLocalDate(s); ok {
			return t, false
		}
	}
	return time.Time{}, false
}

// looksLikeHTML reports an HTML document, the usual answer of a site
// whose feed moved.
func looksLikeHTML(data []byte) bool {
	head := bytes.ToLower(data[:min(len(data), 1024)])
	return bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype html"))
}
