package watch

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/watcher-news/watcher/story"
)

// storyOverlap is how far before the newest story already read a cycle
// reads the state again. A story is stored with the time its digest was
// committed; another replica's commit can become visible after a later
// one of ours, and the overlap lets the next cycle find it.
const storyOverlap = 10 * time.Minute

// storyCache holds the records of the stories sent, decoded, from cycle
// to cycle, so that a daemon reads each record once. Before, every cycle
// read and decoded every story sent in storyHistory: a cost that grew
// with every match remembered (in a soak of 500 sources with two new
// items each a cycle, from 1.3 s to 6.5 s a cycle by the 40th cycle, and
// the garbage with it).
type storyCache struct {
	read    time.Time // the newest record read so far
	records []storyRecordAt
	known   map[storyRecordKey]bool // the records held, readable or not
}

// storyRecordKey names one record: a story's id and when it was stored
// (one record per digest that sent a report of the story).
type storyRecordKey struct {
	id      string
	created int64
}

type storyRecordAt struct {
	key     storyRecordKey
	created time.Time
	rec     storyRecord
	bad     bool // unreadable: kept only so that it is not read again
}

// catchUp reads the records stored since the last call (on the first,
// since oldest), in the order the state keeps them, and forgets those
// stored before oldest. An error leaves the cache as it was.
func (c *storyCache) catchUp(w *Watcher, oldest time.Time) error {
	from := oldest
	if !c.read.IsZero() && c.read.Add(-storyOverlap).After(from) {
		from = c.read.Add(-storyOverlap)
	}
	kept, err := w.store.Stories(from)
	if err != nil {
		return err
	}
	if c.known == nil {
		c.known = map[storyRecordKey]bool{}
	}
	added := false
	for _, k := range kept {
		key := storyRecordKey{k.ID, k.Created.UnixNano()}
		if c.known[key] || k.Created.Before(oldest) {
			continue
		}
		c.known[key] = true
		r := storyRecordAt{key: key, created: k.Created}
		if err := json.Unmarshal(k.Data, &r.rec); err != nil {
			w.log.Warn("stored story unreadable; left out", "story", k.ID, "err", err)
			r.bad = true
		}
		c.records = append(c.records, r)
		added = true
		if k.Created.After(c.read) {
			c.read = k.Created
		}
	}
	if added {
		// The state's order: by time, then id. Records read in the
		// overlap may fall before the last ones held.
		slices.SortStableFunc(c.records, func(a, b storyRecordAt) int {
			if d := a.created.Compare(b.created); d != 0 {
				return d
			}
			return strings.Compare(a.key.id, b.key.id)
		})
	}
	drop := 0
	for drop < len(c.records) && c.records[drop].created.Before(oldest) {
		delete(c.known, c.records[drop].key)
		drop++
	}
	if drop > 0 {
		c.records = slices.Delete(c.records, 0, drop)
	}
	return nil
}

// stories groups the records held into the stories sent, in the order of
// each story's first record, as sentStories returns them.
func (c *storyCache) stories(now time.Time) []*sentStory {
	byID := map[string]*sentStory{}
	var out []*sentStory
	for _, r := range c.records {
		if r.bad {
			continue
		}
		s, ok := byID[r.key.id]
		if !ok {
			s = &sentStory{id: r.key.id, topic: r.rec.Topic, ref: r.rec.Story}
			byID[r.key.id] = s
			out = append(out, s)
		}
		s.prints = appendPrints(s.prints, r.rec.Prints)
		s.recent = s.recent || now.Sub(r.created) <= 2*story.Window
	}
	return out
}

// appendPrints appends a record's prints to a story's; a story of one
// record shares the record's slice (capped, so that nothing is ever
// appended to the record's own).
func appendPrints(to, prints []story.Print) []story.Print {
	if to == nil {
		return prints[:len(prints):len(prints)]
	}
	return append(to, prints...)
}
