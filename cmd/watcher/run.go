package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Exit codes, documented in README.md and --help.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

const usage = `watcher keeps watch on a news story and sends digests of new items.

Usage:
  watcher [flags]                   run cycles on the configured schedule
  watcher --once [flags]            run one cycle and exit
  watcher check [flags]             validate the configuration and exit
  watcher match [flags] [--explain] < items.jsonl
                                    match JSON lines (id, title, summary, body,
                                    lang, source, published) against the topics
  watcher match --archive --topic ID [--since D] [--until D] [--explain] [--json]
                                    what the topic would have sent from the archive
  watcher search [flags] [--since D] [--until D] [--explain] [--json] QUERY
                                    run a query over the archive, newest first
  watcher suggest --topic ID [--since D] [--terms N]
                                    significant terms of the topic's recent matches
  watcher status [flags]            show source health and pending digests
  watcher preview [flags] [--format text|html|json] [--sink NAME]
                                    show the next digest without sending it
                                    (with --sink, as that sink will get it)
  watcher fetch [flags] [--json] NAME|URL
                                    show what a source yields now: items,
                                    dates, keys, which are new, which match
                                    (reads the state, never writes it)
  watcher sources import FILE.opml  print OPML subscriptions as sources: entries
  watcher sources export [flags]    print the feed sources as OPML 2.0
  watcher state copy --from STATE --to STATE [--force]
                                    copy a state (file or postgres:// URL)
                                    into an empty one, times and all
  watcher test-sink [flags] NAME    send a test message to one sink now
                                    (exit 0 delivered, 1 not delivered)
  watcher version                   print the version

Flags:
  --config FILE       configuration file (default config.yaml)
  --log-level LEVEL   debug, info, warn or error (default info)
  --log-format FMT    text or json (default text)
  --replica NAME      run (--once or the daemon) as one of several watchers
                      sharing a postgres:// state: each cycle fetches only
                      the due sources no other replica has, and only the
                      replica holding the sender lock delivers
  --cpuprofile FILE   write a CPU profile (go tool pprof) of the run
  --memprofile FILE   write an allocation profile at exit
  --since, --until D  a date (2025-06-27), an RFC 3339 time, or an age (72h, 30d)

Exit codes: 0 success; 1 a run failed (state file, a digest that was not
delivered and is kept for the next run, or no source could be read: each
failed or is backed off); 2 usage or configuration error.

Signals: SIGTERM or SIGINT stop the daemon after its running cycle is
cancelled; SIGHUP reloads the configuration (on an error the old one stays).
`

// globals are the flags every subcommand takes.
type globals struct {
	config    string
	logLevel  string
	logFormat string
	once      bool
	replica   string
	explain   bool
	format    string
	sink      string // preview: one sink's digest
	cpuProf   string
	memProf   string
	arch      archiveFlags
}

// run is the whole program behind main: it parses the arguments, builds the
// logger and dispatches to a subcommand, returning the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd { // commands with arguments of their own parse their flags themselves
	case "fetch":
		return runFetch(ctx, args, stdout, stderr)
	case "sources":
		return runSources(args, stdin, stdout, stderr)
	case "state":
		return runState(ctx, args, stdout, stderr)
	}
	var g globals
	fs := flag.NewFlagSet("watcher", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	fs.StringVar(&g.config, "config", "config.yaml", "configuration file")
	fs.StringVar(&g.logLevel, "log-level", "info", "log level")
	fs.StringVar(&g.logFormat, "log-format", "text", "log format")
	if cmd == "" {
		fs.BoolVar(&g.once, "once", false, "run one cycle and exit")
		fs.StringVar(&g.replica, "replica", "", "run as this replica among several on one PostgreSQL state")
		fs.StringVar(&g.cpuProf, "cpuprofile", "", "write a CPU profile to this file")
		fs.StringVar(&g.memProf, "memprofile", "", "write an allocation profile to this file at exit")
	}
	if cmd == "match" || cmd == "search" {
		fs.BoolVar(&g.explain, "explain", false, "explain per item and topic")
	}
	if cmd == "preview" {
		fs.StringVar(&g.format, "format", "text", "text, html or json")
		fs.StringVar(&g.sink, "sink", "", "show what waits for this sink only")
	}
	addArchiveFlags(fs, cmd, &g.arch)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	var sinkName, query string
	switch cmd {
	case "test-sink":
		var err error
		if sinkName, err = sinkArg(fs); err != nil {
			fmt.Fprintf(stderr, "watcher: test-sink: %v\n\n%s", err, usage)
			return exitUsage
		}
	case "search":
		query = strings.Join(fs.Args(), " ")
	}
	if cmd != "search" && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "watcher: unexpected argument %q\n\n%s", fs.Arg(0), usage)
		return exitUsage
	}
	log, err := newLogger(stderr, g.logLevel, g.logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitUsage
	}
	switch cmd {
	case "":
		stopProfiles, err := startProfiles(g)
		if err != nil {
			fmt.Fprintf(stderr, "watcher: %v\n", err)
			return exitUsage
		}
		defer stopProfiles()
		return runWatch(ctx, g, stdout, log)
	case "check":
		return runCheck(g, stdout, stderr)
	case "match":
		if g.arch.archive {
			return runMatchArchive(g, stdout, stderr)
		}
		return runMatch(g, stdin, stdout, stderr)
	case "search":
		return runSearch(g, query, stdout, stderr)
	case "suggest":
		return runSuggest(g, stdout, stderr)
	case "status":
		return runStatus(g, stdout, stderr)
	case "preview":
		return runPreview(g, stdout, stderr)
	case "test-sink":
		return runTestSink(ctx, g, sinkName, stdout, stderr, log)
	case "version":
		fmt.Fprintln(stdout, "watcher", version)
		return exitOK
	case "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "watcher: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

// newLogger builds the one logger of the process.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format: want text or json, got %q", format)
	}
}
