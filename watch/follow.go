package watch

import (
	"fmt"
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

// followers builds, at the start of a cycle, the profile of every topic
// that follows its story: the significant terms of its matches among the
// items archived within its window, against everything archived then.
// The archive is read once, a chunk at a time, for all of them. Items the
// topic delivered as related do not count as its matches, so a profile
// never drifts on its own guesses.
func (w *Watcher) followers() ([]*follower, error) {
	type acc struct {
		f      *follower
		since  time.Time
		fg     *match.Foreground
		bg     *match.Background
		topics []string
	}
	var accs []*acc
	now := w.now()
	since := now
	for _, t := range w.cfg.Topics {
		if t.Follow == nil {
			continue
		}
		vetoes, err := compileVetoes(t)
		if err != nil {
			return nil, err
		}
		a := &acc{f: &follower{id: t.ID, opts: *t.Follow, vetoes: vetoes}, since: now.Add(-t.Follow.Window),
			fg: match.NewForeground(), bg: match.NewBackground()}
		accs = append(accs, a)
		if a.since.Before(since) {
			since = a.since
		}
	}
	if len(accs) == 0 {
		return nil, nil
	}
	err := w.store.ArchiveRange(since, time.Time{}, func(a state.Archived) error {
		mi := match.Item{Title: a.Title, Summary: a.Summary, Body: a.Body, Lang: a.Lang, Source: a.Source}
		terms := match.Names(mi)
		hit := map[string]bool{}
		for _, h := range w.matcher.Match(mi) {
			hit[h.Topic] = true
		}
		for _, ac := range accs {
			if a.Seen.Before(ac.since) {
				continue
			}
			ac.bg.Add(terms)
			if hit[ac.f.id] {
				ac.fg.Add(match.Ref{Title: a.Title, URL: a.URL, Source: a.Source, Published: a.Published}, terms)
			}
		}
		return nil
	})
	out := make([]*follower, 0, len(accs))
	for _, ac := range accs {
		if ac.bg.Docs() < followMinBackground {
			continue // too few items read for frequencies to mean anything
		}
		o := ac.f.opts
		ac.f.profile = match.NewProfile(ac.fg, ac.bg, match.ProfileOptions{Terms: o.Terms, MinDocs: followMinDocs, MinLift: o.MinLift})
		out = append(out, ac.f)
	}
	// A damaged chunk costs the profile its items, not the cycle: the
	// error is logged and following goes on with what was read.
	return out, err
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
