package watch

import (
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/state"
)

// archiveItems is what the state archive keeps of the items a source
// showed for the first time: every item the cycle read, matched or not.
// A source's first read is recorded by keys only (its text is never
// parsed), so its backlog is not archived unless backfill asks for it.
func archiveItems(items []item.Item) []state.Archived {
	out := make([]state.Archived, len(items))
	for i, it := range items {
		out[i] = state.Archived{Key: it.Key(), Source: it.Source, URL: it.URL, Title: it.Title,
			Summary: it.Summary, Body: it.Body, Lang: it.Lang, Published: it.Published}
	}
	return out
}
