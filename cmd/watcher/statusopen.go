package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// statusWait is how long `watcher status` waits for a running cycle to
// release the state file. A cycle may run for many minutes (its crawl
// budget is most of the schedule's gap), so status does not wait for it
// to end: a few seconds covers the cycles that are about to, and the
// commits of a --once run; past that it says what holds the file.
const statusWait = 5 * time.Second

// errInCycle explains a status that found the state file held.
var errInCycle = errors.New("a cycle is running (the daemon's, or a --once run) and holds the state file; " +
	"try again in a moment, or configure http.listen so that status asks the daemon")

// openForStatus opens the state file for reading, beside the daemon: under
// a shared lock that the daemon's cycles exclude, and not at all while one
// runs. A file not yet written, or in an older layout, is opened as a run
// would open it (which creates or upgrades it).
// A PostgreSQL state is read as it is, beside any number of cycles.
func openForStatus(ctx context.Context, cfg *config.Config) (watch.Store, error) {
	if cfg.StatePostgres() {
		return openPG(ctx, cfg.State)
	}
	path := cfg.State
	store, err := state.Open(path, state.Options{ReadOnly: true, Timeout: statusWait})
	switch {
	case err == nil:
		return store, nil
	case errors.Is(err, state.ErrLocked):
		return nil, fmt.Errorf("status: state %s: %w", path, errInCycle)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, state.ErrNeedsUpgrade):
		return state.Open(path, state.Options{})
	default:
		return nil, err
	}
}
