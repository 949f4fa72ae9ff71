package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/pgstate"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

const stateUsage = `Usage:
  watcher state copy --from STATE --to STATE [--force]

Copies a state (a bbolt file or a postgres:// URL) into another: the
sources' health and validators, the seen keys with their times, the
digests with every sink's delivery, the latest matches, the stories
sent and the archive of items read. The target must be empty unless --force; with --force, keys and
digests it already has are kept as they are. Stop the watchers of both
first: a cycle writing meanwhile would be missed.
`

// copyChunk is how many seen keys are read before they are written, in
// one commit per distinct seen time among them: fewer, larger commits
// (about 4 MiB of keys held) copy faster than many small ones.
const copyChunk = 50000

// seenSource is a store whose seen keys can be listed, for copying.
type seenSource interface {
	watch.Store
	EachSeen(fn func(source, key string, at time.Time) error) error
}

// pgCopy lists a PostgreSQL store's seen keys for a copy.
type pgCopy struct {
	*watch.PGStore
	ctx context.Context
}

func (p pgCopy) EachSeen(fn func(source, key string, at time.Time) error) error {
	return p.DB.EachSeen(p.ctx, fn)
}

// copyClock is the target store's clock during a copy: set to each
// record's own time before it is committed, so seen keys and recent
// matches keep the times they had (a commit stamps them with "now").
type copyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *copyClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *copyClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// copyCounts is what a copy wrote.
type copyCounts struct {
	sources, seen, digests, deliveries, recent, stories, archived, skippedDigests, skippedStories int
	skippedArchive                                                                                bool
}

// runState dispatches `watcher state copy`.
func runState(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "copy" {
		fmt.Fprint(stderr, stateUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("watcher state copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, stateUsage) }
	from := fs.String("from", "", "the state to copy")
	to := fs.String("to", "", "the state to copy into")
	force := fs.Bool("force", false, "copy into a state that is not empty")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "watcher state copy: unexpected argument %q\n\n%s", fs.Arg(0), stateUsage)
		return exitUsage
	case *from == "" || *to == "":
		fmt.Fprint(stderr, "watcher state copy: give both --from and --to\n\n"+stateUsage)
		return exitUsage
	case *from == *to:
		fmt.Fprintf(stderr, "watcher state copy: --from and --to are the same state %s\n", config.RedactState(*from))
		return exitUsage
	}
	n, err := copyState(ctx, *from, *to, *force)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: state copy: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "copied %s to %s: %d sources, %d seen keys, %d digests (%d deliveries), %d recent matches, %d stories, %d archived items\n",
		config.RedactState(*from), config.RedactState(*to), n.sources, n.seen, n.digests, n.deliveries, n.recent, n.stories, n.archived)
	if n.skippedArchive {
		fmt.Fprintln(stdout, "the target has an archive already: the archive was not copied")
	}
	if n.skippedDigests > 0 {
		fmt.Fprintf(stdout, "%d digests were in the target already and were left as they are (and %d stories with them)\n",
			n.skippedDigests, n.skippedStories)
	}
	return exitOK
}

// copyState opens both states and copies from into to.
func copyState(ctx context.Context, from, to string, force bool) (copyCounts, error) {
	src, err := openCopySource(ctx, from)
	if err != nil {
		return copyCounts{}, err
	}
	defer src.Close()
	clk := &copyClock{t: time.Now()}
	dst, err := openCopyTarget(ctx, to, clk.Now)
	if err != nil {
		return copyCounts{}, err
	}
	defer dst.Close()
	if !force {
		if what, err := holds(dst); err != nil {
			return copyCounts{}, err
		} else if what != "" {
			return copyCounts{}, fmt.Errorf("target %s is not empty (it holds %s); use --force to copy into it", dst.Path(), what)
		}
	}
	n, err := copyInto(src, dst, clk)
	if err != nil {
		return n, fmt.Errorf("copy %s to %s: %w", src.Path(), dst.Path(), err)
	}
	return n, nil
}

// openCopySource opens the state to copy from, which must exist; a file
// is opened read-only.
func openCopySource(ctx context.Context, from string) (seenSource, error) {
	if config.IsPostgresURL(from) {
		p, err := openPG(ctx, from)
		if err != nil {
			return nil, err
		}
		return pgCopy{PGStore: p, ctx: ctx}, nil
	}
	return state.OpenReadOnly(from, state.Options{})
}

// openCopyTarget opens (or creates) the state to copy into, on clock now.
func openCopyTarget(ctx context.Context, to string, now func() time.Time) (watch.Store, error) {
	if config.IsPostgresURL(to) {
		octx, cancel := context.WithTimeout(ctx, pgOpenWait)
		defer cancel()
		db, err := pgstate.Open(octx, to, pgstate.Options{Now: now})
		if err != nil {
			return nil, err
		}
		return watch.NewPGStore(ctx, db), nil
	}
	return state.Open(to, state.Options{Now: now})
}

// holds says what a store already holds, or "" when it is empty.
func holds(s watch.Store) (string, error) {
	st, err := s.Stats()
	if err != nil {
		return "", err
	}
	ds, err := s.Digests()
	if err != nil {
		return "", err
	}
	recent, err := s.Recent()
	if err != nil {
		return "", err
	}
	if st.Sources+st.Seen+len(ds)+len(recent) == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d sources, %d seen keys, %d digests, recent matches of %d topics", st.Sources, st.Seen, len(ds), len(recent)), nil
}

// copyInto copies everything src holds into dst.
func copyInto(src seenSource, dst watch.Store, clk *copyClock) (copyCounts, error) {
	var n copyCounts
	sources, err := src.Sources()
	if err != nil {
		return n, err
	}
	if err := dst.Commit(state.Batch{Sources: sources}); err != nil {
		return n, err
	}
	n.sources = len(sources)
	if n.seen, err = copySeen(src, dst, clk); err != nil {
		return n, err
	}
	if err := copyDigests(src, dst, clk, &n); err != nil {
		return n, err
	}
	if n.recent, err = copyRecent(src, dst, clk); err != nil {
		return n, err
	}
	// The archive has no identity to tell a copied item from one already
	// there: into a target that holds an archive (--force), none is copied.
	if as, err := dst.ArchiveStats(); err != nil {
		return n, err
	} else if as.Chunks > 0 {
		n.skippedArchive = true
		return n, nil
	}
	n.archived, err = copyArchive(src, dst, clk)
	return n, err
}

// archiveChunk is how many archived items one commit of a copy writes.
const archiveChunk = 2048

// copyArchive copies the archive of items read, each commit stamped with
// the time its items were archived, so ranges and retention see them as
// the source did.
func copyArchive(src, dst watch.Store, clk *copyClock) (int, error) {
	var n int
	var at time.Time
	batch := map[string][]state.Archived{}
	held := 0
	flush := func() error {
		if held == 0 {
			return nil
		}
		clk.Set(at)
		if err := dst.Commit(state.Batch{Archive: batch}); err != nil {
			return err
		}
		n += held
		batch, held = map[string][]state.Archived{}, 0
		return nil
	}
	err := src.ArchiveRange(time.Time{}, time.Time{}, func(a state.Archived) error {
		if held > 0 && (!a.Seen.Equal(at) || held >= archiveChunk) {
			if err := flush(); err != nil {
				return err
			}
		}
		at = a.Seen
		batch[a.Source] = append(batch[a.Source], a)
		held++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("archive: %w", err)
	}
	return n, flush()
}

// copySeen copies the seen keys, committing those of one time together
// so that each keeps its time.
func copySeen(src seenSource, dst watch.Store, clk *copyClock) (int, error) {
	byTime := map[int64]map[string][]string{}
	buffered, total := 0, 0
	flush := func() error {
		for _, sec := range slices.Sorted(maps.Keys(byTime)) {
			clk.Set(time.Unix(sec, 0))
			if err := dst.Commit(state.Batch{Seen: byTime[sec]}); err != nil {
				return err
			}
		}
		total += buffered
		clear(byTime)
		buffered = 0
		return nil
	}
	err := src.EachSeen(func(source, key string, at time.Time) error {
		sec := at.Unix()
		if byTime[sec] == nil {
			byTime[sec] = map[string][]string{}
		}
		byTime[sec][source] = append(byTime[sec][source], key)
		if buffered++; buffered >= copyChunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return total, err
}

// copyDigests copies the digests with their deliveries, oldest first;
// the stories sent go in with the first, as a commit stores stories only
// with a digest.
func copyDigests(src, dst watch.Store, clk *copyClock, n *copyCounts) error {
	ds, err := src.Digests()
	if err != nil {
		return err
	}
	stories, err := src.Stories(time.Time{})
	if err != nil {
		return err
	}
	have, err := dst.Digests()
	if err != nil {
		return err
	}
	present := map[string]bool{}
	for _, d := range have {
		present[d.ID] = true
	}
	slices.SortStableFunc(ds, func(a, b state.Digest) int { return a.Created.Compare(b.Created) })
	for _, d := range ds {
		if present[d.ID] {
			n.skippedDigests++
			continue
		}
		b := state.Batch{Digest: &d}
		if n.digests == 0 {
			b.Stories = stories
		}
		clk.Set(d.Created)
		if err := dst.Commit(b); err != nil {
			return err
		}
		n.digests++
		n.deliveries += len(d.Sinks)
		n.stories += len(b.Stories)
	}
	switch {
	case n.digests > 0 || len(stories) == 0:
	case n.skippedDigests > 0:
		// Copying again with --force: the digests, and so their
		// stories, are there already.
		n.skippedStories = len(stories)
	default:
		return fmt.Errorf("%d stories and no digest to carry them (a store keeps stories only with a digest)", len(stories))
	}
	return nil
}

// copyRecent copies the latest matches, oldest first, each at its own
// time.
func copyRecent(src, dst watch.Store, clk *copyClock) (int, error) {
	recent, err := src.Recent()
	if err != nil {
		return 0, err
	}
	var all []state.Match
	for _, ms := range recent {
		all = append(all, ms...)
	}
	slices.SortStableFunc(all, func(a, b state.Match) int { return a.Matched.Compare(b.Matched) })
	for _, m := range all {
		clk.Set(m.Matched)
		if err := dst.Commit(state.Batch{Recent: []state.Match{m}}); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}
