package watch

import (
	"slices"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/state"
)

// A cycle with more matches than one message can show (a catch-up after
// an outage, a backfill, a day the story breaks) is sent as several
// digests: each an ordinary digest, committed with the keys of its
// sources. The email and chat messages show at most 100 items of a topic
// (alert's cap) and count the rest as "and N more", which its reader
// cannot open; and the transaction that writes a digest holds its
// stories, payloads and pages in memory at once.

// maxTopicReports bounds the reports (matches and related items) of one
// topic in one digest: alert's cap on the items a message shows.
const maxTopicReports = alert.MaxItemsPerTopic

// maxDigestReports bounds the reports of one digest in all topics.
const maxDigestReports = 1000

// digestChunk is the part of a cycle one digest carries: whole sources,
// or the part of one (see splitSource), with their matches.
type digestChunk struct {
	outcomes []*sourceOutcome
	hits     []matched
}

// chunkUnit is what a chunk takes whole: a source and its matches, or a
// part of a source's matches with the keys of their items.
type chunkUnit struct {
	o        *sourceOutcome
	hits     []matched
	perTopic map[string]int
	n        int
}

// chunkByReports splits the outcomes and the cycle's matches (collect's:
// those of the sources read) into chunks whose matches stay within
// maxTopicReports per topic and maxDigestReports in all, in the order of
// the outcomes. A source's matches stay together in one chunk, with its
// state and keys, unless they alone are over the bounds: then splitSource
// cuts them. The outcomes without matches go with the last chunk. One
// chunk (the usual cycle) holds every outcome.
func chunkByReports(outcomes []*sourceOutcome, hits []matched) []digestChunk {
	bySource := map[string][]matched{}
	for _, m := range hits {
		bySource[m.item.Source] = append(bySource[m.item.Source], m)
	}
	var chunks []digestChunk
	var rest []*sourceOutcome
	var cur digestChunk
	perTopic := map[string]int{}
	total := 0
	for _, o := range outcomes {
		theirs := bySource[o.src.Name]
		if len(theirs) == 0 {
			rest = append(rest, o)
			continue
		}
		for _, u := range splitSource(o, theirs) {
			if overBounds(perTopic, total, u.perTopic, u.n) && len(cur.outcomes) > 0 {
				chunks = append(chunks, cur)
				cur, perTopic, total = digestChunk{}, map[string]int{}, 0
			}
			cur.outcomes = append(cur.outcomes, u.o)
			cur.hits = append(cur.hits, u.hits...)
			for topic, k := range u.perTopic {
				perTopic[topic] += k
			}
			total += u.n
		}
	}
	cur.outcomes = append(cur.outcomes, rest...)
	return append(chunks, cur)
}

// reportsOf counts the reports of ms: by topic, and in all.
func reportsOf(ms []matched) (map[string]int, int) {
	perTopic := map[string]int{}
	n := 0
	for _, m := range ms {
		for _, h := range m.hits {
			perTopic[h.Topic]++
		}
		for topic := range m.related {
			perTopic[topic]++
		}
		n += len(m.hits) + len(m.related)
	}
	return perTopic, n
}

// overBounds reports whether reports of perTopic and n, added to a chunk
// holding has and total, would be more than a digest holds.
func overBounds(has map[string]int, total int, perTopic map[string]int, n int) bool {
	if total+n > maxDigestReports {
		return true
	}
	for topic, k := range perTopic {
		if has[topic]+k > maxTopicReports {
			return true
		}
	}
	return false
}

// splitSource returns a source's matches as the one unit they usually
// are, or, when they alone are more than a digest holds (a feed of
// hundreds of items read after days away), cut oldest first into parts
// that each fit. Each part but the last is written with only its items'
// keys and text: a crash after it leaves the source's own state (its
// validators among it) as it was, so the next cycle reads the feed whole
// again, finds those items seen, and sends the rest. The last part is the
// source itself, less what the parts before took.
func splitSource(o *sourceOutcome, theirs []matched) []chunkUnit {
	perTopic, n := reportsOf(theirs)
	if !overBounds(nil, 0, perTopic, n) {
		return []chunkUnit{{o: o, hits: theirs, perTopic: perTopic, n: n}}
	}
	byDate := slices.Clone(theirs)
	slices.SortStableFunc(byDate, func(a, b matched) int { return a.item.Published.Compare(b.item.Published) })
	var parts [][]matched
	var cur []matched
	has, total := map[string]int{}, 0
	for _, m := range byDate {
		pt, k := reportsOf([]matched{m})
		if len(cur) > 0 && overBounds(has, total, pt, k) {
			parts = append(parts, cur)
			cur, has, total = nil, map[string]int{}, 0
		}
		cur = append(cur, m)
		for topic, c := range pt {
			has[topic] += c
		}
		total += k
	}
	parts = append(parts, cur)
	seen := make(map[string]bool, len(o.seen))
	for _, k := range o.seen {
		seen[k] = true
	}
	moved := map[string]bool{}
	units := make([]chunkUnit, 0, len(parts))
	for _, p := range parts[:len(parts)-1] {
		part := &sourceOutcome{src: o.src, part: true}
		for _, m := range p {
			if k := m.item.Key(); seen[k] && !moved[k] {
				moved[k] = true
				part.seen = append(part.seen, k)
				part.fresh = append(part.fresh, m.item)
			}
		}
		pt, k := reportsOf(p)
		units = append(units, chunkUnit{o: part, hits: p, perTopic: pt, n: k})
	}
	o.seen = slices.DeleteFunc(o.seen, func(k string) bool { return moved[k] })
	o.fresh = slices.DeleteFunc(o.fresh, func(it item.Item) bool { return moved[it.Key()] })
	last := parts[len(parts)-1]
	pt, k := reportsOf(last)
	return append(units, chunkUnit{o: o, hits: last, perTopic: pt, n: k})
}

// commitChunks commits the cycle's outcomes and matches, as one digest or
// as several (see chunkByReports), in order. An error stops at the chunk
// that failed: those before it are written and their digests pending, and
// the sources of the others are read again next cycle, so no match is
// lost or sent twice.
func (w *Watcher) commitChunks(outcomes []*sourceOutcome, hits []matched) error {
	chunks := chunkByReports(outcomes, hits)
	if len(chunks) > 1 {
		w.log.Info("more matches than one digest shows; sending them as several", "digests", len(chunks))
	}
	s := w.planSeries(chunks)
	for i, c := range chunks {
		if err := w.commit(c.outcomes, c.hits, i, s); err != nil {
			return err
		}
		// Written: let go of the items' text before the next chunk, as
		// the flusher does (only the leases are released after this).
		chunks[i] = digestChunk{}
		for _, o := range c.outcomes {
			o.fresh, o.hits, o.seen, o.touched = nil, nil, nil, nil
		}
	}
	return nil
}

// series numbers the digests one check stores for each sink when it
// stores it several, so that each message says which it is of how many
// ("watcher (1 of 3): …"). A nil *series numbers nothing.
type series struct {
	of, n map[string]int
}

// planSeries counts, for each sink, the digests the chunks will store to
// be sent to it at once (those held for a schedule are numbered when
// gathered: see gather). routeParts decides it from a chunk's topics and
// health reports, as outbox does from the digest built of them. Nil for
// one chunk.
func (w *Watcher) planSeries(chunks []digestChunk) *series {
	if len(chunks) < 2 {
		return nil
	}
	s := &series{of: map[string]int{}, n: map[string]int{}}
	for _, c := range chunks {
		for _, p := range w.routeParts(w.topicsOf(c.hits), healthReports(c.outcomes) != nil) {
			for sink, del := range p.sinks {
				if !del.Held {
					s.of[sink]++
				}
			}
		}
	}
	return s
}

// topicsOf lists the configured topics, in configuration order, that
// hits hold a match or a related item of: the topics of their digest.
func (w *Watcher) topicsOf(hits []matched) []string {
	in := map[string]bool{}
	for _, m := range hits {
		for _, h := range m.hits {
			in[h.Topic] = true
		}
		for topic := range m.related {
			in[topic] = true
		}
	}
	var out []string
	for _, t := range w.cfg.Topics {
		if in[t.ID] {
			out = append(out, t.ID)
		}
	}
	return out
}

// place numbers the deliveries of ds, the digests of the next chunk, after
// those of the chunks placed before. A sink that gets one digest in all
// is not numbered. Should the digests built ever differ from the plan, a
// digest past the count goes unnumbered rather than as "4 of 3".
func (s *series) place(ds []*state.Digest) {
	if s == nil {
		return
	}
	for _, d := range ds {
		for sink, del := range d.Sinks {
			if del.Held || s.of[sink] < 2 {
				continue
			}
			s.n[sink]++
			if s.n[sink] <= s.of[sink] {
				del.SeriesN, del.SeriesOf = s.n[sink], s.of[sink]
			}
		}
	}
}
