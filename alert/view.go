package alert

import (
	"strings"
	"time"
)

// MaxItemsPerTopic is how many items of a topic a message shows; the
// rest are counted ("and N more"). A cycle with more is sent as several
// digests rather than one whose rest its reader never sees.
const MaxItemsPerTopic = 100

// Bounds on what a rendered digest shows.
const (
	maxTitleRunes   = 300
	maxSnippetRunes = 400
	maxSubjectRunes = 200
	timeLayout      = "2006-01-02 15:04 UTC"
)

// view is a digest made ready for the text and HTML templates: sorted,
// cleaned, capped, with times formatted. Both renderings share it, so they
// always show the same items.
type view struct {
	ID, Created, Subject string
	// Series is "1 of 3" for a digest one of several one check sent the
	// sink, "" for a digest alone (see Digest.Series).
	Series string
	Count  int // items in every topic
	Topics []topicView
	// Failing and Recovered are the sources named for their health.
	Failing, Recovered []healthView
}

type topicView struct {
	ID    string
	Title string
	Count int // items in the topic, shown or not
	More  int // items past the cap, not shown
	Items []entryView
}

type entryView struct {
	Title, Meta, URL, Snippet string
	// Source and Published are the parts of Meta ("" when unknown).
	Source, Published string
	// Related explains a related item; empty for a match.
	Related string
	// Link is URL when it is safe to link (http or https), else empty.
	Link string
	// Also: the other reports of the story; Earlier: the story sent
	// before that this entry adds to.
	Also     []reportView
	AlsoMore int // other reports past maxAlsoShown, not listed
	Earlier  *reportView
}

// reportView is one other report of a story, ready to render.
type reportView struct {
	Title, Meta, URL, Link string
}

// maxAlsoShown bounds the reports listed under one entry.
const maxAlsoShown = 20

func newReportView(r Report) reportView {
	e := newEntryView(Entry{Title: r.Title, URL: r.URL, Source: r.Source, Published: r.Published})
	return reportView{Title: e.Title, Meta: e.Meta, URL: e.URL, Link: e.Link}
}

// newView builds the view of d. Topics without items are left out.
func newView(d Digest) view {
	d = d.Sorted()
	v := view{ID: clean(d.ID), Created: formatTime(d.Created), Subject: Subject(d), Series: d.Series.label(), Count: d.Count()}
	v.Failing, v.Recovered = healthViews(d)
	for _, t := range d.Topics {
		if len(t.Items) == 0 {
			continue
		}
		tv := topicView{ID: clean(t.ID), Title: clean(t.Title), Count: len(t.Items)}
		shown := t.Items[:min(len(t.Items), MaxItemsPerTopic)]
		tv.More = len(t.Items) - len(shown)
		for _, e := range shown {
			tv.Items = append(tv.Items, newEntryView(e))
		}
		v.Topics = append(v.Topics, tv)
	}
	return v
}

func newEntryView(e Entry) entryView {
	ev := entryView{
		Title:   truncate(clean(e.Title), maxTitleRunes),
		URL:     clean(e.URL),
		Snippet: truncate(clean(e.Snippet), maxSnippetRunes),
	}
	if ev.Title == "" {
		ev.Title = "(untitled)"
	}
	if linkable(ev.URL) {
		ev.Link = ev.URL
	}
	var meta []string
	ev.Source, ev.Published = clean(e.Source), formatTime(e.Published)
	if ev.Source != "" {
		meta = append(meta, ev.Source)
	}
	if ev.Published != "" {
		meta = append(meta, ev.Published)
	}
	ev.Meta = strings.Join(meta, " · ")
	for _, r := range e.Also[:min(len(e.Also), maxAlsoShown)] {
		ev.Also = append(ev.Also, newReportView(r))
	}
	ev.AlsoMore = len(e.Also) - len(ev.Also)
	if e.Earlier != nil {
		r := newReportView(*e.Earlier)
		ev.Earlier = &r
	}
	ev.Related = relatedText(e.Related)
	return ev
}

// formatTime formats t in UTC, or returns "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// relatedText says why a related item is in the digest, e.g.
// `related: shares Kartavykh, Belousov with "Court in Baku …" (APA)`.
func relatedText(r *Related) string {
	if r == nil {
		return ""
	}
	terms := make([]string, len(r.Terms))
	for i, t := range r.Terms {
		terms[i] = clean(t)
	}
	likes := make([]string, 0, len(r.Like))
	for _, l := range r.Like {
		s := "\u201c" + truncate(clean(l.Title), 120) + "\u201d"
		if src := clean(l.Source); src != "" {
			s += " (" + src + ")"
		}
		likes = append(likes, s)
	}
	return "related: shares " + strings.Join(terms, ", ") + " with " + strings.Join(likes, "; ")
}
