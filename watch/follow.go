package watch

import (
	"fmt"
	"slices"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/state"
)

// follower is a topic that follows its story (config `follow:`), with
// what its recent matches in the archive say about it this cycle.
type follower struct {
	id      string
	opts    config.Follow
	profile *match.Profile
	// vetoes holds the topic's excludes, one topic each: they veto a
	// related item as they veto a match.
	vetoes *match.Matcher
}

// followCache holds what the archive says about the topics that follow
// their story, counted per day of archiving, so that a daemon reads each
// archived item once: every cycle adds the chunks archived since the last
// one and forgets the days older than every window. A profile is summed
// from the days within its topic's window, so windows count to the day.
type followCache struct {
	read time.Time // the newest chunk time read so far
	days []*followDay
}

// followDay is one day of the archive: everything read, and each follow
// topic's matches.
type followDay struct {
	day time.Time
	bg  *match.Background
	fg  map[string]*match.Foreground
}

// followers builds, at the start of a cycle, the profile of every topic
// that follows its story: the significant terms of its matches among the
// items archived within its window, against everything archived then.
// Items the topic delivered as related do not count as its matches, so a
// profile never drifts on its own guesses.
func (w *Watcher) followers() ([]*follower, error) {
	var fs []*follower
	now := w.now()
	oldest := now
	for _, t := range w.cfg.Topics {
		if t.Follow == nil {
			continue
		}
		vetoes, err := compileVetoes(t)
		if err != nil {
			return nil, err
		}
		fs = append(fs, &follower{id: t.ID, opts: *t.Follow, vetoes: vetoes})
		if since := now.Add(-t.Follow.Window); since.Before(oldest) {
			oldest = since
		}
	}
	if len(fs) == 0 {
		return nil, nil
	}
	c := &w.followed
	err := c.catchUp(w, fs, oldest)
	out := fs[:0]
	for _, f := range fs {
		since := now.Add(-f.opts.Window).Truncate(24 * time.Hour)
		fg, bg := match.NewForeground(), match.NewBackground()
		for _, d := range c.days {
			if d.day.Before(since) {
				continue
			}
			bg.Merge(d.bg)
			if dfg := d.fg[f.id]; dfg != nil {
				fg.Merge(dfg)
			}
		}
		if bg.Docs() < followMinBackground {
			continue // too few items read for frequencies to mean anything
		}
		f.profile = match.NewProfile(fg, bg, match.ProfileOptions{Terms: f.opts.Terms, MinDocs: followMinDocs, MinLift: f.opts.MinLift})
		out = append(out, f)
	}
	// A damaged chunk costs the profiles its items, not the cycle: the
	// error is logged and following goes on with what was read.
	return out, err
}

// catchUp reads the chunks archived since the last call (on the first,
// since oldest), adds them to their days, and drops the days before
// oldest.
func (c *followCache) catchUp(w *Watcher, fs []*follower, oldest time.Time) error {
	from := oldest
	if !c.read.IsZero() && c.read.After(from) {
		from = c.read.Add(time.Nanosecond)
	}
	err := w.store.ArchiveRange(from, time.Time{}, func(a state.Archived) error {
		if a.Seen.After(c.read) {
			c.read = a.Seen
		}
		mi := archivedItem(a)
		terms := match.Names(mi)
		d := c.day(a.Seen.Truncate(24 * time.Hour))
		d.bg.Add(terms)
		for _, h := range w.matcher.Match(mi) {
			if !slices.ContainsFunc(fs, func(f *follower) bool { return f.id == h.Topic }) {
				continue
			}
			if d.fg[h.Topic] == nil {
				d.fg[h.Topic] = match.NewForeground()
			}
			d.fg[h.Topic].Add(match.Ref{Title: a.Title, URL: a.URL, Source: a.Source, Published: a.Published}, terms)
		}
		return nil
	})
	keep := c.days[:0]
	for _, d := range c.days {
		if !d.day.Before(oldest.Truncate(24 * time.Hour)) {
			keep = append(keep, d)
		}
	}
	c.days = keep
	return err
}

// day returns the counts of day, adding them in order if new (chunks
// come oldest first, so a new day is nearly always the last).
func (c *followCache) day(day time.Time) *followDay {
	for i := len(c.days) - 1; i >= 0; i-- {
		if c.days[i].day.Equal(day) {
			return c.days[i]
		}
	}
	d := &followDay{day: day, bg: match.NewBackground(), fg: map[string]*match.Foreground{}}
	c.days = append(c.days, d)
	slices.SortFunc(c.days, func(a, b *followDay) int { return a.day.Compare(b.day) })
	return d
}

// loadFollowers builds the cycle's profiles; a problem reading the
// archive is logged, and the cycle goes on with what could be read.
func (w *Watcher) loadFollowers() []*follower {
	fs, err := w.followers()
	if err != nil {
		w.log.Warn("read the archive for topics that follow their story", "err", err)
	}
	return fs
}

// followMinBackground is how many items the window must hold before a
// topic follows its story: over a handful, a name the whole beat uses
// looks as rare as a suspect's, and on the labelled corpus replayed in
// time order it was such early profiles that related a wrong item. A
// watcher reading a few dozen feeds reaches it within a day.
const followMinBackground = 100

// followMinDocs is how many of a topic's matches a term must occur in to
// be significant: a name in one report may be a passing mention.
const followMinDocs = 2

// compileVetoes compiles a topic's excludes as topics of their own.
func compileVetoes(t config.Topic) (*match.Matcher, error) {
	if len(t.Exclude) == 0 {
		return nil, nil
	}
	ts := make([]match.Topic, len(t.Exclude))
	for i, ex := range t.Exclude {
		ts[i] = match.Topic{ID: fmt.Sprintf("exclude-%d", i), Query: ex}
	}
	m, err := match.Compile(ts)
	if err != nil {
		return nil, fmt.Errorf("topic %s: excludes: %w", t.ID, err)
	}
	return m, nil
}

// relate finds the follow topics that an item no topic matched is
// related to: those whose profile it shares enough terms with, and whose
// excludes do not veto it. An item some topic matched is delivered under
// that topic already; on the corpus, such items were the most common
// wrong relations (a roundup of one story naming the people of another).
func relate(fs []*follower, it item.Item, hits []match.Hit) map[string]match.Relation {
	if len(fs) == 0 || len(hits) > 0 {
		return nil
	}
	var terms []match.Term
	var out map[string]match.Relation
	mi := matchItem(it)
	for _, f := range fs {
		if hasTopic(hits, f.id) {
			continue
		}
		if terms == nil {
			terms = match.Names(mi)
		}
		r, ok := f.profile.Related(terms, f.opts.MinShared)
		if !ok || (f.vetoes != nil && len(f.vetoes.Match(mi)) > 0) {
			continue
		}
		if out == nil {
			out = map[string]match.Relation{}
		}
		out[f.id] = r
	}
	return out
}

func hasTopic(hits []match.Hit, id string) bool {
	for _, h := range hits {
		if h.Topic == id {
			return true
		}
	}
	return false
}

// relatedEntry is how a related item's explanation reaches the digest.
func relatedEntry(r match.Relation) *alert.Related {
	out := &alert.Related{Terms: r.Terms}
	for _, l := range r.Like {
		out.Like = append(out.Like, alert.Ref{Title: l.Title, URL: l.URL, Source: l.Source})
	}
	return out
}

// relatedSnippet is the text shown under a related item: its summary, or
// the start of its text, about as long as a match's snippet.
func relatedSnippet(it item.Item) string {
	s := it.Summary
	if s == "" {
		s = it.Body
	}
	r := []rune(s)
	if len(r) <= 200 {
		return s
	}
	return string(r[:200]) + "…"
}
