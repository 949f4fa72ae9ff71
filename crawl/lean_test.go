package crawl

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/item"
)

// leanSeeds are feeds whose items leanXML and leanJSON must identify
// exactly as the full parse does, or leave alone: the fixtures and the
// shapes that trip a raw reading (no GUID, relative links, upper-case
// names, entities, CDATA, shared GUIDs, Atom links, numeric JSON ids).
func leanSeeds(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	for _, name := range []string{"rss2.xml", "atom.xml", "rss1.rdf", "feed.json", "rss-localdates.xml", "rss-ru.utf8.xml", "rss-koi8r.utf8.xml"} {
		seeds[name] = fixture(t, name)
	}
	rss := func(items string) []byte {
		return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://site.example/</link>` + items + `</channel></rss>`)
	}
	seeds["guids"] = rss(`<item><title>A</title><guid>g-1</guid><description>one &amp; two</description><category>x</category><pubDate>Tue, 01 Jul 2025 09:30:00 +0400</pubDate></item>
<item><title>B</title><guid isPermaLink="true">https://site.example/b</guid><description><![CDATA[<p>b</p>]]></description></item>`)
	seeds["links only"] = rss(`<item><title>A</title><link>https://site.example/a?x=1</link></item><item><title>B</title><link>https://site.example/b</link></item>`)
	seeds["relative link"] = rss(`<item><title>A</title><link>/a</link></item><item><title>B</title><link>https://site.example/b</link></item>`)
	seeds["dot segments"] = rss(`<item><title>A</title><link>https://site.example/x/../a</link></item>`)
	seeds["upper-case guid"] = rss(`<item><title>A</title><GUID>G-1</GUID><link>https://site.example/a</link></item>`)
	seeds["entity in guid"] = rss(`<item><title>A</title><guid>a&amp;b</guid></item><item><guid>c</guid></item>`)
	seeds["cdata guid"] = rss(`<item><title>A</title><guid><![CDATA[g-1]]></guid></item>`)
	seeds["shared guid"] = rss(`<item><guid>same</guid><link>https://site.example/a</link></item><item><guid>same</guid><link>https://site.example/b</link></item>`)
	seeds["empty guid"] = rss(`<item><guid></guid><link>https://site.example/a</link></item><item><guid/><link>https://site.example/b</link></item>`)
	seeds["two links"] = rss(`<item><link>https://site.example/a</link><link>https://site.example/b</link></item>`)
	seeds["atom link in rss"] = rss(`<item xmlns:atom="http://www.w3.org/2005/Atom"><atom:link href="https://site.example/a"/><title>A</title></item>`)
	// encoding/xml ends a directive at the first unquoted '>' that closes
	// the '<'s opened inside it, not at a bracket: here gofeed reads the
	// "</p>" as closing the description, and then no more items.
	seeds["directive in a summary"] = rss(`<item><guid>1</guid><description><!A[>""</p>]></description></item><item><guid>2</guid></item>`)
	seeds["doctype with a subset"] = []byte(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "a>b"><!-- > -->]><rss version="2.0"><channel><item><guid>1</guid><title>&x;</title></item><item><guid>2</guid></item></channel></rss>`)
	seeds["no identity"] = rss(`<item><title>A</title><description>only text</description></item><item><guid>g</guid></item>`)
	seeds["atom"] = []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><id>urn:x:1</id><title type="html">A &amp;lt;b&amp;gt;</title><link href="/a"/><updated>2025-07-01T10:00:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content></entry>
<entry><id>urn:x:2</id><title>B</title><link rel="alternate" href="https://site.example/b"/><summary>s</summary></entry></feed>`)
	// gofeed reads an Atom id as a URI: round-tripped through url.Parse,
	// resolved against an xml:base (an empty one becomes the base).
	seeds["atom ids as URIs"] = []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>"0</id></entry><entry><id>tag:x,2025:a b</id></entry><entry><id>https://site.example/a/../b</id></entry></feed>`)
	seeds["atom xml:base"] = []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://site.example/news/"><entry><id>1</id></entry><entry><id>https://site.example/x</id></entry></feed>`)
	seeds["atom xml:base, empty id"] = []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry xml:base="https://site.example/a"><id> </id></entry></feed>`)
	seeds["atom typed id"] = []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id type="application/octet-stream">dGVzdA==</id></entry></feed>`)
	// gofeed reads entries under another default namespace, or under a
	// declaration without a value, as another vocabulary's: no items.
	seeds["atom valueless default namespace"] = []byte(`<feed xmlns><entry><id>0</id></entry></feed>`)
	seeds["atom other default namespace"] = []byte(`<feed xmlns="urn:other"><entry><id>0</id></entry></feed>`)
	seeds["atom no id"] = []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title><link href="https://site.example/a"/></entry></feed>`)
	seeds["json"] = []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","url":"https://site.example/a","title":"A","content_html":"<p>x</p>","date_published":"2025-07-01T10:00:00Z"},{"id":2,"title":"B","summary":"s"},{"url":"https://site.example/c","title":"C"}]}`)
	seeds["json shared id"] = []byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","url":"https://site.example/a"},{"id":"1","url":"https://site.example/b"}]}`)
	seeds["json odd id"] = []byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":true,"url":"https://site.example/a"},{"id":"2"}]}`)
	var many strings.Builder
	for i := range 30 {
		fmt.Fprintf(&many, "<item><title>Story %d</title><guid>s-%d</guid><pubDate>%s</pubDate><description>text %d</description></item>", i, i,
			time.Date(2025, 7, 1, 0, i, 0, 0, time.UTC).Format(time.RFC1123Z), i)
	}
	seeds["longer than max"] = rss(many.String())
	return seeds
}

// keysOf parses body as the full parse does and as the lean one does with
// the given options, and returns the keys of the items of each (and the
// keys the lean one left out).
func keysOf(t testing.TB, body []byte, maxItems int, lean leanOptions) (full, kept, skipped []string, err error) {
	base, _ := url.Parse("https://feeds.example.org/rss")
	now := time.Date(2025, 7, 5, 12, 0, 0, 0, time.UTC)
	pf, err := parseFeedAt(body, "", base, maxItems, now)
	if err != nil {
		return nil, nil, nil, err
	}
	pl, lerr := parseFeedLean(body, "", base, maxItems, now, lean)
	if lerr != nil {
		t.Fatalf("the full parse succeeds, the lean one fails: %v", lerr)
	}
	key := func(it item.Item) string { it.Source = lean.source; return it.Key() }
	for _, it := range pf.items {
		full = append(full, key(it))
	}
	for _, it := range pl.items {
		kept = append(kept, key(it))
	}
	return full, kept, pl.known, nil
}

// checkLean is the property the cycle relies on: a first read (keys only)
// finds the same keys as the full parse; a later read with some keys known
// returns the others, whole, and names the known ones it left out.
func checkLean(t testing.TB, body []byte, maxItems int) {
	full, kept, skipped, err := keysOf(t, body, maxItems, leanOptions{source: "s", keysOnly: true})
	if err != nil {
		return
	}
	if len(skipped) != 0 || !slices.Equal(sortedCopy(full), sortedCopy(kept)) {
		t.Fatalf("first read: keys %v, the full parse %v", kept, full)
	}
	// Every other key known.
	known := map[string]bool{}
	for i, k := range full {
		if i%2 == 0 {
			known[k] = true
		}
	}
	_, kept, skipped, _ = keysOf(t, body, maxItems, leanOptions{source: "s", known: func(keys []string) map[string]bool { return known }})
	for _, k := range kept {
		if known[k] && slices.Contains(skipped, k) {
			t.Fatalf("key %s both kept and left out", k)
		}
	}
	for _, k := range skipped {
		if !known[k] {
			t.Fatalf("left out %s, which is not known", k)
		}
	}
	var unknown []string
	for _, k := range full {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	for _, k := range unknown {
		if !slices.Contains(kept, k) {
			t.Fatalf("unknown item %s lost: kept %v, full %v", k, kept, full)
		}
	}
}

// all reports every key seen.
func all(keys []string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func sortedCopy(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func TestLeanKeepsIdentities(t *testing.T) {
	for name, body := range leanSeeds(t) {
		t.Run(name, func(t *testing.T) { checkLean(t, body, 500); checkLean(t, body, 10) })
	}
}

// TestLeanLeavesOut: on feeds it can read, the lean parse does leave the
// known items and a first read's text out (else it saves nothing).
func TestLeanLeavesOut(t *testing.T) {
	seeds := leanSeeds(t)
	for _, name := range []string{"guids", "links only", "atom", "json", "rss2.xml"} {
		body := seeds[name]
		full, kept, skipped, err := keysOf(t, body, 500, leanOptions{source: "s", known: all})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(kept) != 0 || len(skipped) != len(full) {
			t.Errorf("%s: with every item known, %d parsed and %d left out of %d", name, len(kept), len(skipped), len(full))
		}
		base, _ := url.Parse("https://feeds.example.org/rss")
		p, err := parseFeedLean(body, "", base, 500, fixedNow, leanOptions{source: "s", keysOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.items {
			if it.Summary != "" {
				t.Errorf("%s: a first read parsed the summary %q", name, it.Summary)
			}
		}
	}
	// And leaves alone what it cannot read raw.
	for _, name := range []string{"relative link", "entity in guid", "shared guid", "no identity", "atom no id", "json shared id", "json odd id"} {
		_, _, skipped, err := keysOf(t, seeds[name], 500, leanOptions{source: "s", known: all})
		if err == nil && len(skipped) != 0 {
			t.Errorf("%s: left out %d items it cannot identify raw", name, len(skipped))
		}
	}
}

func FuzzLean(f *testing.F) {
	for _, body := range leanSeeds(f) {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkLean(t, body, 20)
	})
}
