package watch

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/state"
)

// Found is one archived item a search or a topic matched.
type Found struct {
	Item state.Archived
	// Hit is the match, with the words found and a snippet.
	Hit match.Hit
}

// SearchArchive runs m's topics over the items archived in [since, until)
// (a zero until is now) and returns those any topic matched, newest first
// by publication time. An item matched by several of m's topics is listed
// once per topic. A chunk of the archive that cannot be read is reported
// in the error, with whatever the rest of the archive matched.
func SearchArchive(store Store, m *match.Matcher, since, until time.Time) ([]Found, error) {
	var out []Found
	err := store.ArchiveRange(since, until, func(a state.Archived) error {
		for _, h := range m.Match(archivedItem(a)) {
			out = append(out, Found{Item: a, Hit: h})
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Found) int {
		if c := b.Item.Published.Compare(a.Item.Published); c != 0 {
			return c
		}
		return cmp.Compare(a.Item.URL, b.Item.URL)
	})
	return out, err
}

// archivedItem is what the matcher reads of an archived item.
func archivedItem(a state.Archived) match.Item {
	return match.Item{Title: a.Title, Summary: a.Summary, Body: a.Body, Lang: a.Lang, Source: a.Source}
}

// Topic returns the configured topic id, or an error listing the ids.
func Topic(cfg *config.Config, id string) (config.Topic, error) {
	var ids []string
	for _, t := range cfg.Topics {
		if t.ID == id {
			return t, nil
		}
		ids = append(ids, t.ID)
	}
	return config.Topic{}, fmt.Errorf("%s: no topic %q (topics: %v)", cfg.File, id, ids)
}

// Suggestion is what `watcher suggest` prints: the significant terms of
// one topic's matches over a range of the archive.
type Suggestion struct {
	Matches, Read int // the topic's matches, and every item read, in the range
	Terms         []match.Significant
}

// Suggest finds the n most significant terms of topic's matches among
// the items archived since since, scored against everything archived
// then (see match.Score), each in at least two matches.
func Suggest(store Store, topic config.Topic, since time.Time, n int) (Suggestion, error) {
	m, err := match.Compile([]match.Topic{MatchTopic(topic)})
	if err != nil {
		return Suggestion{}, fmt.Errorf("topic %s: %w", topic.ID, err)
	}
	fg, bg := match.NewForeground(), match.NewBackground()
	err = store.ArchiveRange(since, time.Time{}, func(a state.Archived) error {
		mi := archivedItem(a)
		terms := match.Names(mi)
		bg.Add(terms)
		if len(m.Match(mi)) > 0 {
			fg.Add(match.Ref{Title: a.Title, URL: a.URL, Source: a.Source, Published: a.Published}, terms)
		}
		return nil
	})
	return Suggestion{Matches: fg.Docs(), Read: bg.Docs(), Terms: match.Top(fg, bg, followMinDocs, n)}, err
}
