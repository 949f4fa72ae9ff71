package watch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/story"
)

// storyHistory is how far back the stories sent are read: those within
// two story windows can take later reports (see storyCache); all of them
// tell which names are common (every report of a topic carries its
// subject's) and which rare.
const storyHistory = 30 * 24 * time.Hour

// maxGroupedReports bounds the reports of one topic grouped in one cycle:
// grouping compares each report with the reports before it, and a burst
// (a broad topic's backfill) must not cost minutes. Past it, the latest
// reports are entries of their own, and the log says so.
const maxGroupedReports = 500

// storyRecord is what the state keeps of the reports of a story that one
// digest sent (the Data of a state.Story): the story as first sent, and
// the prints of the reports, to recognise a later report of it.
type storyRecord struct {
	Topic  string        `json:"topic"`
	Story  alert.Report  `json:"story"`
	Prints []story.Print `json:"prints"`
	// Sinks are the sinks that took the topic when the digest was made:
	// those that have the story. Absent in a record of an older version.
	Sinks []string `json:"sinks,omitempty"`
}

// sentStory is a story sent before, with the prints of all its reports.
type sentStory struct {
	id     string
	topic  string
	ref    alert.Report
	prints []story.Print
	recent bool // sent within story.Window: later reports may join it
	// sentTo are the sinks that have the story, from its records; nil
	// when a record does not say (an older version's): every sink.
	sentTo []string
}

// storyID names a story by its topic and first report, so that every
// record of it (one per digest that sent a report of it) has one id.
func storyID(topic string, ref alert.Report) string {
	h := sha256.New()
	for _, s := range []string{topic, ref.Source, ref.URL, ref.Title} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// sentStories returns the stories sent that later reports may join,
// read through the Watcher's cache (see storyCache), and an Index that
// has counted the prints of the other stories sent in the last
// storyHistory (to the day). A story the state cannot read is left out with a
// warning: its later reports are then sent as new stories, which loses
// nothing.
func (w *Watcher) sentStories(now time.Time) ([]*sentStory, *story.Index) {
	// To the day, as the cache counts the prints it no longer holds.
	oldest := now.Add(-storyHistory).UTC().Truncate(24 * time.Hour)
	if err := w.stories.catchUp(w, now, oldest); err != nil {
		w.log.Warn("read the stories sent; later reports are sent as new stories", "err", err)
		return nil, story.NewIndex(nil)
	}
	return w.stories.stories(now)
}

// report is one matched item's report in one topic, with its print.
type report struct {
	entry alert.Entry
	print story.Print
}

// groupStories turns each topic's reports into one entry per story: the
// story's first report, with the others as "also reported by"; a story
// sent before gets its later reports as one entry marked as an addition
// to it. Every report is in exactly one entry. It returns the entries by
// topic, and the records to keep of the stories sent.
//
// idx has counted the prints of the stories sent that sent does not hold
// (nil for none); groupStories adds those of sent and the new ones.
// sinks names, by topic, the sinks the digest goes to; the records keep
// them, so that a sink added later is not told of additions to stories
// it never had (see alert.Digest.For).
func groupStories(log *slog.Logger, byTopic map[string][]report, topics []string, sent []*sentStory, idx *story.Index, sinks map[string][]string) (map[string][]alert.Entry, []state.Story) {
	// The index counts every print, sent before or new, added one at a
	// time: gathering them in one slice first cost a copy of every print
	// of the history each cycle.
	if idx == nil {
		idx = story.NewIndex(nil)
	}
	for _, s := range sent {
		for _, p := range s.prints {
			idx.Add(p)
		}
	}
	for _, rs := range byTopic {
		for _, r := range rs {
			idx.Add(r.print)
		}
	}
	entries := map[string][]alert.Entry{}
	var records []state.Story
	for _, topic := range topics {
		rs := byTopic[topic]
		if len(rs) == 0 {
			continue
		}
		var earlier []*sentStory
		var earlierPrints [][]story.Print
		for _, s := range sent {
			if s.topic == topic && s.recent {
				earlier = append(earlier, s)
				earlierPrints = append(earlierPrints, s.prints)
			}
		}
		slices.SortStableFunc(rs, func(a, b report) int { return a.print.Time.Compare(b.print.Time) })
		grouped := min(len(rs), maxGroupedReports)
		if grouped < len(rs) {
			log.Warn("too many reports of one topic to group in one cycle; the latest are sent as entries of their own",
				"topic", topic, "reports", len(rs), "grouped", grouped)
		}
		prints := make([]story.Print, grouped)
		for i, r := range rs[:grouped] {
			prints[i] = r.print
		}
		clusters := story.Group(idx, earlierPrints, prints)
		for i := grouped; i < len(rs); i++ {
			clusters = append(clusters, story.Cluster{Earlier: -1, Members: []int{i}})
		}
		for _, cl := range clusters {
			head := rs[cl.Members[0]].entry
			rec := storyRecord{Topic: topic, Story: asReport(head), Sinks: sinks[topic]}
			if cl.Earlier >= 0 {
				ref := earlier[cl.Earlier].ref
				head.Earlier, head.EarlierSentTo = &ref, earlier[cl.Earlier].sentTo
				rec.Story = ref
			}
			for _, m := range cl.Members {
				rec.Prints = append(rec.Prints, rs[m].print)
				if m != cl.Members[0] {
					head.Also = append(head.Also, asReport(rs[m].entry))
				}
			}
			entries[topic] = append(entries[topic], head)
			data, err := json.Marshal(rec)
			if err != nil {
				continue // a print always encodes; without its record the story is only not recognised later
			}
			records = append(records, state.Story{ID: storyID(topic, rec.Story), Data: data})
		}
	}
	return entries, records
}

func asReport(e alert.Entry) alert.Report {
	return alert.Report{Title: e.Title, URL: e.URL, Source: e.Source, Published: e.Published}
}

// foldAdditions keeps one entry per story in a digest gathered from
// several crawls' digests (items in the order they were found). A crawl
// marks a later report of a story an earlier crawl stored as an addition
// to it, even when that story was only held for a scheduled sink, not
// sent yet; gathered into one message, such an addition joins the
// story's entry, as another report of it. Additions to one story sent in
// an earlier message join the first of them. An entry given twice (a
// preview gathers what waits for several sinks) is kept once.
func foldAdditions(items []alert.Entry) []alert.Entry {
	if !slices.ContainsFunc(items, func(e alert.Entry) bool { return e.Earlier != nil }) {
		return items // nothing to fold; a preview drops repeats itself (dedupe)
	}
	key := func(r alert.Report) [3]string { return [3]string{r.Source, r.URL, r.Title} }
	at := make(map[[3]string]int, len(items)) // a story's key: the index of its entry in out
	type report struct {
		key       [3]string
		published int64
	}
	seen := make(map[report]bool, len(items))
	var out []alert.Entry
	for _, e := range items {
		r := report{key(asReport(e)), e.Published.UnixNano()}
		if seen[r] {
			continue
		}
		seen[r] = true
		var k [3]string
		if e.Earlier != nil {
			k = key(*e.Earlier)
		} else {
			k = key(asReport(e))
		}
		i, ok := at[k]
		if !ok || e.Earlier == nil {
			at[k] = len(out)
			out = append(out, e)
			continue
		}
		out[i].Also = append(out[i].Also, asReport(e))
		out[i].Also = append(out[i].Also, e.Also...)
	}
	return out
}
