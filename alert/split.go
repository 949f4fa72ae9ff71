package alert

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// line is one unit of a chat message that is never cut: the message's
// heading, a topic's heading, one item, or "and N more". text is in the
// service's markup; html, for Matrix only, is the same line as HTML.
type line struct {
	text, html string
}

// part is one message of a digest: its lines joined.
type part struct {
	text, html string
	lines      []line
}

// format is how one chat service renders and bounds a message.
type format struct {
	// limit bounds one message as size measures it; lineLimit bounds one
	// line (a Slack section block), 0 meaning limit; maxLines bounds the
	// lines of a message (Slack's blocks), 0 meaning no bound.
	limit, lineLimit, maxLines int
	size                       func(l line) int
	// sep joins lines; its size is counted once per line.
	sep     line
	heading func(title string, i, n int) line
	topic   func(title string, count int, continued bool) line
	item    func(e entryView) line
	more    func(n int) line
}

// Sizes as the services count them.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// utf16Len counts UTF-16 units without building them: one per rune, two
// for those beyond the Basic Multilingual Plane (emoji).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
func byteLen(s string) int { return len(s) }

// split cuts d into messages that each fit the format: whole lines only,
// so a link is never cut; a topic that runs on into the next message is
// headed again there, marked as continued; every message starts with a
// heading that says which part of how many it is. An item too long for
// any message is shortened (snippet dropped, then the title cut, then the
// link dropped), never split.
func (f format) split(d Digest) []part {
	v := newView(d)
	title := chatTitle(d)
	widest := f.size(f.heading(title, 99998, 99999)) + f.size(f.sep) // room for any "part i of n"
	var parts [][]line
	var cur []line
	used := widest
	flush := func() {
		if len(cur) > 0 {
			parts = append(parts, cur)
		}
		cur, used = nil, widest
	}
	fits := func(ls []line) bool {
		n := used
		for _, l := range ls {
			n += f.size(l) + f.size(f.sep)
		}
		return n <= f.limit && (f.maxLines == 0 || len(cur)+len(ls)+1 <= f.maxLines)
	}
	add := func(ls ...line) {
		for _, l := range ls {
			cur = append(cur, l)
			used += f.size(l) + f.size(f.sep)
		}
	}
	for _, t := range v.Topics {
		head := f.topic(t.Title, t.Count, false)
		cont := f.topic(t.Title, t.Count, true)
		room := f.limit - widest - f.size(cont) - 2*f.size(f.sep)
		if f.lineLimit > 0 {
			room = min(room, f.lineLimit)
		}
		first := true
		for _, l := range f.lines(t, room) {
			group := []line{l}
			if first {
				group = []line{head, l}
			}
			if !fits(group) {
				flush()
				if !first {
					group = []line{cont, l}
				}
			}
			add(group...)
			first = false
		}
	}
	// The sources named for their health, as a topic of their own: one
	// line each, never cut.
	for _, h := range []struct {
		title string
		items []entryView
	}{{"Sources failing", failingEntries(v.Failing)}, {"Sources recovered", recoveredEntries(v.Recovered)}} {
		for i, e := range h.items {
			group := []line{f.fit(e, f.limit-widest-2*f.size(f.sep))}
			if i == 0 {
				group = append([]line{f.topic(h.title, len(h.items), false)}, group...)
			}
			if !fits(group) {
				flush()
			}
			add(group...)
		}
	}
	flush()
	if len(parts) == 0 {
		parts = [][]line{nil}
	}
	out := make([]part, len(parts))
	for i, ls := range parts {
		out[i] = f.join(append([]line{f.heading(title, i, len(parts))}, ls...))
	}
	return out
}

// lines renders a topic's items, each within room, then "and N more".
func (f format) lines(t topicView, room int) []line {
	var out []line
	for _, e := range t.Items {
		out = append(out, f.fit(withAlso(e), room))
	}
	if t.More > 0 {
		out = append(out, f.more(t.More))
	}
	return out
}

// shortTitle is how many runes of a title an item too long for a message
// keeps.
const shortTitle = 80

// fit renders e within room, shortening it step by step when it is too
// long: without the snippet, with the title cut, without the link (a
// link cannot be shortened without breaking it).
func (f format) fit(e entryView, room int) line {
	steps := []func(*entryView){
		func(*entryView) {},
		func(e *entryView) { e.Snippet = "" },
		func(e *entryView) { e.Title = truncate(e.Title, shortTitle); e.Meta = truncate(e.Meta, shortTitle) },
		func(e *entryView) { e.Link, e.URL = "", "" },
	}
	var l line
	for _, step := range steps {
		step(&e)
		if l = f.item(e); f.size(l) <= room {
			return l
		}
	}
	return l
}

// join makes one message of lines.
func (f format) join(ls []line) part {
	var t, h strings.Builder
	for i, l := range ls {
		if i > 0 {
			t.WriteString(f.sep.text)
			h.WriteString(f.sep.html)
		}
		t.WriteString(l.text)
		h.WriteString(l.html)
	}
	return part{text: t.String(), html: h.String(), lines: ls}
}

// chatTitle is a chat message's heading before its part: "watcher: N
// new", or "watcher (1 of 3): N new" for a digest of a series.
func chatTitle(d Digest) string {
	return d.Series.prefix() + ": " + strconv.Itoa(d.Count()) + " new"
}

// headingText is the title, and which part this is of how many.
func headingText(title string, i, n int) string {
	return title + partLabel(i, n)
}

// moreText is the line that stands for a topic's items past the cap.
func moreText(n int) string { return "… and " + strconv.Itoa(n) + " more" }

// countText is a topic heading's "(N)".
func countText(title string, count int, continued bool) string {
	s := title + " (" + strconv.Itoa(count) + ")"
	if continued {
		s += ", continued"
	}
	return s
}

// withAlso adds the other reports of e's story, or the story it adds to,
// to its snippet: a chat message has no room for their links, and the
// snippet is what goes first when an item is too long.
func withAlso(e entryView) entryView {
	var names []string
	for _, a := range e.Also {
		source, _, _ := strings.Cut(a.Meta, " · ")
		names = append(names, source)
	}
	// A later report of a story sent before may have other reports of its
	// own: both notes then go in.
	var notes []string
	if e.Earlier != nil {
		notes = append(notes, "adds to a story sent earlier: "+e.Earlier.Title)
	}
	if len(names) > 0 {
		also := "also reported by " + strings.Join(names, ", ")
		if e.AlsoMore > 0 {
			also += " and " + strconv.Itoa(e.AlsoMore) + " more"
		}
		notes = append(notes, also)
	}
	if note := strings.Join(notes, "; "); note != "" {
		e.Snippet = strings.TrimSpace(e.Snippet + " (" + note + ")")
	}
	return e
}

// failingEntries and recoveredEntries render health reports as items
// without links.
func failingEntries(hs []healthView) []entryView {
	out := make([]entryView, len(hs))
	for i, h := range hs {
		out[i] = entryView{Title: h.Name, Meta: "failing since " + h.Since + ", next attempt " + h.NextAttempt, Snippet: h.Error}
	}
	return out
}

func recoveredEntries(hs []healthView) []entryView {
	out := make([]entryView, len(hs))
	for i, h := range hs {
		out[i] = entryView{Title: h.Name, Meta: "reads again after failing for " + h.FailedFor + " (since " + h.Since + ")"}
	}
	return out
}
