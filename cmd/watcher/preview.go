package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// runPreview prints the next digest (what waits for delivery or for a
// schedule, or else the digest delivered last) as text, HTML or JSON,
// without sending it and without writing to the state file. What it
// shows goes to stdout; what it is (how many digests, for which sinks)
// to stderr, so stdout can be piped into a browser or a file.
func runPreview(g globals, stdout, stderr io.Writer) int {
	switch g.format {
	case "text", "html", "json":
	default:
		fmt.Fprintf(stderr, "watcher: preview: --format: want text, html or json, got %q\n", g.format)
		return exitUsage
	}
	cfg, err := loadConfig(g.config)
	if err != nil {
		return configError(stderr, err)
	}
	tmpl, err := watch.Templates(cfg)
	if err != nil {
		return configError(stderr, err)
	}
	if _, err := os.Stat(cfg.State); !cfg.StatePostgres() && errors.Is(err, fs.ErrNotExist) {
		// Opening would create the file: a preview writes nothing.
		fmt.Fprintf(stderr, "watcher: preview: nothing to preview: no state file %s yet (no cycle has run)\n", cfg.State)
		return exitOK
	}
	store, err := openStore(context.Background(), cfg, state.Options{}, "")
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return exitFailed
	}
	defer store.Close()
	var p watch.Preview
	var ok bool
	if g.sink != "" {
		p, ok, err = watch.NextDigestFor(cfg, store, time.Now(), g.sink)
	} else {
		p, ok, err = watch.NextDigest(cfg, store, time.Now())
	}
	if errors.Is(err, watch.ErrNoSink) {
		fmt.Fprintf(stderr, "watcher: preview: --sink: %v\n", err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "watcher: preview: %v\n", err)
		return exitFailed
	}
	switch {
	case !ok && g.sink != "":
		fmt.Fprintf(stderr, "watcher: preview: nothing to preview: no digest waits for %s\n", g.sink)
		return exitOK
	case !ok:
		fmt.Fprintln(stderr, "watcher: preview: nothing to preview: no digest waits, and none was delivered yet")
		return exitOK
	}
	if p.Pending {
		fmt.Fprintf(stderr, "watcher: preview: next digest: %d items from %d stored digests, waiting for %s (not sent)\n",
			p.Digest.Count(), p.Stored, strings.Join(p.Sinks, ", "))
		if p.Routed {
			fmt.Fprintln(stderr, "watcher: preview: these sinks take different topics: this shows them all, and each takes its own topics; --sink NAME shows one sink's")
		}
	} else {
		fmt.Fprintf(stderr, "watcher: preview: nothing waits; the digest delivered last, %s (%d items):\n",
			p.Digest.ID, p.Digest.Count())
	}
	out, err := render(tmpl, p.Digest, g.format)
	if err != nil {
		// A custom template that failed: out is the built-in rendering.
		fmt.Fprintf(stderr, "watcher: preview: %v; shown with the built-in template\n", err)
	}
	if out == "" {
		return exitFailed
	}
	fmt.Fprint(stdout, out)
	if !strings.HasSuffix(out, "\n") {
		fmt.Fprintln(stdout)
	}
	return exitOK
}

// render renders d in format with the configured templates.
func render(tmpl *alert.Templates, d alert.Digest, format string) (string, error) {
	switch format {
	case "html":
		return tmpl.HTML(d)
	case "json":
		b, err := alert.JSON(d)
		return string(b), err
	default:
		return tmpl.Text(d)
	}
}
