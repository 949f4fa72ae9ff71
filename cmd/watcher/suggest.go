package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/watch"
)

// runSuggest prints the significant terms of a topic's recent matches,
// with counts and example headlines, and the new ones ready to paste
// into the query.
func runSuggest(g globals, stdout, stderr io.Writer) int {
	if g.arch.topic == "" {
		fmt.Fprintf(stderr, "watcher: suggest: give the topic with --topic ID\n")
		return exitUsage
	}
	if g.arch.since == "" {
		g.arch.since = "30d"
	}
	since, _, err := archiveRange(g.arch, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "watcher: suggest: %v\n", err)
		return exitUsage
	}
	cfg, err := loadConfig(g.config)
	if err != nil {
		return configError(stderr, err)
	}
	t, err := watch.Topic(cfg, g.arch.topic)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: suggest: %v\n", err)
		return exitUsage
	}
	store, err := openForStatus(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitFailed
	}
	defer store.Close()
	sug, err := watch.Suggest(store, t, since, g.arch.terms)
	if err != nil && sug.Read == 0 {
		fmt.Fprintf(stderr, "watcher: suggest: %v\n", err)
		return exitFailed
	}
	inQuery, cerr := match.Compile([]match.Topic{watch.MatchTopic(t)})
	if cerr != nil {
		return configError(stderr, cerr)
	}
	if werr := printSuggestion(stdout, t.ID, since, sug, inQuery); werr != nil {
		fmt.Fprintf(stderr, "watcher: write: %v\n", werr)
		return exitFailed
	}
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// printSuggestion prints the table and the paste line. A term the query
// already finds (its own word, or a prefix of the query's) is marked and
// left out of the paste line.
func printSuggestion(w io.Writer, topic string, since time.Time, s watch.Suggestion, query *match.Matcher) error {
	fmt.Fprintf(w, "topic %s: %d matches among %d items read since %s\n", topic, s.Matches, s.Read, since.UTC().Format("2006-01-02 15:04"))
	fmt.Fprintln(w, "score: JLH, as Elasticsearch's significant_terms: (fg - bg) * fg / bg, fg and bg the shares of matches and of all items with the term")
	if len(s.Terms) == 0 {
		_, err := fmt.Fprintln(w, "no significant terms yet: each must occur in at least 2 matches")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TERM\tMATCHES\tALL\tSCORE\tFORMS\tEXAMPLES")
	var paste []string
	for _, t := range s.Terms {
		name := t.Paste
		if len(query.Match(match.Item{Title: t.Form})) > 0 || len(query.Explain(match.Item{Title: t.Form})[0].Found) > 0 {
			name += " (in query)"
		} else {
			paste = append(paste, t.Paste)
		}
		var examples []string
		for _, ex := range t.Examples[:min(len(t.Examples), 2)] {
			e := strconv.Quote(ex.Title)
			if ex.Source != "" {
				e += " (" + ex.Source + ")"
			}
			examples = append(examples, e)
		}
		example := strings.Join(examples, "; ")
		fmt.Fprintf(tw, "%s\t%d/%d\t%d/%d\t%.2f\t%s\t%s\n", name, t.FG, t.FGDocs, t.BG, t.BGDocs, t.Score,
			strings.Join(t.Forms, ", "), example)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(paste) == 0 {
		_, err := fmt.Fprintln(w, "\nthe query already has every term")
		return err
	}
	_, err := fmt.Fprintf(w, "\nto paste into the query:\n  OR %s\n", strings.Join(paste, " OR "))
	return err
}
