package crawl

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/watcher-news/watcher/item"
)

// Most of a cycle's CPU is gofeed building items (encoding/xml decodes
// every character of every summary). Much of it is for items the watcher
// throws away at once: in a feed that changed, the items it has seen
// before (48 of 50 when two stories were added); on a source's first read,
// which records what is there without alerting, the summaries and texts of
// every item. leanXML removes that work before gofeed runs: it leaves out
// the items whose identity is known, and on a first read the text of the
// rest, when it can tell each item's identity from the raw XML exactly as
// item.Key will compute it from what gofeed builds. When it cannot, for any
// item of the feed, it leaves the feed whole: the saving is never bought
// with a wrong identity.

// leanMaxID bounds an identity read from the raw XML: well under maxTitle,
// the cut convertItem applies to a GUID, so the raw text is what the key
// hashes.
const leanMaxID = 200

// leanID is what a first read keeps of an item whose identity the raw
// feed gave with certainty: its GUID, or else its one absolute link.
type leanID struct{ guid, link string }

// leanXML returns body with the items left out that known (when not nil)
// reports seen, asked once for all the feed's keys, and, with keysOnly, the summary and content of the others, with the
// keys of the items left out. source is the name the keys are made with.
//
// needDates keeps the items' dates on a first read: the feed was longer
// than max items (pruneXML cut it), or is. A first read that needs no
// dates leaves out the unseen items too, whole, and returns their
// identities instead (ids, in the feed's order): gofeed then reads only
// the feed's own elements (its language, and whether it is a feed at
// all), not fifty items reduced to their GUIDs, which was still the
// largest part of a first read's CPU.
func leanXML(body []byte, source string, keysOnly bool, known func(keys []string) map[string]bool, maxItems int, needDates bool) (out []byte, skipped []string, ids []leanID) {
	if !keysOnly && known == nil {
		return body, nil, nil
	}
	sb := scanPool.Get().(*scanBuffers)
	defer putScanBuffers(sb)
	items, parts, ok := scanItems(body, sb)
	if !ok || len(items) == 0 {
		return body, nil, nil
	}
	needDates = needDates || len(items) > maxItems
	byID := keysOnly && !needDates
	seenID := make(map[leanID]bool, len(items))
	for _, it := range items {
		id := leanID{guid: it.guid, link: it.link}
		if !it.identified || seenID[id] {
			return body, nil, nil // an item without a safe identity, or a repeat: distrustSharedGUIDs decides
		}
		seenID[id] = true
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = item.Key(source, it.guid, it.link, "")
	}
	var seen map[string]bool
	if known != nil {
		seen = known(keys)
	}
	p := pruner{body: body}
	if byID {
		ids = make([]leanID, 0, len(items))
	}
	for i, it := range items {
		key := keys[i]
		if seen[key] {
			p.drop(it.span.from, it.span.to)
			skipped = append(skipped, key)
			continue
		}
		if byID {
			p.drop(it.span.from, it.span.to)
			ids = append(ids, leanID{guid: it.guid, link: it.link})
			continue
		}
		if keysOnly {
			for _, part := range parts[it.parts.from:it.parts.to] {
				if part.kind == partText || part.kind == partLink && it.guid != "" || part.kind == partDate && !needDates {
					p.drop(part.span.from, part.span.to)
				}
			}
		}
	}
	return p.result(), skipped, ids
}

// scannedItem is what scanItems reads of one item or entry.
type scannedItem struct {
	span span
	// guid is the text of its <guid> (RSS) or <id> (Atom); link the text
	// of its one <link> (RSS and RDF, when it has no GUID). identified:
	// one of them is what the key is made of; neither is set when neither
	// is safe to read raw.
	guid, link string
	identified bool
	// parts are the item's child elements other than its GUID, as a
	// range of the feed's parts (see itemPart).
	parts span
	// linkText is the text of its last core <link>, links how many it has;
	// attrLink: it has a link that is not the text of an RSS <link>.
	linkText span
	links    int
	attrLink bool
}

// itemPart is a child element of an item: text (title, summary,
// content, categories, authors …), a link or a date. A first read needs
// only what the key is made of, and the dates when the feed is longer
// than max_items. The parts of all items are kept in one slice.
type itemPart struct {
	span span
	kind partKind
}

type partKind uint8

const (
	partText partKind = iota
	partLink
	partDate
)

// dateElement names the child elements of an item that hold its dates,
// by which a feed longer than max_items keeps its newest.
var dateElement = map[string]bool{
	"pubdate": true, "published": true, "updated": true, "modified": true,
	"issued": true, "created": true, "date": true,
}

// scanNames are the names scanItems acts on, lower-case, each mapped to
// itself, so that scanName returns them without allocating.
var scanNames = func() map[string]string {
	m := map[string]string{"item": "item", "entry": "entry", "guid": "guid", "id": "id", "link": "link"}
	for n := range dateElement {
		m[n] = n
	}
	return m
}()

// scanItems reads the items of a pruned, UTF-8 XML feed, with the child
// elements of all of them in parts. ok is false when the feed's shape is
// one it does not read (items nested in each other, markup it cannot
// follow).
//
// It runs on every changed feed, so it allocates little: the open
// elements are slices of body, and names are matched without copies.
func scanItems(body []byte, sb *scanBuffers) (items []scannedItem, parts []itemPart, ok bool) {
	if !knownDefaultNamespaces(body) {
		return sb.items[:0], sb.parts[:0], false
	}
	depth, itemDepth := 0, -1
	var cur *scannedItem
	childStart, childName := -1, ""
	baseKnown, hasBase := false, false // whether the feed mentions an xml:base (looked for once)
	items, parts, stack := sb.items[:0], sb.parts[:0], sb.stack[:0]
	defer func() { sb.items, sb.parts, sb.stack = items, parts, stack }()
	addPart := func(from, to int, kind partKind) {
		parts = append(parts, itemPart{span{from, to}, kind})
		cur.parts.to = len(parts)
	}
	for i := 0; i < len(body); {
		lt := bytes.IndexByte(body[i:], '<')
		if lt < 0 {
			break
		}
		start := i + lt
		end, delta := scanMarkup(body, start)
		// Elements must nest properly: of a malformed feed gofeed's
		// lenient parse may see other items than this scan.
		switch {
		case delta > 0:
			stack = append(stack, tagName(body[start+1:]))
		case delta < 0:
			if len(stack) == 0 || !bytes.Equal(stack[len(stack)-1], tagName(body[start+2:])) {
				return items, parts, false
			}
			stack = stack[:len(stack)-1]
		}
		switch {
		case cur == nil && delta > 0 && (depth == itemDepth || itemDepth < 0 && depth <= 2) && isItem(body[start+1:end]):
			itemDepth = depth
			items = append(items, scannedItem{span: span{from: start}, parts: span{len(parts), len(parts)}})
			cur = &items[len(items)-1]
		case cur != nil && depth == itemDepth+1 && delta > 0:
			childStart, childName = start, scanName(body[start+1:end])
			if childName == "item" || childName == "entry" {
				return items, parts, false
			}
		case cur != nil && depth == itemDepth+1 && delta == 0 && end > start+1 && nameStart(body[start+1]):
			// An empty child element: an empty <guid/> or <id/> is no
			// GUID; an empty <link/> (Atom's <link href>) is a link read
			// from attributes, which only a GUID can stand in for.
			switch n := scanName(body[start+1 : end]); {
			case n == "link":
				cur.attrLink = true
				addPart(start, end, partLink)
			case dateElement[n]:
				addPart(start, end, partDate)
			case n != "guid" && n != "id":
				addPart(start, end, partText)
			}
		case cur != nil && depth == itemDepth+2 && delta < 0 && childStart >= 0:
			textFrom := childStartEnd(body, childStart)
			text := body[textFrom:start]
			// Only unprefixed guid, id and link are the core elements
			// gofeed reads them from; another namespace's are extensions.
			core := bytes.IndexByte(tagName(body[childStart+1:]), ':') < 0
			switch {
			case core && childName == "guid" && isItemOf(body, cur.span.from, "item"):
				cur.guid = rawID(text)
				if cur.guid == "" && len(bytes.TrimSpace(text)) > 0 {
					cur.guid = "\x00" // present but not safe to read raw
				}
			case core && childName == "id" && isItemOf(body, cur.span.from, "entry"):
				if !baseKnown {
					baseKnown, hasBase = true, bytes.Contains(body, []byte(":base"))
				}
				cur.guid = atomID(body[childStart:textFrom], text, hasBase)
			case core && childName == "link":
				cur.links++
				cur.linkText = span{textFrom, start}
				addPart(childStart, end, partLink)
			case childName == "link":
				cur.attrLink = true // some other namespace's link: leave it to gofeed
				addPart(childStart, end, partLink)
			case dateElement[childName]:
				addPart(childStart, end, partDate)
			case childName != "guid" && childName != "id":
				addPart(childStart, end, partText)
			}
			childStart = -1
		case cur != nil && depth == itemDepth+1 && delta < 0:
			cur.span.to = end
			identify(cur, body)
			cur = nil
		}
		depth = max(depth+delta, 0)
		i = end
	}
	if cur != nil || len(stack) != 0 {
		return items, parts, false // unclosed
	}
	return items, parts, true
}

// scanBuffers are the slices scanItems fills, kept from feed to feed:
// grown anew for every changed feed they were a fifth of the bytes a
// cycle's parsing allocated.
type scanBuffers struct {
	items []scannedItem
	parts []itemPart
	stack [][]byte
}

var scanPool = sync.Pool{New: func() any { return new(scanBuffers) }}

// defaultNamespaces are the default namespaces (xmlns="...") in whose
// scope gofeed reads the elements this scan looks for as it does: Atom's,
// RSS 1.0's, and XHTML's (an Atom entry's xhtml content).
var defaultNamespaces = [][]byte{
	[]byte(`"http://www.w3.org/2005/Atom"`), []byte(`'http://www.w3.org/2005/Atom'`),
	[]byte(`"http://purl.org/rss/1.0/"`), []byte(`'http://purl.org/rss/1.0/'`),
	[]byte(`"http://www.w3.org/1999/xhtml"`), []byte(`'http://www.w3.org/1999/xhtml'`),
}

// knownDefaultNamespaces reports whether every default namespace the body
// declares is one of defaultNamespaces. Under another, or a declaration
// without a value (`<feed xmlns>`, which gofeed's lenient parse reads as
// a namespace of its own), gofeed reads the feed's entries as elements
// of another vocabulary and finds none: such a feed is parsed whole.
// "xmlns" in an item's text only costs that feed the whole parse.
func knownDefaultNamespaces(body []byte) bool {
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte("xmlns"))
		if j < 0 {
			return true
		}
		i += j + len("xmlns")
		if i < len(body) && body[i] == ':' {
			continue // a prefix: gofeed reads prefixed elements by their prefix
		}
		if i >= len(body) || body[i] != '=' || !slices.ContainsFunc(defaultNamespaces, func(ns []byte) bool { return bytes.HasPrefix(body[i+1:], ns) }) {
			return false
		}
	}
}

// putScanBuffers returns buffers to the pool, unless one absurd feed grew
// them past what a feed of a few hundred items needs.
func putScanBuffers(sb *scanBuffers) {
	if cap(sb.items) > 4096 || cap(sb.parts) > 32768 || cap(sb.stack) > 1024 {
		return
	}
	clear(sb.items[:cap(sb.items)]) // let go of the identities read
	clear(sb.stack[:cap(sb.stack)]) // and of the body
	scanPool.Put(sb)
}

// identify sets the identity item.Key will use: the GUID when there is
// one, else the one link when it is absolute and plain; neither when
// neither can be read from the raw XML with certainty.
func identify(it *scannedItem, body []byte) {
	it.link = ""
	switch {
	case it.guid == "\x00":
		it.guid = ""
	case it.guid != "":
		it.identified = true
	case it.links == 1 && !it.attrLink:
		if raw := rawID(body[it.linkText.from:it.linkText.to]); raw != "" {
			if abs, ok := linkIdentity(raw); ok {
				it.link, it.identified = abs, true
			}
		}
	}
}

// atomID is the GUID gofeed makes of an Atom entry's <id> (tag is its
// start tag, text its content): the text trimmed and, as a URI element,
// round-tripped through url.Parse (or resolved against an xml:base), so
// that `"0` reads as "%220". "\x00" when that cannot be told for certain:
// an xml:base may be in scope (hasBase: the feed mentions one anywhere;
// under a base even an empty id becomes the base's URL), the tag has
// attributes (a type or mode decodes the text), or the text is not
// plain; "" for an empty id.
func atomID(tag, text []byte, hasBase bool) string {
	name := tagName(tag[1:])
	attrs := bytes.Trim(tag[1+len(name):], " \t\r\n/>")
	if hasBase || len(attrs) > 0 {
		return "\x00"
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return ""
	}
	id := rawID(text)
	if id == "" {
		return "\x00"
	}
	if u, err := url.Parse(id); err == nil {
		id = strings.TrimSpace(u.String())
	}
	if id == "" || len(id) > leanMaxID {
		return "\x00"
	}
	return id
}

// rawID returns text trimmed when it is what gofeed will read from it:
// no markup, CDATA or entity reference to decode, short, one line;
// otherwise "".
func rawID(text []byte) string {
	t := bytes.TrimSpace(text)
	if len(t) == 0 || len(t) > leanMaxID || bytes.ContainsAny(t, "<&\r\n\t") {
		return ""
	}
	return string(t)
}

// linkIdentity returns the URL itemLink makes of link when it makes it
// without the feed's base (an absolute link without dot segments), so
// that the raw link gives the key the parsed item will have; ok is false
// otherwise.
func linkIdentity(link string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || u.Scheme == "" || strings.Contains(u.EscapedPath(), "/.") {
		return "", false
	}
	abs := absolute(nil, link)
	return abs, abs != ""
}

// childStartEnd returns the offset just past the start tag at start.
func childStartEnd(body []byte, start int) int {
	end, _ := scanMarkup(body, start)
	return end
}

// isItemOf reports whether the start tag at from is an element named name
// (whatever its prefix), name being one of scanNames.
func isItemOf(body []byte, from int, name string) bool {
	end, _ := scanMarkup(body, from)
	return scanName(body[from+1:end]) == name
}

// tagName returns the qualified name at the start of a tag (after its '<').
func tagName(tag []byte) []byte {
	for k, c := range tag {
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>' {
			return tag[:k]
		}
	}
	return tag
}

// scanName returns the name of a tag (without its '<' or '/'), without
// its namespace prefix and in lower case, when it is one of scanNames;
// otherwise "". gofeed's RSS parser reads element names in any case
// (<GUID>).
func scanName(tag []byte) string {
	name := tagName(bytes.TrimPrefix(tag, []byte("/")))
	if k := bytes.LastIndexByte(name, ':'); k >= 0 {
		name = name[k+1:]
	}
	var buf [16]byte
	if len(name) > len(buf) {
		return "" // longer than any of the names
	}
	low := buf[:len(name)]
	for i, c := range name {
		if c >= 0x80 {
			// Unicode case rules: the Kelvin sign lowers to a 'k'.
			return scanNames[string(bytes.ToLower(name))]
		}
		low[i] = lowerASCII(c)
	}
	return scanNames[string(low)]
}

// jsonItemKey is what leanJSON reads of a JSON Feed item: its identity
// and dates, kept raw so that a first read's item is rebuilt from them.
type jsonItemKey struct {
	ID            json.RawMessage `json:"id,omitempty"`
	URL           json.RawMessage `json:"url,omitempty"`
	DatePublished json.RawMessage `json:"date_published,omitempty"`
	DateModified  json.RawMessage `json:"date_modified,omitempty"`
}

// leanJSON is leanXML for a JSON Feed: the items whose keys known reports
// are left out, and with keysOnly the others are cut to their identity and
// dates. It decodes with encoding/json, as gofeed does, so an id reads the
// same to both; a feed whose every item it cannot identify is left whole.
func leanJSON(body []byte, source string, keysOnly bool, known func(keys []string) map[string]bool, maxItems int) (out []byte, skipped []string, ids []leanID) {
	if !keysOnly && known == nil {
		return body, nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return body, nil, nil
	}
	type element struct {
		from, to int
		key      string
		item     jsonItemKey
	}
	var elems []element
	arrayFrom, arrayTo, found := 0, 0, false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return body, nil, nil
		}
		if name, _ := tok.(string); name != "items" || found {
			if err := skipJSONValue(dec); err != nil {
				return body, nil, nil
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return body, nil, nil
		}
		found = true
		arrayFrom = int(dec.InputOffset())
		ids := map[string]bool{}
		for dec.More() {
			from := int(dec.InputOffset())
			var it jsonItemKey
			if err := dec.Decode(&it); err != nil {
				return body, nil, nil
			}
			guid, link, ok := jsonIdentity(it)
			id := "g:" + guid
			if guid == "" {
				id = "u:" + link
			}
			if !ok || ids[id] {
				return body, nil, nil
			}
			ids[id] = true
			elems = append(elems, element{from: from, to: int(dec.InputOffset()), key: item.Key(source, guid, link, ""), item: it})
		}
		arrayTo = int(dec.InputOffset())
		if _, err := dec.Token(); err != nil { // the closing ']'
			return body, nil, nil
		}
	}
	if !found || len(elems) == 0 {
		return body, nil, nil
	}
	var seen map[string]bool
	if known != nil {
		keys := make([]string, len(elems))
		for i, e := range elems {
			keys[i] = e.key
		}
		seen = known(keys)
	}
	// As in leanXML, a first read that needs no dates keeps only the
	// identities, and gofeed reads the feed without its items.
	byID := keysOnly && len(elems) <= maxItems
	if byID {
		ids = make([]leanID, 0, len(elems))
	}
	// The output is sized for what is kept: most of a changed feed's
	// items are seen, and a first read keeps none.
	size := arrayFrom + len(body) - arrayTo
	for _, e := range elems {
		switch {
		case seen[e.key] || byID:
		case keysOnly:
			size += len(e.item.ID) + len(e.item.URL) + len(e.item.DatePublished) + len(e.item.DateModified) + 64
		default:
			size += e.to - e.from
		}
	}
	var buf bytes.Buffer
	buf.Grow(size)
	buf.Write(body[:arrayFrom])
	first := true
	for _, e := range elems {
		if seen[e.key] {
			skipped = append(skipped, e.key)
			continue
		}
		if byID {
			guid, link, _ := jsonIdentity(e.item)
			ids = append(ids, leanID{guid: guid, link: link})
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		if keysOnly {
			min := jsonItemKey{ID: e.item.ID}
			if guid, _, _ := jsonIdentity(e.item); guid == "" {
				min = jsonItemKey{URL: e.item.URL}
			}
			if len(elems) > maxItems {
				min.DatePublished, min.DateModified = e.item.DatePublished, e.item.DateModified
			}
			b, err := json.Marshal(min)
			if err != nil {
				return body, nil, nil
			}
			buf.Write(b)
			continue
		}
		// The element as it was, without the comma that led it.
		buf.Write(bytes.TrimLeft(body[e.from:e.to], " \t\r\n,"))
	}
	buf.Write(body[arrayTo:])
	return buf.Bytes(), skipped, ids
}

// jsonIdentity returns the GUID or link item.Key will be made of, as
// gofeed reads them (an id that is a string or a number; else the url),
// and whether it can be read with certainty.
func jsonIdentity(it jsonItemKey) (guid, link string, ok bool) {
	if len(it.ID) > 0 && string(it.ID) != "null" {
		var s string
		if err := json.Unmarshal(it.ID, &s); err != nil {
			var n json.Number
			if err := json.Unmarshal(it.ID, &n); err != nil {
				return "", "", false
			}
			s = n.String()
		}
		s = strings.TrimSpace(s)
		if s != "" {
			return s, "", len(s) <= leanMaxID && utf8.ValidString(s)
		}
	}
	if len(it.URL) == 0 {
		return "", "", false
	}
	var u string
	if err := json.Unmarshal(it.URL, &u); err != nil {
		return "", "", false
	}
	abs, ok := linkIdentity(strings.ToValidUTF8(u, ""))
	return "", abs, ok
}

// skipJSONValue reads past the next value of dec, whatever it is.
func skipJSONValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
