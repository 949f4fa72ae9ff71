package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/watcher-news/watcher/watch"
)

// runTestSink sends a test message to one sink now and says how it went:
// exit 0 when the sink accepted it, 1 when it did not, 2 when the
// configuration is bad or names no such sink.
func runTestSink(ctx context.Context, g globals, name string, stdout, stderr io.Writer, log *slog.Logger) int {
	cfg, err := loadConfig(g.config)
	if err != nil {
		return configError(stderr, err)
	}
	sink, err := watch.TestSink(ctx, cfg, name, watch.Options{Logger: log, Stdout: stdout, Version: version})
	switch {
	case errors.Is(err, watch.ErrNoSink):
		fmt.Fprintf(stderr, "watcher: test-sink: %v\n", err)
		return exitUsage
	case err != nil && sink == "":
		return configError(stderr, err)
	case err != nil:
		fmt.Fprintf(stderr, "watcher: test-sink: %s: not delivered: %v\n", sink, err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "%s: test message delivered\n", sink)
	return exitOK
}

// sinkArg takes test-sink's one NAME from the arguments left after the
// flags, and parses any flags that follow it.
func sinkArg(fs *flag.FlagSet) (string, error) {
	if fs.NArg() == 0 {
		return "", errors.New("give the name of a sink")
	}
	name := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	return name, nil
}
