package serve

import (
	"cmp"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/feeds"
)

// Match is one item that matched a topic, as the Atom feeds show it.
type Match struct {
	Topic     string
	Key       string // the item's dedup key, stable across restarts
	Title     string
	URL       string
	Source    string
	Published time.Time
	Snippet   string
	Matched   time.Time
}

// Topic names a configured topic.
type Topic struct{ ID, Title string }

// FeedSize is how many entries a feed carries at most.
const FeedSize = 100

// tagAuthority is the tagging entity of the feeds' and entries' ids (RFC
// 4151 tag URIs): ids built from it and an item key stay the same across
// restarts, and however the listener is reached.
const tagAuthority = "tag:watcher-news,2025:"

// writeAtom writes an Atom feed of ms (newest first, at most FeedSize):
// title and id name the feed, self is the URL it was asked at. Entries
// link the items' own pages; an item that matched several topics is one
// entry. With withTopics the summary begins with the item's topics:
// gorilla/feeds writes an entry's category as text, where Atom readers
// look for its term attribute, so the summary is where a reader sees them.
func writeAtom(w io.Writer, title, id, self string, topics map[string]string, ms []Match, withTopics bool) error {
	type entry struct {
		e       *feeds.AtomEntry
		topics  []string
		snippet string
	}
	byKey := map[string]*entry{}
	var entries []*entry
	updated := time.Time{}
	for _, m := range ms {
		name := cmp.Or(topics[m.Topic], m.Topic)
		if e, dup := byKey[m.Key]; dup {
			e.topics = append(e.topics, name)
			continue
		}
		if len(entries) == FeedSize {
			continue
		}
		if m.Matched.After(updated) {
			updated = m.Matched
		}
		e := &entry{topics: []string{name}, snippet: m.Snippet, e: &feeds.AtomEntry{
			Title:     cmp.Or(m.Title, m.URL),
			Id:        tagAuthority + "item:" + m.Key,
			Updated:   m.Matched.UTC().Format(time.RFC3339),
			Links:     []feeds.AtomLink{{Href: m.URL, Rel: "alternate", Type: "text/html"}},
			Author:    &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: m.Source}},
			Published: published(m),
		}}
		byKey[m.Key] = e
		entries = append(entries, e)
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	af := &feeds.AtomFeed{
		Xmlns:   "http://www.w3.org/2005/Atom",
		Title:   title,
		Id:      tagAuthority + id,
		Updated: updated.UTC().Format(time.RFC3339),
		Link:    &feeds.AtomLink{Href: self, Rel: "self", Type: "application/atom+xml"},
		Author:  &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: "watcher"}},
	}
	for _, e := range entries {
		summary := e.snippet
		if withTopics {
			summary = strings.TrimSuffix(strings.Join(e.topics, ", ")+": "+summary, ": ")
		}
		if summary != "" {
			e.e.Summary = &feeds.AtomSummary{Content: summary, Type: "text"}
		}
		af.Entries = append(af.Entries, e.e)
	}
	return feeds.WriteXML(af, w)
}

func published(m Match) string {
	if m.Published.IsZero() {
		return ""
	}
	return m.Published.UTC().Format(time.RFC3339)
}

// latest merges the per-topic lists (each newest first) into one, newest
// first, ties broken by topic then key so the order is stable.
func latest(recent map[string][]Match) []Match {
	var all []Match
	for _, ms := range recent {
		all = append(all, ms...)
	}
	slices.SortStableFunc(all, func(a, b Match) int {
		return cmp.Or(b.Matched.Compare(a.Matched), cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Key, b.Key))
	})
	return all
}
