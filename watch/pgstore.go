package watch

import (
	"context"
	"errors"
	"time"

	"github.com/watcher-news/watcher/pgstate"
	"github.com/watcher-news/watcher/state"
)

// pgCallTimeout bounds each call on a PostgreSQL store. The bbolt store
// has no such bound because a local file does not hang; a database
// across a network may, and a cycle must not wait on it for ever.
const pgCallTimeout = time.Minute

// PGStore adapts a PostgreSQL store to Store, supplying each call a
// context. The context is detached from the cycle's cancellation (its
// values are kept): a cycle stopped by a signal still commits what it
// read and records what it sent, as it does on the bbolt store, so
// nothing read is lost and nothing sent is sent again. Each call is
// bounded by pgCallTimeout instead.
type PGStore struct {
	DB    *pgstate.Store
	ctx   context.Context
	cycle *pgstate.CycleLock // held from LockCycle to Close
}

var _ Store = (*PGStore)(nil)

// NewPGStore wraps db; ctx supplies the values (not the cancellation) of
// every call's context.
func NewPGStore(ctx context.Context, db *pgstate.Store) *PGStore {
	return &PGStore{DB: db, ctx: context.WithoutCancel(ctx)}
}

func (p *PGStore) call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, pgCallTimeout)
}

// Path names the database without its password.
func (p *PGStore) Path() string { return p.DB.Path() }

// LockCycle takes the database's cycle lock for this store's life (see
// pgstate.LockCycle): a watcher alone (replica "") waits up to wait for
// any other cycle to end, as it waits for a bbolt file's lock; a replica
// waits only for watchers alone.
func (p *PGStore) LockCycle(replica string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(p.ctx, wait+pgCallTimeout)
	defer cancel()
	l, err := p.DB.LockCycle(ctx, replica, wait)
	if err != nil {
		return err
	}
	p.cycle = l
	return nil
}

// Close gives back the cycle lock, if held, and closes the pool.
func (p *PGStore) Close() error {
	var err error
	if p.cycle != nil {
		ctx, cancel := p.call()
		err = p.cycle.Release(ctx)
		cancel()
		p.cycle = nil
	}
	return errors.Join(err, p.DB.Close())
}

// Source returns one source's stored state.
func (p *PGStore) Source(name string) (state.Source, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Source(ctx, name)
}

// Sources returns every source's stored state.
func (p *PGStore) Sources() (map[string]state.Source, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Sources(ctx)
}

// SeenKeys says which keys of source are seen.
func (p *PGStore) SeenKeys(source string, keys []string) (map[string]bool, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.SeenKeys(ctx, source, keys)
}

// Commit writes a cycle's batch in one transaction.
func (p *PGStore) Commit(b state.Batch) error {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Commit(ctx, b)
}

// Digests returns every stored digest.
func (p *PGStore) Digests() ([]state.Digest, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Digests(ctx)
}

// Pending returns the digests some sink still waits for.
func (p *PGStore) Pending() ([]state.Digest, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Pending(ctx)
}

// Undelivered returns the digests some sink does not have yet.
func (p *PGStore) Undelivered() ([]state.Digest, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Undelivered(ctx)
}

// Parked returns the digests given up on for some sink.
func (p *PGStore) Parked() ([]state.Digest, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Parked(ctx)
}

// RecordDelivery records one attempt to send a digest to a sink.
func (p *PGStore) RecordDelivery(id, sink string, sendErr error, next time.Time, maxAttempts int) (bool, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.RecordDelivery(ctx, id, sink, sendErr, next, maxAttempts)
}

// RecordParts records how many parts a digest was sent in.
func (p *PGStore) RecordParts(id, sink string, parts int) error {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.RecordParts(ctx, id, sink, parts)
}

// Merge folds held digests for sink into one.
func (p *PGStore) Merge(into state.Digest, sink string) error {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Merge(ctx, into, sink)
}

// LastDelivered returns the digest delivered last.
func (p *PGStore) LastDelivered() (state.Digest, bool, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.LastDelivered(ctx)
}

// Reroute moves a digest's deliveries from some sinks to others.
func (p *PGStore) Reroute(id string, from, to []string) (state.Digest, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Reroute(ctx, id, from, to)
}

// Recent returns the latest matches per topic.
func (p *PGStore) Recent() (map[string][]state.Match, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Recent(ctx)
}

// Stories returns the stories sent since a time.
func (p *PGStore) Stories(since time.Time) ([]state.Story, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Stories(ctx, since)
}

// Stats counts what the store holds.
func (p *PGStore) Stats() (state.Stats, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.Stats(ctx)
}

// PruneEvery prunes what is older than before, at most once per every.
func (p *PGStore) PruneEvery(before time.Time, every time.Duration) (bool, int, int, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.PruneEvery(ctx, before, every)
}

// pgArchiveTimeout bounds a walk over the archive, which a search or a
// topic's profile reads whole: longer than one call, still not for ever.
const pgArchiveTimeout = 10 * time.Minute

// ArchiveRange walks the archived items from since up to until.
func (p *PGStore) ArchiveRange(since, until time.Time, fn func(state.Archived) error) error {
	ctx, cancel := context.WithTimeout(p.ctx, pgArchiveTimeout)
	defer cancel()
	return p.DB.ArchiveRange(ctx, since, until, fn)
}

// ArchiveStats says how large the archive is.
func (p *PGStore) ArchiveStats() (state.ArchiveStats, error) {
	ctx, cancel := p.call()
	defer cancel()
	return p.DB.ArchiveStats(ctx)
}
