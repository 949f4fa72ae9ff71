package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/serve"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// runStatus prints each configured source's health, and the digests still
// waiting for a sink or given up on. With http.listen set it asks the
// running daemon (see statusFromDaemon); without, or when no daemon
// answers there, it reads the state file. The daemon holds the state file
// only during its cycles, so status reads it between them; during a cycle
// it waits a few seconds, then says so.
func runStatus(g globals, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(g.config)
	if err != nil {
		return configError(stderr, err)
	}
	if st, from, ok := statusFromDaemon(cfg, stderr); ok {
		if err := st.WriteText(stdout); err != nil {
			fmt.Fprintf(stderr, "watcher: status: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "(from the running daemon at %s, as of its last cycle: %s)\n", from, serve.When(st.Taken))
		return exitOK
	}
	store, err := openForStatus(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitFailed
	}
	defer store.Close()
	sinks, err := watch.SinkNames(cfg)
	if err != nil {
		return configError(stderr, err)
	}
	if err := printStatus(stdout, cfg.Sources, sinks, store); err != nil {
		fmt.Fprintf(stderr, "watcher: status: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func printStatus(w io.Writer, sources []config.Source, sinks []string, store watch.Store) error {
	st, err := statusOf(sources, sinks, store, time.Now())
	if err != nil {
		return err
	}
	if err := st.WriteText(w); err != nil {
		return err
	}
	if as, err := store.ArchiveStats(); err == nil && as.Chunks > 0 {
		_, err = fmt.Fprintf(w, "archive: %d chunks, %d bytes, read from %s to %s\n",
			as.Chunks, as.Bytes, as.Oldest.Format(time.RFC3339), as.Newest.Format(time.RFC3339))
		return err
	}
	return nil
}

// statusOf reads the status table's data from the state file: the one
// source of it for `watcher status` and the daemon's /status.
// Sinks are the configured sinks' names: a digest waiting for another is
// marked so.
func statusOf(sources []config.Source, sinks []string, store watch.Store, now time.Time) (serve.Status, error) {
	stats, err := store.Stats()
	if err != nil {
		return serve.Status{}, err
	}
	health, err := store.Sources()
	if err != nil {
		return serve.Status{}, err
	}
	digests, err := store.Undelivered()
	if err != nil {
		return serve.Status{}, err
	}
	out := serve.Status{
		Taken: now.UTC(),
		State: serve.StateStatus{Path: store.Path(), Seen: stats.Seen, FileSize: stats.FileSize,
			Pending: stats.Pending, Held: stats.Held, Parked: stats.Parked, Delivered: stats.Delivered},
	}
	for _, src := range sources {
		h := health[src.Name]
		out.Sources = append(out.Sources, serve.SourceStatus{
			Name: src.Name, Seen: stats.SeenBySource[src.Name], LastSuccess: h.LastSuccess,
			Failures: h.Failures, NextAttempt: h.NextAttempt,
			// The row names the source; its error need not say it again.
			LastError: strings.TrimPrefix(h.LastError, fmt.Sprintf("source %q (%s): ", src.Name, src.URL())),
			Note:      sourceNote(h),
		})
	}
	for _, d := range digests {
		for _, name := range slices.Sorted(maps.Keys(d.Sinks)) {
			del := d.Sinks[name]
			status := "pending"
			switch {
			case del.MergedInto != "":
				status = "gathered into scheduled digest " + del.MergedInto
			case del.Delivered:
				status = "delivered"
			case del.Held:
				status = "held for the sink's digest time (its schedule or the end of its quiet hours)"
			case del.Parked:
				status = "PARKED"
			}
			if del.Parts > 0 && !del.Delivered {
				status += fmt.Sprintf(" (first %d parts sent)", del.Parts)
			}
			out.Digests = append(out.Digests, serve.DigestStatus{ID: d.ID, Created: d.Created, Sink: name,
				Status: status + goneNote(name, del, sinks), Attempts: del.Attempts, LastError: del.LastError})
		}
	}
	return out, nil
}

// sourceNote says what the last cycle left undone for a source: it was
// not reached, or items wait for their article pages.
func sourceNote(h state.Source) string {
	var notes []string
	if h.NotReached != "" {
		notes = append(notes, "not reached last cycle ("+h.NotReached+"); goes first next cycle")
	}
	if n := len(h.ArticleTries); n > 0 {
		notes = append(notes, fmt.Sprintf("%d new items wait for their article page", n))
	}
	return strings.Join(notes, "; ")
}

// goneNote explains a delivery to a sink no longer configured.
func goneNote(name string, del *state.Delivery, configured []string) string {
	switch {
	case slices.Contains(configured, name) || del.Delivered:
		return ""
	case del.Parked:
		return " (sink no longer configured)"
	default:
		return " (sink no longer configured: the next cycle sends the digest to the configured sinks that lack it)"
	}
}
