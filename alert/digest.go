// Package alert renders digests of newly matched items and delivers them
// to sinks: a webhook, an email address, or a plain writer.
//
// Everything in a digest comes from outside feeds and is untrusted: every
// rendering strips control and bidirectional-override characters, the HTML
// rendering escapes everything and links only http and https URLs.
//
// The package imports only the standard library and its protocol
// libraries; the cycle orchestrator turns matched items into a Digest.
package alert

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Digest is one message to send: the new items of each topic.
type Digest struct {
	// ID identifies the digest; the same digest retried keeps its ID, so
	// receivers can drop duplicates. It must be 1 to 128 characters of
	// ASCII letters, digits, '.', '_' or '-', with no leading, trailing
	// or doubled dot (the rules of a Message-ID).
	ID      string
	Created time.Time
	// Topics are in config order.
	Topics []Topic
	// SourcesFailing and SourcesRecovered name sources for their health
	// (see SourceHealth); a digest may carry only these.
	SourcesFailing   []SourceHealth `json:",omitempty"`
	SourcesRecovered []SourceHealth `json:",omitempty"`
	// Series, when Of is over 1, says which of the several digests one
	// check (or one gathering of a sink's schedule) sent the sink this is:
	// it had more matches than one message shows. The caller sets it for
	// the sink it sends to; it is not part of the stored digest.
	Series Series `json:"-"`
}

// Series places a digest among the Of digests one check sent a sink, N
// counted from 1. The zero Series, or Of 1, is a digest alone.
type Series struct{ N, Of int }

// label is "1 of 3", or "" for a digest alone.
func (s Series) label() string {
	if s.Of <= 1 {
		return ""
	}
	return strconv.Itoa(s.N) + " of " + strconv.Itoa(s.Of)
}

// prefix is what every subject and heading begins with: "watcher", and
// the digest's place in its series, "watcher (1 of 3)".
func (s Series) prefix() string {
	if l := s.label(); l != "" {
		return "watcher (" + l + ")"
	}
	return "watcher"
}

// Topic is a tracked topic and its new items, newest first.
type Topic struct {
	ID, Title string
	Items     []Entry
}

// Entry is one item in a digest.
type Entry struct {
	Title, URL, Source string
	Published          time.Time
	Snippet            string
	// Also lists the other reports of the same story, earliest first:
	// "also reported by".
	Also []Report `json:",omitempty"`
	// Earlier, when set, is the story an earlier digest sent that this
	// entry adds to: the entry is a later report of it, not a new story.
	Earlier *Report `json:",omitempty"`
	// EarlierSentTo names the sinks the story Earlier names was sent to.
	// The entry is an addition for them alone (see For); empty in a
	// digest stored before the sinks were recorded: an addition for all.
	EarlierSentTo []string `json:",omitempty"`
	// Related, when set, marks an item the topic's query did not match
	// but that resembles the topic's earlier matches, and says how.
	Related *Related `json:",omitempty"`
}

// Report names one report of a story: who ran it, where and under what
// headline.
type Report struct {
	Title, URL, Source string
	Published          time.Time
}

// Related explains a related item: the significant terms it shares with
// the topic's earlier matches, and those matches.
type Related struct {
	Terms []string
	Like  []Ref
}

// Ref is an earlier item a related one is like.
type Ref struct{ Title, URL, Source string }

// Count returns the number of items in all topics.
func (d Digest) Count() int {
	n := 0
	for _, t := range d.Topics {
		n += len(t.Items)
	}
	return n
}

// Sorted returns a copy of d whose topics keep their order and whose items
// are newest first, ties broken by URL then title. d is not modified.
func (d Digest) Sorted() Digest {
	out := d
	out.Topics = make([]Topic, len(d.Topics))
	for i, t := range d.Topics {
		t.Items = slices.Clone(t.Items)
		for j, e := range t.Items {
			e.Also = slices.Clone(e.Also)
			slices.SortStableFunc(e.Also, compareReports)
			t.Items[j] = e
		}
		slices.SortStableFunc(t.Items, compareEntries)
		out.Topics[i] = t
	}
	return out
}

// compareEntries orders entries newest first, then by URL and title, so a
// digest renders the same way whatever order the items arrived in.
func compareEntries(a, b Entry) int {
	if c := b.Published.Compare(a.Published); c != 0 {
		return c
	}
	if c := cmp.Compare(a.URL, b.URL); c != 0 {
		return c
	}
	return cmp.Compare(a.Title, b.Title)
}

// compareReports orders the other reports of a story earliest first, then
// by URL and title.
func compareReports(a, b Report) int {
	if c := a.Published.Compare(b.Published); c != 0 {
		return c
	}
	if c := cmp.Compare(a.URL, b.URL); c != 0 {
		return c
	}
	return cmp.Compare(a.Title, b.Title)
}

// For returns d as the sink named sink is to read it. An entry that adds
// to a story sent earlier stays an addition only for a sink that story
// went to. For a sink added since, which never had the story, it is the
// story's entry: the report sent earlier heads its other reports, rather
// than an "addition to" a message the reader never received. d is not
// modified.
func (d Digest) For(sink string) Digest {
	foreign := func(e Entry) bool {
		return e.Earlier != nil && len(e.EarlierSentTo) > 0 && !slices.Contains(e.EarlierSentTo, sink)
	}
	out := d
	for i, t := range d.Topics {
		if !slices.ContainsFunc(t.Items, foreign) {
			continue
		}
		if &out.Topics[0] == &d.Topics[0] {
			out.Topics = slices.Clone(d.Topics)
		}
		items := slices.Clone(t.Items)
		for j, e := range items {
			if foreign(e) {
				e.Also = append([]Report{*e.Earlier}, e.Also...)
				e.Earlier, e.EarlierSentTo = nil, nil
				items[j] = e
			}
		}
		out.Topics[i].Items = items
	}
	return out
}

// Reports returns the number of reports in all topics: every entry and
// every report it lists as also reported by.
func (d Digest) Reports() int {
	n := 0
	for _, t := range d.Topics {
		for _, e := range t.Items {
			n += 1 + len(e.Also)
		}
	}
	return n
}

// validID reports whether id can go into headers and a Message-ID as is.
func validID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' || id[len(id)-1] == '.' || strings.Contains(id, "..") {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '.' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}
