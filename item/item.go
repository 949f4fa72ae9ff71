// Package item holds the domain types shared by every stage of the watcher:
// an Item as crawled from a source, and its stable identity.
//
// It imports nothing from the project, so crawl, match, alert and state can
// all depend on it without depending on each other.
package item

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Item is one news item as it came from a source, cleaned: text fields are
// plain UTF-8 text (entities decoded, markup removed), links are absolute.
type Item struct {
	// Source is the configured name of the source the item came from.
	Source string
	// GUID is the identifier the feed gave the item, if any.
	GUID string
	// URL is the item's own absolute link, as the source gave it.
	URL string
	// Title, Summary and Body are plain text. Body is empty unless the
	// item's page was fetched (listing pages, or fulltext feeds), or the
	// source is a Telegram channel, whose posts' text is on its page.
	Title   string
	Summary string
	Body    string
	// Lang is the language the source declared, if any (e.g. "ru").
	Lang string
	// Published is the time the source gives for the item. When the
	// source gave none that could be read, it is the time the item was
	// first seen and DateGuessed is true.
	Published   time.Time
	DateGuessed bool
}

// Key returns the item's stable identity within its source: a hex SHA-256
// of the source name and, in order of preference, the GUID, the normalised
// link, or the title and text. The same item fetched twice has the same
// key even if the feed reorders its query parameters or adds tracking ones.
func (it Item) Key() string {
	return Key(it.Source, it.GUID, it.URL, it.Title+"\n"+it.Summary)
}

// Key computes the identity described on Item.Key from its parts.
func Key(source, guid, link, content string) string {
	h := sha256.New()
	h.Write([]byte(source))
	h.Write([]byte{0})
	switch {
	case strings.TrimSpace(guid) != "":
		h.Write([]byte("g:"))
		h.Write([]byte(strings.TrimSpace(guid)))
	case strings.TrimSpace(link) != "":
		h.Write([]byte("u:"))
		h.Write([]byte(NormalizeURL(link)))
	default:
		h.Write([]byte("c:"))
		h.Write([]byte(strings.Join(strings.Fields(content), " ")))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// trackingParams are query parameters that identify a campaign, not a page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "yclid": true, "dclid": true, "msclkid": true,
	"mc_cid": true, "mc_eid": true, "_openstat": true, "from": true, "ref": true,
	"utm_source": true, "utm_medium": true, "utm_campaign": true,
	"utm_term": true, "utm_content": true, "utm_referrer": true,
}

// NormalizeURL returns link in a canonical form for identity: lower-case
// scheme and host, no fragment, no default port, tracking parameters
// removed and the rest sorted. A link that does not parse is returned
// trimmed, unchanged.
func NormalizeURL(link string) string {
	link = strings.TrimSpace(link)
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return link
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "http" && strings.HasSuffix(u.Host, ":80")) ||
		(u.Scheme == "https" && strings.HasSuffix(u.Host, ":443")) {
		u.Host = u.Host[:strings.LastIndexByte(u.Host, ':')]
	}
	u.Fragment = ""
	u.RawFragment = ""
	q := u.Query()
	for k := range q {
		if trackingParams[strings.ToLower(k)] || strings.HasPrefix(strings.ToLower(k), "utm_") {
			q.Del(k)
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for j, v := range vs {
			if i > 0 || j > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	u.RawQuery = b.String()
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}
