// Package pgstate keeps the watcher's state in PostgreSQL, for several
// watchers sharing one database: the same sources, seen keys and digests
// as the bbolt store (package state, whose types it uses), plus what
// replicas need to share the work (source leases, the sender lock, host
// politeness slots).
//
// Unlike the bbolt store, every method takes a context: each is a network
// round trip. Times are kept to the microsecond, PostgreSQL's precision,
// and read back in UTC.
package pgstate

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options configure a Store. The zero value is ready to use.
type Options struct {
	// Now is the clock for seen times, digest bookkeeping and leases;
	// nil means the seen times and digests use time.Now and the leases
	// the database's clock, the one clock every replica shares. Tests
	// inject a fake clock here.
	Now func() time.Time
	// MaxConns bounds the pool's connections; zero leaves pgxpool's
	// default (the larger of 4 and the number of CPUs).
	MaxConns int32
	// StrictSeen makes Commit refuse a batch with a digest when a key
	// its sources mark as new is already seen (see ErrSeenElsewhere).
	// Off, Commit keeps the bbolt store's meaning: a key seen before
	// keeps its time and nothing fails. Replicas turn it on.
	StrictSeen bool
}

// Store is an open PostgreSQL state database. It is safe for concurrent
// use, and several processes may open the same database.
type Store struct {
	pool      *pgxpool.Pool
	where     string // the URL without its password, for messages
	now       func() time.Time
	dbClock   bool // leases use the database's clock
	strict    bool // Options.StrictSeen
	closeOnce sync.Once
}

// Open connects to the database at connURL (a postgres:// URL or a
// key=value string, as pgx reads them) and applies the schema migrations
// it lacks.
func Open(ctx context.Context, connURL string, opts Options) (*Store, error) {
	where := Redact(connURL)
	if opts.MaxConns < 0 {
		return nil, fmt.Errorf("open state %s: pool of %d connections is negative", where, opts.MaxConns)
	}
	cfg, err := pgxpool.ParseConfig(connURL)
	if err != nil {
		// pgx's parse errors repeat the string, password and all.
		return nil, fmt.Errorf("open state %s: cannot parse the connection string", where)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", where, err)
	}
	s := &Store{pool: pool, where: where, now: opts.Now, strict: opts.StrictSeen}
	if s.now == nil {
		s.now, s.dbClock = time.Now, true
	}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := migrate(ctx, tx)
		return err
	}); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open state %s: %w", where, err)
	}
	return s, nil
}

// Redact returns connURL with any password replaced by "xxxxx", for
// messages and logs.
func Redact(connURL string) string {
	u, err := url.Parse(connURL)
	if err != nil || u.Scheme == "" {
		return "(PostgreSQL connection string)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Path names the database, without its password, as the bbolt store's
// Path names its file.
func (s *Store) Path() string { return s.where }

// Close closes the pool, waiting for connections in use. It is safe to
// call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(s.pool.Close)
	return nil
}

// tx runs fn in a transaction, naming the database in any error.
func (s *Store) tx(ctx context.Context, what string, fn func(pgx.Tx) error) error {
	if err := pgx.BeginFunc(ctx, s.pool, fn); err != nil {
		return s.fail(what, err)
	}
	return nil
}

func (s *Store) fail(what string, err error) error {
	return fmt.Errorf("%s in state %s: %w", what, s.where, err)
}

// leaseNow is the time leases are measured at: nil (the database's
// clock) unless a clock was injected.
func (s *Store) leaseNow() *time.Time {
	if s.dbClock {
		return nil
	}
	t := s.now()
	return &t
}
