package main

import (
	"context"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/pgstate"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// pgOpenWait bounds connecting to a PostgreSQL state (and applying its
// migrations), as stateWait bounds waiting for the bbolt file's lock.
const pgOpenWait = 30 * time.Second

// openStore opens the state cfg names: the PostgreSQL database of a
// postgres:// URL, or the bbolt file with opts. A database has no file
// lock, so opts (a lock wait, read-only) concern only the file. A
// replica's commits refuse an item another replica has committed
// (pgstate.Options.StrictSeen), so that no item is in two digests.
func openStore(ctx context.Context, cfg *config.Config, opts state.Options, replica string) (watch.Store, error) {
	if cfg.StatePostgres() {
		return openPGWith(ctx, cfg.State, pgstate.Options{StrictSeen: replica != ""})
	}
	s, err := state.Open(cfg.State, opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openCycleStore opens the state for a cycle. On PostgreSQL it also
// takes the database's cycle lock (see pgstate.LockCycle), waiting as
// long as for a bbolt file's lock: watchers without --replica take turns
// on a database as they do on a file, and none runs beside replicas.
func openCycleStore(ctx context.Context, cfg *config.Config, opts state.Options, replica string) (watch.Store, error) {
	s, err := openStore(ctx, cfg, opts, replica)
	if err != nil {
		return nil, err
	}
	p, ok := s.(*watch.PGStore)
	if !ok {
		return s, nil
	}
	wait := opts.Timeout
	if wait == 0 {
		wait = state.DefaultTimeout
	}
	if err := p.LockCycle(replica, wait); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// openPG connects to a PostgreSQL state. Its errors name the database
// without the password (pgstate redacts them).
func openPG(ctx context.Context, url string) (*watch.PGStore, error) {
	return openPGWith(ctx, url, pgstate.Options{})
}

func openPGWith(ctx context.Context, url string, opts pgstate.Options) (*watch.PGStore, error) {
	octx, cancel := context.WithTimeout(ctx, pgOpenWait)
	defer cancel()
	db, err := pgstate.Open(octx, url, opts)
	if err != nil {
		return nil, err
	}
	return watch.NewPGStore(ctx, db), nil
}
