package crawl

import (
	"bytes"
	"slices"
)

// maxXMLDepth is the deepest element nesting kept from a feed. Real feeds
// nest a few levels (XHTML content in Atom perhaps a dozen more); gofeed
// parses extension elements recursively, building a node per element, so
// a feed nested hundreds of thousands deep would cost hundreds of
// megabytes before the parse even ended.
const maxXMLDepth = 256

// maxXMLText bounds one run of text, or one CDATA section, kept from a
// feed. The longest field the watcher keeps is a summary of 10,000
// characters; its HTML source, markup and all, fits with room to spare,
// while gofeed copies a text several times over (a title of megabytes
// would cost a hundred megabytes).
const maxXMLText = 1 << 20

// pruneXML returns body without what a feed reader never needs: every
// element nested deeper than maxDepth; every item or entry between the
// first keep and the last keep (gofeed would build all of them first:
// tens of thousands cost a hundred megabytes; the newest of a feed are at
// one of its ends); and the end of any text run or CDATA section longer
// than maxXMLText. It also returns how many items it dropped. Whatever is
// dropped goes whole, markup and text; the document around it is kept
// byte for byte, so a matching item beside a pathological one still
// arrives. A body with nothing to drop is returned as it is, without a
// copy. The body is the one toParseable made, in UTF-8.
func pruneXML(body []byte, maxDepth, keep int) ([]byte, int) {
	p := pruner{body: body}
	depth, items, skipFrom, skipBase := 0, 0, -1, 0
	itemDepth := -1 // where the first item opened; items are siblings
	itemStart := -1 // where the open item began
	// the last items after the first keep, at most keep of them
	tail := ring{spans: make([]span, 0, min(keep, 64))}
	droppedItems := 0
	for i := 0; i < len(body); {
		lt := bytes.IndexByte(body[i:], '<')
		if lt < 0 {
			break
		}
		start := i + lt
		end, delta := scanMarkup(body, start)
		if skipFrom < 0 {
			p.limitText(i, start)
			p.limitCDATA(start, end)
		}
		switch {
		case skipFrom >= 0:
			if delta < 0 && depth == skipBase+1 {
				p.drop(skipFrom, end) // the whole dropped element
				skipFrom = -1
			}
		case delta > 0 && depth >= maxDepth:
			skipFrom, skipBase = start, depth
		case delta > 0 && (depth == itemDepth || itemDepth < 0 && depth <= 2) && isItem(body[start+1:end]):
			itemDepth, itemStart = depth, start
			items++
		case delta < 0 && depth == itemDepth+1 && itemStart >= 0:
			if items > keep {
				// Not among the first keep; once keep more follow, not
				// among the last keep either.
				if first, full := tail.push(span{itemStart, end}, keep); full {
					p.drop(first.from, first.to)
					droppedItems++
				}
			}
			itemStart = -1
		}
		depth = max(depth+delta, 0)
		i = end
	}
	if skipFrom >= 0 { // unclosed to the end: gofeed reports the broken tail
		p.drop(skipFrom, len(body))
	}
	return p.result(), droppedItems
}

// span is a range of a body, body[from:to].
type span struct{ from, to int }

// ring holds the last spans pushed, in a buffer that grows to the limit
// and then is reused.
type ring struct {
	spans []span
	next  int // the oldest, once full
}

// push adds s; when limit spans are already held, the oldest makes room
// and is returned with full set.
func (r *ring) push(s span, limit int) (oldest span, full bool) {
	if len(r.spans) < limit {
		r.spans = append(r.spans, s)
		return span{}, false
	}
	if limit == 0 {
		return s, true
	}
	oldest, r.spans[r.next] = r.spans[r.next], s
	r.next = (r.next + 1) % limit
	return oldest, true
}

// pruner copies a body leaving out the ranges it is told to drop, which
// may overlap and come in any order (an item is dropped only once later
// items are seen, after the cuts inside it); it copies nothing when there
// is nothing to drop.
type pruner struct {
	body    []byte
	dropped []span
}

// drop leaves body[from:to] out. A range that follows the last one with
// only white space between is joined to it, so the hundred thousand items
// of an absurd feed cost one range, not one each.
func (p *pruner) drop(from, to int) {
	if n := len(p.dropped); n > 0 {
		last := &p.dropped[n-1]
		if from >= last.to && len(bytes.TrimSpace(p.body[last.to:from])) == 0 {
			last.to = to
			return
		}
	}
	p.dropped = append(p.dropped, span{from, to})
}

// limitText cuts the text body[from:to] to maxXMLText bytes.
func (p *pruner) limitText(from, to int) {
	if to-from > maxXMLText {
		p.drop(from+safeCut(p.body[from:to], maxXMLText), to)
	}
}

// limitCDATA cuts the content of a CDATA section body[start:end] to
// maxXMLText bytes, keeping its "]]>".
func (p *pruner) limitCDATA(start, end int) {
	const open, close = len("<![CDATA["), len("]]>")
	if end-start-open-close <= maxXMLText || !bytes.HasPrefix(p.body[start:], []byte("<![CDATA[")) ||
		!bytes.HasSuffix(p.body[:end], []byte("]]>")) {
		return
	}
	from := start + open
	p.drop(from+safeCut(p.body[from:end-close], maxXMLText), end-close)
}

func (p *pruner) result() []byte {
	if len(p.dropped) == 0 {
		return p.body
	}
	slices.SortFunc(p.dropped, func(a, b span) int { return a.from - b.from })
	merged := p.dropped[:1] // in place: merged never passes the range read
	for _, d := range p.dropped[1:] {
		if last := &merged[len(merged)-1]; d.from <= last.to {
			last.to = max(last.to, d.to)
		} else {
			merged = append(merged, d)
		}
	}
	size := len(p.body)
	for _, d := range merged {
		size -= d.to - d.from
	}
	out := make([]byte, 0, size)
	keepFrom := 0
	for _, d := range merged {
		out = append(out, p.body[keepFrom:d.from]...)
		keepFrom = d.to
	}
	return append(out, p.body[keepFrom:]...)
}

// safeCut returns a length of at most n at which text may be cut: not
// inside a UTF-8 character, nor inside an entity reference such as &amp;.
func safeCut(text []byte, n int) int {
	k := n
	for k > n-4 && k > 0 && text[k]&0xC0 == 0x80 {
		k--
	}
	tail := text[max(k-16, 0):k]
	if amp := bytes.LastIndexByte(tail, '&'); amp >= 0 && bytes.IndexByte(tail[amp:], ';') < 0 {
		k -= len(tail) - amp
	}
	return k
}

// isItem reports a start tag (without its '<') of an RSS item or an Atom
// entry, whatever its namespace prefix.
func isItem(tag []byte) bool {
	name := tag
	if k := bytes.IndexAny(tag, " \t\r\n/>"); k >= 0 {
		name = tag[:k]
	}
	if k := bytes.LastIndexByte(name, ':'); k >= 0 {
		name = name[k+1:]
	}
	return string(name) == "item" || string(name) == "entry"
}
