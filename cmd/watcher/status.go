package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/state"
)

// runStatus prints what the state file knows: each configured source's
// health, and the digests still waiting for a sink or given up on. It
// needs the state file's lock, so it fails clearly while a cycle runs.
func runStatus(g globals, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(g.config)
	if err != nil {
		return configError(stderr, err)
	}
	store, err := state.Open(cfg.State, state.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitFailed
	}
	defer store.Close()
	if err := printStatus(stdout, cfg.Sources, store); err != nil {
		fmt.Fprintf(stderr, "watcher: status: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func printStatus(w io.Writer, sources []config.Source, store *state.Store) error {
	st, err := store.Stats()
	if err != nil {
		return err
	}
	health, err := store.Sources()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSEEN\tLAST SUCCESS\tFAILURES\tNEXT ATTEMPT\tLAST ERROR\tNOTE")
	for _, src := range sources {
		h := health[src.Name]
		// The row names the source; its error need not say it again.
		lastErr := strings.TrimPrefix(h.LastError, fmt.Sprintf("source %q (%s): ", src.Name, src.URL()))
		if lastErr == "" {
			lastErr = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\t%s\n", src.Name, st.SeenBySource[src.Name],
			when(h.LastSuccess), h.Failures, when(h.NextAttempt), lastErr, sourceNote(h))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	digests, err := store.Digests()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nstate %s: %d seen items, %d bytes; digests: %d pending, %d parked, %d delivered\n",
		store.Path(), st.Seen, st.FileSize, st.Pending, st.Parked, st.Delivered)
	if as, err := store.ArchiveStats(); err == nil && as.Chunks > 0 {
		fmt.Fprintf(w, "archive: %d chunks, %d bytes, read from %s to %s\n",
			as.Chunks, as.Bytes, as.Oldest.Format(time.RFC3339), as.Newest.Format(time.RFC3339))
	}
	for _, d := range digests {
		if d.Delivered() {
			continue
		}
		sinks := make([]string, 0, len(d.Sinks))
		for name := range d.Sinks {
			sinks = append(sinks, name)
		}
		slices.Sort(sinks)
		for _, name := range sinks {
			del := d.Sinks[name]
			status := "pending"
			switch {
			case del.Delivered:
				status = "delivered"
			case del.Parked:
				status = "PARKED"
			}
			fmt.Fprintf(w, "digest %s (%s) -> %s: %s after %d attempts %s\n",
				d.ID, d.Created.UTC().Format(time.RFC3339), name, status, del.Attempts, del.LastError)
		}
	}
	return nil
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
	if len(notes) == 0 {
		return "-"
	}
	return strings.Join(notes, "; ")
}

// when formats a time for the status table.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}
