package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/opml"
)

const sourcesUsage = `Usage:
  watcher sources import [--config FILE] FILE.opml   print the OPML's feeds as sources: entries
  watcher sources export [--config FILE]             print the feed sources as OPML 2.0

import reads "-" as standard input. It prints YAML to paste into the
configuration and changes no file; feeds whose URL the configuration (or
the list itself) already has are left out, and names are made unique.
`

// runSources dispatches `watcher sources import|export`.
func runSources(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, sourcesUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("watcher sources "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, sourcesUsage) }
	configPath := fs.String("config", "config.yaml", "configuration file")
	rest, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	if args[0] == "export" {
		if len(rest) != 0 {
			fmt.Fprintf(stderr, "watcher sources export: unexpected argument %q\n", rest[0])
			return exitUsage
		}
		return exportSources(*configPath, stdout, stderr)
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, "watcher sources import: give one OPML file\n\n"+sourcesUsage)
		return exitUsage
	}
	return importSources(*configPath, explicit, rest[0], stdin, stdout, stderr)
}

// exportSources writes the configured feed sources as OPML 2.0. Page and
// Telegram sources have no feed URL for a reader to subscribe to; the
// document says how many were left out.
func exportSources(configPath string, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(configPath)
	if err != nil {
		return configError(stderr, err)
	}
	var feeds []opml.Feed
	for _, s := range cfg.Sources {
		if s.Feed == "" {
			continue
		}
		f := opml.Feed{Title: s.Name, XMLURL: s.Feed, Extra: map[string]string{}}
		if s.Lang != "" {
			f.Extra["lang"] = s.Lang
		}
		if s.Fulltext {
			f.Extra["fulltext"] = "true"
		}
		if s.Interval > 0 {
			f.Extra["interval"] = s.Interval.String()
		}
		if s.Jitter > 0 {
			f.Extra["jitter"] = s.Jitter.String()
		}
		feeds = append(feeds, f)
	}
	note := ""
	if left := len(cfg.Sources) - len(feeds); left > 0 {
		note = fmt.Sprintf("%d page and telegram sources of %s left out: they have no feed URL", left, cfg.File)
	}
	if err := opml.Write(stdout, "watcher sources from "+cfg.File, feeds, time.Now(), note); err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// importSources prints the feeds of an OPML file as sources entries.
// The configuration, when there is one, is read to leave out feeds it
// has and to keep names unique; a missing default config.yaml is no
// error (a first import), a named one that fails to load is.
func importSources(configPath string, explicit bool, file string, stdin io.Reader, stdout, stderr io.Writer) int {
	existing := &config.Config{File: configPath}
	if _, err := os.Stat(configPath); err == nil || explicit {
		if existing, err = loadConfig(configPath); err != nil {
			return configError(stderr, err)
		}
	}
	in, name := stdin, "standard input"
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintf(stderr, "watcher sources import: %v\n", err)
			return exitFailed
		}
		defer f.Close()
		in, name = f, file
	}
	feeds, skipped, err := opml.Parse(in)
	if err != nil {
		fmt.Fprintf(stderr, "watcher sources import: %s: %v\n", name, err)
		return exitFailed
	}
	imp := newImporter(existing)
	for _, f := range feeds {
		imp.add(name, f)
	}
	for _, s := range skipped {
		imp.leftOut = append(imp.leftOut, fmt.Sprintf("%s:%d: %q (type %s): not a feed", name, s.Line, s.Title, s.Type))
	}
	if err := imp.write(stdout, name); err != nil {
		fmt.Fprintf(stderr, "watcher: write: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stderr, "watcher sources import: %d sources from %s; %d left out (listed in the output's comments)\n",
		len(imp.entries), name, len(imp.leftOut))
	return exitOK
}

// importer turns OPML feeds into source entries, once per URL.
type importer struct {
	cfg     *config.Config
	names   map[string]bool
	urls    map[string]string // normalised URL: who has it
	entries []importEntry
	leftOut []string
}

type importEntry struct {
	src      config.Source
	category string
}

func newImporter(cfg *config.Config) *importer {
	imp := &importer{cfg: cfg, names: map[string]bool{}, urls: map[string]string{}}
	for _, s := range cfg.Sources {
		imp.names[s.Name] = true
		imp.urls[item.NormalizeURL(s.URL())] = fmt.Sprintf("source %q of %s", s.Name, cfg.File)
	}
	return imp
}

// add makes a source of f, unless its URL is not a web address or is
// already taken.
func (imp *importer) add(file string, f opml.Feed) {
	at := fmt.Sprintf("%s:%d", file, f.Line)
	u, err := url.Parse(f.XMLURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		imp.leftOut = append(imp.leftOut, fmt.Sprintf("%s: %q: feed URL %q is not an http or https address", at, f.Title, f.XMLURL))
		return
	}
	key := item.NormalizeURL(f.XMLURL)
	if who, dup := imp.urls[key]; dup {
		imp.leftOut = append(imp.leftOut, fmt.Sprintf("%s: %s: already in %s", at, f.XMLURL, who))
		return
	}
	imp.urls[key] = fmt.Sprintf("%s at line %d (listed twice)", file, f.Line)
	s := config.Source{Name: imp.uniqueName(f.Title, u.Host), Feed: f.XMLURL, Lang: f.Extra["lang"]}
	s.Fulltext = f.Extra["fulltext"] == "true"
	s.Interval, _ = time.ParseDuration(f.Extra["interval"])
	s.Jitter, _ = time.ParseDuration(f.Extra["jitter"])
	imp.entries = append(imp.entries, importEntry{src: s, category: strings.Join(f.Categories, " / ")})
}

// uniqueName is title (or host, when the outline has none), with " 2",
// " 3" … added while the name is taken.
func (imp *importer) uniqueName(title, host string) string {
	base := title
	if base == "" {
		base = strings.TrimPrefix(strings.ToLower(host), "www.")
	}
	name := base
	for n := 2; imp.names[name]; n++ {
		name = base + " " + strconv.Itoa(n)
	}
	imp.names[name] = true
	return name
}

// write prints the entries as a sources: list, each category's first
// entry headed by a comment, and what was left out as comments at the end.
func (imp *importer) write(w io.Writer, file string) error {
	list := &yaml.Node{Kind: yaml.SequenceNode}
	category := ""
	for _, e := range imp.entries {
		m := &yaml.Node{Kind: yaml.MappingNode}
		add := func(k, v string) {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
		}
		add("name", e.src.Name)
		add("feed", e.src.Feed)
		if e.src.Lang != "" {
			add("lang", e.src.Lang)
		}
		if e.src.Fulltext {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "fulltext"}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		}
		if e.src.Interval > 0 {
			add("interval", e.src.Interval.String())
		}
		if e.src.Jitter > 0 {
			add("jitter", e.src.Jitter.String())
		}
		if e.category != category && e.category != "" {
			m.HeadComment = e.category
		}
		category = e.category
		list.Content = append(list.Content, m)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "sources"}, list}}
	doc.HeadComment = fmt.Sprintf("Sources imported from %s: paste the entries into the sources: list of %s.", file, imp.cfg.File)
	if len(list.Content) == 0 {
		list.Style = yaml.FlowStyle
	}
	if len(imp.leftOut) > 0 {
		doc.FootComment = "Left out:\n" + strings.Join(imp.leftOut, "\n")
	}
	var buf strings.Builder
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	out := buf.String()
	if !strings.HasSuffix(out, "\n") {
		out += "\n" // the encoder ends a foot comment without one
	}
	_, err := io.WriteString(w, out)
	return err
}
