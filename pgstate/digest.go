package pgstate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

// Digests returns every stored digest, oldest first (then by ID), for
// status output.
func (s *Store) Digests(ctx context.Context) ([]state.Digest, error) {
	return s.listDigests(ctx, "list digests", "true")
}

// Pending returns, oldest first, the digests that some sink still waits
// for: a sink neither delivered nor parked.
func (s *Store) Pending(ctx context.Context) ([]state.Digest, error) {
	return s.listDigests(ctx, "list pending digests",
		"id IN (SELECT digest_id FROM deliveries WHERE NOT delivered AND NOT parked)")
}

// Undelivered returns, oldest first, the digests that some sink does not
// have yet: waiting, held or parked.
func (s *Store) Undelivered(ctx context.Context) ([]state.Digest, error) {
	return s.listDigests(ctx, "list undelivered digests",
		"id IN (SELECT digest_id FROM deliveries WHERE NOT delivered)")
}

// Parked returns, oldest first, the digests that at least one sink gave
// up on; one parked for a sink and pending for another is in both lists.
func (s *Store) Parked(ctx context.Context) ([]state.Digest, error) {
	return s.listDigests(ctx, "list parked digests",
		"id IN (SELECT digest_id FROM deliveries WHERE NOT delivered AND parked)")
}

// listDigests reads the digests where holds, with their deliveries. The
// condition is one of the constants above, never user input. IDs sort
// bytewise (COLLATE "C"), as bbolt orders its keys.
func (s *Store) listDigests(ctx context.Context, what, where string) ([]state.Digest, error) {
	var out []state.Digest
	err := s.tx(ctx, what, func(tx pgx.Tx) error {
		var err error
		out, err = readDigests(ctx, tx, `SELECT id, created, payload, merged FROM digests WHERE `+where+
			` ORDER BY created, id COLLATE "C"`)
		return err
	})
	return out, err
}

// readDigests runs query (id, created, payload, merged) and fills in each
// digest's deliveries.
func readDigests(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]state.Digest, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []state.Digest
	var d state.Digest
	if _, err := pgx.ForEachRow(rows, []any{&d.ID, &d.Created, &d.Payload, &d.Merged}, func() error {
		d.Created = d.Created.UTC()
		if len(d.Merged) == 0 {
			d.Merged = nil
		}
		out = append(out, d)
		d = state.Digest{}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read digests: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	byID := make(map[string]*state.Digest, len(out))
	ids := make([]string, len(out))
	for i := range out {
		out[i].Sinks = map[string]*state.Delivery{}
		byID[out[i].ID], ids[i] = &out[i], out[i].ID
	}
	rows, err = tx.Query(ctx, `SELECT digest_id, sink, delivered, delivered_at, attempts, last_error,
		next_attempt, parked, held, merged_into, parts, series_n, series_of FROM deliveries WHERE digest_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read deliveries: %w", err)
	}
	var id, sink string
	var dl state.Delivery
	var at, next *time.Time
	if _, err := pgx.ForEachRow(rows, []any{&id, &sink, &dl.Delivered, &at, &dl.Attempts, &dl.LastError,
		&next, &dl.Parked, &dl.Held, &dl.MergedInto, &dl.Parts, &dl.SeriesN, &dl.SeriesOf}, func() error {
		dl.DeliveredAt, dl.NextAttempt = fromDB(at), fromDB(next)
		c := dl
		byID[id].Sinks[sink] = &c
		dl = state.Delivery{}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read deliveries: %w", err)
	}
	return out, nil
}

// readDigest reads one digest for update (its row locked until the
// transaction ends), and false if there is none.
func readDigest(ctx context.Context, tx pgx.Tx, id string) (state.Digest, bool, error) {
	ds, err := readDigests(ctx, tx, "SELECT id, created, payload, merged FROM digests WHERE id = $1 FOR UPDATE", id)
	if err != nil || len(ds) == 0 {
		return state.Digest{}, false, err
	}
	return ds[0], true, nil
}

// writeDeliveries stores d's deliveries, and drops its content once every
// sink has it, as the bbolt store does.
func writeDeliveries(ctx context.Context, tx pgx.Tx, d state.Digest) error {
	var batch pgx.Batch
	for _, sink := range slices.Sorted(maps.Keys(d.Sinks)) {
		queueDelivery(&batch, d.ID, sink, *d.Sinks[sink], false)
	}
	if d.Delivered() {
		batch.Queue("UPDATE digests SET payload = NULL WHERE id = $1", d.ID)
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("write digest %q: %w", d.ID, err)
	}
	return nil
}
