package watch

import "github.com/watcher-news/watcher/alert"

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
// with their matches.
type digestChunk struct {
	outcomes []*sourceOutcome
	hits     []matched
}

// chunkByReports splits the outcomes and the cycle's matches (collect's:
// those of the sources read) into chunks whose matches stay within
// maxTopicReports per topic and maxDigestReports in all, in the order of
// the outcomes. A source's items stay together, since its state and keys
// are written with the digest that holds them: a source over the bounds
// alone makes a chunk of its own. The outcomes without matches go with the
// last chunk. One chunk (the usual cycle) holds every outcome.
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
		mine := map[string]int{}
		n := 0
		for _, m := range theirs {
			for _, h := range m.hits {
				mine[h.Topic]++
			}
			for topic := range m.related {
				mine[topic]++
			}
			n += len(m.hits) + len(m.related)
		}
		over := total+n > maxDigestReports
		for topic, k := range mine {
			over = over || perTopic[topic]+k > maxTopicReports
		}
		if over && len(cur.outcomes) > 0 {
			chunks = append(chunks, cur)
			cur, perTopic, total = digestChunk{}, map[string]int{}, 0
		}
		cur.outcomes = append(cur.outcomes, o)
		cur.hits = append(cur.hits, theirs...)
		for topic, k := range mine {
			perTopic[topic] += k
		}
		total += n
	}
	cur.outcomes = append(cur.outcomes, rest...)
	return append(chunks, cur)
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
	for i, c := range chunks {
		if err := w.commit(c.outcomes, c.hits, i); err != nil {
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
