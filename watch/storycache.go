package watch

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/watcher-news/watcher/story"
)

// storyOverlap is how far before the newest story already read a
// replica's cycle reads the state again. A story is stored with the time
// its digest was committed; another replica's commit can become visible
// after a later one of ours, and the overlap lets the next cycle find it.
// A watcher alone commits every story itself, one cycle at a time, and
// reads on from the last it read: rereading ten minutes of records each
// cycle copied, in a soak with a cycle every 12 s, fifty cycles' stories
// each cycle.
const storyOverlap = 10 * time.Minute

// maxHeldStories bounds the stories of one topic that later reports may
// join: the newest of those sent within two story windows. Each new report
// is compared with every report of every story held, so a topic that
// matches hundreds of events a day would otherwise make each cycle slower
// than the last, and the memory with it, for as long as the window lasts.
// Past it, the older stories only count towards which names are common;
// a later report of one of them is sent as a story of its own. (A record
// of a story counted that still comes, from a replica that held the
// story longer, is held with its own prints: the others stay counted.)
const maxHeldStories = 200

// maxHeldAll bounds the stories held over all topics, for configurations
// of many topics: about 2.5 KB a print decoded, so some 5 MB of stories
// of one report each.
const maxHeldAll = 2000

// storyCache holds what the stories sent tell the next cycle, from cycle
// to cycle, so that a daemon reads each record once. Before, every cycle
// read and decoded every story sent in storyHistory: a cost that grew
// with every match remembered (in a soak of 500 sources with two new
// items each a cycle, from 1.3 s to 6.5 s a cycle by the 40th cycle, and
// the garbage with it).
//
// Only the stories later reports may join are held whole (their records,
// with every print): those sent within two story windows, at most
// maxHeldStories a topic and maxHeldAll in all, the newest. The prints
// of the others are counted by the day their record was stored (an
// Index per day), which is all the grouping needs of them: how common
// each name is. So what the cache holds is bounded by the caps and the
// vocabulary, not by how much the topics matched in storyHistory.
type storyCache struct {
	read    time.Time // the newest record read so far
	records []storyRecordAt
	// known names the records read in the last storyOverlap (the only
	// ones a later read returns again: the last read alone, for a
	// watcher alone), held or counted or unreadable.
	known map[storyRecordKey]bool
	days  []storyDay // by day, oldest first
}

// storyDay counts the prints of the stories no longer held, stored on
// one day (UTC).
type storyDay struct {
	day time.Time
	idx *story.Index
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
}

// catchUp reads the records stored since the last call (on the first,
// since oldest, the start of a day), in the order the state keeps them,
// and forgets those stored before oldest. Then it counts, rather than holds, the stories
// no report at now may join any more (see storyCache). An error leaves
// the cache as it was.
func (c *storyCache) catchUp(w *Watcher, now, oldest time.Time) error {
	overlap := time.Duration(0)
	if w.name != "" {
		overlap = storyOverlap
	}
	from := oldest
	if !c.read.IsZero() && c.read.Add(-overlap).After(from) {
		from = c.read.Add(-overlap)
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
		if k.Created.After(c.read) {
			c.read = k.Created
		}
		r := storyRecordAt{key: key, created: k.Created}
		if err := json.Unmarshal(k.Data, &r.rec); err != nil {
			w.log.Warn("stored story unreadable; left out", "story", k.ID, "err", err)
			continue
		}
		c.records = append(c.records, r)
		added = true
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
	c.settle(now, oldest, overlap)
	return nil
}

// settle counts the records of the stories that may no longer be joined
// at now (see storyCache), and forgets what is older than oldest.
func (c *storyCache) settle(now, oldest time.Time, overlap time.Duration) {
	type held struct {
		topic string
		last  time.Time
	}
	stories := map[string]*held{}
	for _, r := range c.records {
		s := stories[r.key.id]
		if s == nil {
			s = &held{topic: r.rec.Topic}
			stories[r.key.id] = s
		}
		s.last = maxTime(s.last, r.created)
	}
	// Newest first within each topic; a story whose newest record is
	// past two windows cannot be joined, and past the cap it is not.
	byTopic := map[string][]string{}
	for id, s := range stories {
		byTopic[s.topic] = append(byTopic[s.topic], id)
	}
	newestFirst := func(a, b string) int {
		if d := stories[b].last.Compare(stories[a].last); d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	}
	drop := map[string]bool{}
	var all []string
	for _, ids := range byTopic {
		slices.SortFunc(ids, newestFirst)
		for i, id := range ids {
			if i >= maxHeldStories || now.Sub(stories[id].last) > 2*story.Window {
				drop[id] = true
			} else {
				all = append(all, id)
			}
		}
	}
	if len(all) > maxHeldAll {
		slices.SortFunc(all, newestFirst)
		for _, id := range all[maxHeldAll:] {
			drop[id] = true
		}
	}
	if len(drop) > 0 {
		keep := c.records[:0]
		for _, r := range c.records {
			if !drop[r.key.id] {
				keep = append(keep, r)
				continue
			}
			c.count(r)
		}
		clear(c.records[len(keep):]) // let the prints go
		c.records = keep
	}
	first := 0
	for first < len(c.days) && c.days[first].day.Before(oldest) {
		first++
	}
	c.days = slices.Delete(c.days, 0, first)
	for k := range c.known {
		if time.Unix(0, k.created).Before(c.read.Add(-overlap)) {
			delete(c.known, k)
		}
	}
}

// count adds the prints of r to the Index of the day r was stored.
func (c *storyCache) count(r storyRecordAt) {
	day := r.created.UTC().Truncate(24 * time.Hour)
	i, found := slices.BinarySearchFunc(c.days, day, func(d storyDay, t time.Time) int { return d.day.Compare(t) })
	if !found {
		c.days = slices.Insert(c.days, i, storyDay{day: day, idx: story.NewIndex(nil)})
	}
	for _, p := range r.rec.Prints {
		c.days[i].idx.Add(p)
	}
}

// stories groups the records held into the stories sent, in the order of
// each story's first record, as sentStories returns them, and returns an
// Index that has counted the prints of the stories not held.
func (c *storyCache) stories(now time.Time) ([]*sentStory, *story.Index) {
	byID := map[string]*sentStory{}
	var out []*sentStory
	for _, r := range c.records {
		s, ok := byID[r.key.id]
		if !ok {
			s = &sentStory{id: r.key.id, topic: r.rec.Topic, ref: r.rec.Story, sentTo: slices.Clone(r.rec.Sinks)}
			byID[r.key.id] = s
			out = append(out, s)
		} else if s.sentTo != nil {
			if r.rec.Sinks == nil {
				s.sentTo = nil // a record that does not say: every sink
			}
			for _, name := range r.rec.Sinks {
				if !slices.Contains(s.sentTo, name) {
					s.sentTo = append(s.sentTo, name)
				}
			}
		}
		s.prints = appendPrints(s.prints, r.rec.Prints)
		s.recent = s.recent || now.Sub(r.created) <= 2*story.Window
	}
	idx := story.NewIndex(nil)
	for _, d := range c.days {
		idx.Merge(d.idx)
	}
	return out, idx
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

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
