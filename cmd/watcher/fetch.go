package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// fetchStateWait is how long `watcher fetch` waits for the state file's lock.
// A running daemon holds it for as long as it runs, so waiting longer
// would only delay the answer.
const fetchStateWait = 500 * time.Millisecond

// runFetch shows what one source yields now: its items, their dates and
// keys, which are new against the state, and which topics they match. It
// writes nothing: the state is opened read-only, and when a running
// watcher holds it the items' newness is shown as unknown, with a note.
func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watcher fetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, "Usage: watcher fetch [--config FILE] [--json] NAME|URL\n") }
	configPath := fs.String("config", "config.yaml", "configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	logLevel := fs.String("log-level", "warn", "log level")
	rest, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil || len(rest) != 1 {
		if err == nil {
			fmt.Fprintln(stderr, "watcher fetch: give one source name or URL")
		}
		fs.Usage()
		return exitUsage
	}
	log, err := newLogger(stderr, *logLevel, "text")
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitUsage
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return configError(stderr, err)
	}
	src, err := resolveSource(cfg, rest[0])
	if err != nil {
		fmt.Fprintf(stderr, "watcher fetch: %v\n", err)
		return exitUsage
	}
	st, note := openStateForLook(ctx, cfg)
	if st.Store != nil {
		defer st.Store.Close()
	}
	p, err := watch.FetchSource(ctx, cfg, src, st, watch.Options{Logger: log, Version: version})
	if err != nil {
		fmt.Fprintf(stderr, "watcher fetch: %v\n", err)
		return exitFailed
	}
	if *asJSON {
		err = printFetchJSON(stdout, p, note)
	} else {
		err = printFetch(stdout, p, note)
	}
	if err != nil {
		fmt.Fprintf(stderr, "watcher: write: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// parseInterspersed parses flags given before, between or after the
// positional arguments (`watcher fetch NAME --json`), which flag.Parse
// alone does not, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// openStateForLook opens the state read-only and says, when it cannot,
// what that means for the items' newness.
func openStateForLook(ctx context.Context, cfg *config.Config) (watch.PreviewState, string) {
	if cfg.StatePostgres() {
		// A database is read beside running cycles; Fetch writes nothing.
		store, err := openPG(ctx, cfg.State)
		if err != nil {
			return watch.PreviewState{}, fmt.Sprintf("state not read, newness unknown: %v", err)
		}
		return watch.PreviewState{Store: store}, ""
	}
	path := cfg.State
	store, err := state.OpenReadOnly(path, state.Options{Timeout: fetchStateWait})
	switch {
	case err == nil:
		return watch.PreviewState{Store: store}, ""
	case errors.Is(err, fs.ErrNotExist):
		return watch.PreviewState{NoFile: true}, fmt.Sprintf("no state file %s yet: every source is on its first read", path)
	case errors.Is(err, state.ErrLocked):
		return watch.PreviewState{}, fmt.Sprintf("state %s is held by a running watcher: which items are new is unknown (stop it, or run this between its cycles)", path)
	default:
		return watch.PreviewState{}, fmt.Sprintf("state not read, newness unknown: %v", err)
	}
}

// resolveSource finds the source arg names: a configured source by name
// or URL (or Telegram channel); otherwise a URL not in the configuration
// is read as a feed, and a t.me link or @channel as a Telegram channel.
func resolveSource(cfg *config.Config, arg string) (config.Source, error) {
	arg = strings.TrimSpace(arg)
	for _, s := range cfg.Sources {
		if s.Name == arg {
			return s, nil
		}
	}
	channel := ""
	if u, err := url.Parse(arg); strings.HasPrefix(arg, "@") ||
		(err == nil && (u.Host == "t.me" || u.Host == "telegram.me" || strings.HasPrefix(arg, "t.me/"))) {
		channel = config.TelegramChannel(arg)
	}
	for _, s := range cfg.Sources {
		if (channel != "" && strings.EqualFold(s.Telegram, channel)) || item.NormalizeURL(s.URL()) == item.NormalizeURL(arg) {
			return s, nil
		}
	}
	if channel != "" {
		return config.Source{Name: "@" + channel, Telegram: channel}, nil
	}
	if u, err := url.Parse(arg); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return config.Source{Name: arg, Feed: arg}, nil
	}
	return config.Source{}, fmt.Errorf("no source named %q in %s; give a source's name, or a feed URL, t.me link or @channel", arg, cfg.File)
}

// printFetch writes the preview as a table, one item a row.
func printFetch(w io.Writer, p watch.SourcePreview, note string) error {
	counts := map[watch.Newness]int{}
	send := 0
	for _, it := range p.Items {
		counts[it.Newness]++
		if it.WouldSend {
			send++
		}
	}
	fmt.Fprintf(w, "%s  %s\n", p.Source.Name, p.Source.URL())
	fmt.Fprintf(w, "%d items: %d new, %d seen, %d first read, %d unknown; %d would be sent\n",
		len(p.Items), counts[watch.ItemNew], counts[watch.ItemSeen], counts[watch.ItemFirstRead], counts[watch.ItemUnknown], send)
	if note != "" {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	if len(p.Items) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nNEWNESS\tSEND\tPUBLISHED\tKEY\tTOPICS\tTITLE\tURL")
	for _, it := range p.Items {
		topics := strings.Join(it.Topics, ",")
		if topics == "" {
			topics = "-"
		}
		published := it.Item.Published.UTC().Format("2006-01-02 15:04Z")
		if it.Item.DateGuessed {
			published = "? (no date)"
		}
		sendMark := "-"
		if it.WouldSend {
			sendMark = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Newness, sendMark, published, it.Key[:12], topics,
			rowText(it.Item.Title, 80), it.Item.URL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, it := range p.Items {
		if it.Pending != nil {
			fmt.Fprintf(w, "article page of %s not read: %v\n", it.Item.URL, it.Pending)
		}
	}
	return nil
}

// rowText fits s on one table row of at most n runes.
func rowText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// fetchJSON is the --json form of the preview.
type fetchJSON struct {
	Source string          `json:"source"`
	URL    string          `json:"url"`
	Note   string          `json:"note,omitempty"`
	Items  []fetchJSONItem `json:"items"`
}

type fetchJSONItem struct {
	Key          string    `json:"key"`
	GUID         string    `json:"guid,omitempty"`
	URL          string    `json:"url,omitempty"`
	Title        string    `json:"title"`
	Summary      string    `json:"summary,omitempty"`
	Body         string    `json:"body,omitempty"`
	Published    time.Time `json:"published"`
	DateGuessed  bool      `json:"date_guessed,omitempty"`
	Newness      string    `json:"newness"`
	Topics       []string  `json:"topics"`
	WouldSend    bool      `json:"would_send"`
	ArticleError string    `json:"article_error,omitempty"`
}

func printFetchJSON(w io.Writer, p watch.SourcePreview, note string) error {
	out := fetchJSON{Source: p.Source.Name, URL: p.Source.URL(), Note: note, Items: []fetchJSONItem{}}
	for _, it := range p.Items {
		j := fetchJSONItem{
			Key: it.Key, GUID: it.Item.GUID, URL: it.Item.URL, Title: it.Item.Title, Summary: it.Item.Summary,
			Body: it.Item.Body, Published: it.Item.Published.UTC(), DateGuessed: it.Item.DateGuessed,
			Newness: string(it.Newness), Topics: append([]string{}, it.Topics...), WouldSend: it.WouldSend,
		}
		if it.Pending != nil {
			j.ArticleError = it.Pending.Error()
		}
		out.Items = append(out.Items, j)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
