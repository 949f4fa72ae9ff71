package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/watch"
)

// archiveFlags are the flags of the commands that read the archive.
type archiveFlags struct {
	archive      bool   // match: over the archive instead of stdin
	topic        string // match --archive, suggest
	since, until string
	json         bool
	terms        int // suggest: how many
}

// addArchiveFlags declares the flags of the commands that read the archive.
func addArchiveFlags(fs *flag.FlagSet, cmd string, f *archiveFlags) {
	switch cmd {
	case "match", "search", "suggest":
	default:
		return
	}
	if cmd == "match" {
		fs.BoolVar(&f.archive, "archive", false, "match a topic over the archive instead of stdin")
	}
	if cmd != "search" {
		fs.StringVar(&f.topic, "topic", "", "topic id")
	}
	fs.StringVar(&f.since, "since", "", "from this date, time or age")
	if cmd != "suggest" {
		fs.StringVar(&f.until, "until", "", "up to this date, time or age")
		fs.BoolVar(&f.json, "json", false, "one JSON object a line")
	} else {
		fs.IntVar(&f.terms, "terms", 20, "how many terms")
	}
}

// parseWhen reads --since and --until: a date (2025-06-27), a time (RFC
// 3339), or an age before now such as 72h or 30d. Empty is the zero time.
func parseWhen(flag, s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--%s: want a date such as 2025-06-27, a time in RFC 3339, or an age such as 72h or 30d (got %q)", flag, s)
}

// archiveRange parses --since and --until; --until defaults to now.
func archiveRange(f archiveFlags, now time.Time) (since, until time.Time, err error) {
	if since, err = parseWhen("since", f.since, now); err != nil {
		return since, until, err
	}
	if until, err = parseWhen("until", f.until, now); err != nil {
		return since, until, err
	}
	if !until.IsZero() && !since.IsZero() && !since.Before(until) {
		return since, until, fmt.Errorf("--since %s is not before --until %s", f.since, f.until)
	}
	return since, until, nil
}

// openArchive loads the configuration and opens its state for reading, as
// status does: beside a running daemon, on either store.
func openArchive(g globals, stderr io.Writer) (watch.Store, int) {
	cfg, err := loadConfig(g.config)
	if err != nil {
		return nil, configError(stderr, err)
	}
	store, err := openForStatus(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return nil, exitFailed
	}
	return store, exitOK
}

// runSearch runs a query over the archive and prints what it matched,
// newest first.
func runSearch(g globals, query string, stdout, stderr io.Writer) int {
	if strings.TrimSpace(query) == "" {
		fmt.Fprintf(stderr, "watcher: search: give a query, e.g. watcher search 'Kartavykh OR Картавых'\n")
		return exitUsage
	}
	since, until, err := archiveRange(g.arch, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "watcher: search: %v\n", err)
		return exitUsage
	}
	m, err := match.Compile([]match.Topic{{ID: "search", Query: query}})
	if err != nil {
		fmt.Fprintf(stderr, "watcher: search: query: %v\n", err)
		return exitUsage
	}
	store, code := openArchive(g, stderr)
	if store == nil {
		return code
	}
	defer store.Close()
	found, err := watch.SearchArchive(store, m, since, until)
	return printFound(g, m, found, err, stdout, stderr)
}

// runMatchArchive shows what one configured topic, as configured now,
// would have sent over a range of the archive.
func runMatchArchive(g globals, stdout, stderr io.Writer) int {
	if g.arch.topic == "" {
		fmt.Fprintf(stderr, "watcher: match --archive: give the topic with --topic ID\n")
		return exitUsage
	}
	since, until, err := archiveRange(g.arch, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "watcher: match: %v\n", err)
		return exitUsage
	}
	cfg, err := loadConfig(g.config)
	if err != nil {
		return configError(stderr, err)
	}
	t, err := watch.Topic(cfg, g.arch.topic)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: match: %v\n", err)
		return exitUsage
	}
	m, err := match.Compile([]match.Topic{watch.MatchTopic(t)})
	if err != nil {
		return configError(stderr, err)
	}
	store, err := openForStatus(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitFailed
	}
	defer store.Close()
	found, err := watch.SearchArchive(store, m, since, until)
	return printFound(g, m, found, err, stdout, stderr)
}

// foundJSON is one line of `watcher search --json`.
type foundJSON struct {
	Published string   `json:"published"`
	Seen      string   `json:"seen"`
	Source    string   `json:"source"`
	Title     string   `json:"title"`
	URL       string   `json:"url"`
	Terms     []string `json:"terms"`
	Snippet   string   `json:"snippet"`
}

// printFound prints the items found, newest first: time, source, title
// and link, with the explanation under each if asked. A damaged part of
// the archive is reported after what could be read, with exit code 1.
func printFound(g globals, m *match.Matcher, found []watch.Found, readErr error, stdout, stderr io.Writer) int {
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for _, f := range found {
		a := f.Item
		if g.arch.json {
			_ = enc.Encode(foundJSON{Published: stamp(a.Published), Seen: stamp(a.Seen), Source: a.Source, Title: a.Title,
				URL: a.URL, Terms: f.Hit.Terms, Snippet: f.Hit.Snippet})
			continue
		}
		fmt.Fprintf(out, "%s  %s  %s\n  %s\n", shortTime(a.Published), a.Source, a.Title, a.URL)
		if g.explain {
			for _, e := range m.Explain(match.Item{Title: a.Title, Summary: a.Summary, Body: a.Body}) {
				for line := range strings.SplitSeq(strings.TrimRight(e.String(), "\n"), "\n") {
					fmt.Fprintf(out, "    %s\n", line)
				}
			}
		}
	}
	if !g.arch.json {
		fmt.Fprintf(out, "%d items\n", len(found))
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "watcher: write: %v\n", err)
		return exitFailed
	}
	if readErr != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", readErr)
		return exitFailed
	}
	return exitOK
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "                " // as wide as the layout
	}
	return t.UTC().Format("2006-01-02 15:04")
}
