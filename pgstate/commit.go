package pgstate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

// Commit writes b, everything one cycle learned, in one transaction: the
// sources' state, the keys seen for the first time (at the store's
// clock; keys seen before keep their time), the keys touched (moved to
// now at most once a day), the latest matches, and the new digests with
// the stories they send. The bbolt store splits a
// large batch to bound its memory; PostgreSQL needs no such split, so a
// crash leaves either all of the batch or none of it. A bad batch is
// rejected before anything is sent, with the bbolt store's messages.
func (s *Store) Commit(ctx context.Context, b state.Batch) error {
	if err := validate(b); err != nil {
		return fmt.Errorf("commit to state %s: %w", s.where, err)
	}
	now := s.now()
	return s.tx(ctx, "commit", func(tx pgx.Tx) error {
		ids, err := sourceIDs(ctx, tx, batchSources(b))
		if err != nil {
			return err
		}
		if err := putSources(ctx, tx, b.Sources); err != nil {
			return err
		}
		if err := s.markBatchSeen(ctx, tx, ids, b, now); err != nil {
			return err
		}
		if err := touchSeen(ctx, tx, ids, b.Touched, now); err != nil {
			return err
		}
		if err := putRecent(ctx, tx, b.Recent, now); err != nil {
			return err
		}
		if err := putArchive(ctx, tx, b, now); err != nil {
			return err
		}
		if b.Digest == nil {
			return nil
		}
		if err := putStories(ctx, tx, b.Stories, now); err != nil {
			return err
		}
		for _, d := range append([]*state.Digest{b.Digest}, b.More...) {
			if err := insertDigest(ctx, tx, *d, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// ErrSeenElsewhere is wrapped by Commit, with Options.StrictSeen, when a
// key the batch's digest sources mark as new is already seen: another
// replica fetched the same source (its lease ran out under a slow
// fetch) and committed the item first, in its own digest. Nothing of the
// batch is written, so the item is not sent twice; the next cycle reads
// the sources again and finds the key seen.
var ErrSeenElsewhere = errors.New("item already seen: committed by another replica")

// markBatchSeen marks b's new keys seen; with StrictSeen, the keys of
// the digest's sources must all be new.
func (s *Store) markBatchSeen(ctx context.Context, tx pgx.Tx, ids map[string]int32, b state.Batch, now time.Time) error {
	if !s.strict || b.Digest == nil {
		return markSeen(ctx, tx, ids, b.Seen, now)
	}
	carried := b.DigestSources
	if carried == nil {
		carried = batchSources(b)
	}
	inDigest, rest := map[string][]string{}, map[string][]string{}
	for src, keys := range b.Seen {
		if slices.Contains(carried, src) {
			inDigest[src] = keys
		} else {
			rest[src] = keys
		}
	}
	if err := markSeen(ctx, tx, ids, rest, now); err != nil {
		return err
	}
	sids, keys := flatten(ids, inDigest)
	if len(keys) == 0 {
		return nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO seen (source_id, key, seen_at)
		SELECT sid, k, $3 FROM unnest($1::integer[], $2::bytea[]) AS t(sid, k)
		ON CONFLICT (source_id, key) DO NOTHING`, sids, keys, unixSeconds(now))
	if err != nil {
		return fmt.Errorf("mark %d keys seen: %w", len(keys), err)
	}
	if n := tag.RowsAffected(); n < int64(len(keys)) {
		return fmt.Errorf("%d of the digest's %d new keys: %w", int64(len(keys))-n, len(keys), ErrSeenElsewhere)
	}
	return nil
}

// batchSources names every source b writes anything for.
func batchSources(b state.Batch) []string {
	set := make(map[string]bool, len(b.Sources))
	for n := range b.Sources {
		set[n] = true
	}
	for _, m := range []map[string][]string{b.Seen, b.Touched} {
		for n := range m {
			set[n] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// validate rejects what the bbolt store rejects, with its messages, so
// the two stores refuse the same batches.
func validate(b state.Batch) error {
	if err := checkKept(b); err != nil {
		return err
	}
	for name := range b.Sources {
		if name == "" {
			return errors.New("source with an empty name")
		}
	}
	for _, m := range []map[string][]string{b.Seen, b.Touched} {
		for src, keys := range m {
			if src == "" {
				return errors.New("seen keys for a source with an empty name")
			}
			for _, k := range keys {
				if k == "" || len(k) > maxKeyLen {
					return fmt.Errorf("source %q: item key of %d bytes (want 1 to %d)", src, len(k), maxKeyLen)
				}
			}
		}
	}
	for _, st := range b.Stories {
		if b.Digest == nil {
			return errStoriesWithoutDigest
		}
		if err := validateStory(st); err != nil {
			return err
		}
	}
	for _, m := range b.Recent {
		if err := validateMatch(m); err != nil {
			return err
		}
	}
	if b.Digest == nil && len(b.More) > 0 {
		return errors.New("further digests without a first one")
	}
	for _, d := range append([]*state.Digest{b.Digest}, b.More...) {
		if d == nil {
			continue
		}
		if err := validateDigest(*d); err != nil {
			return err
		}
	}
	return nil
}

// maxIDLen bounds a digest ID, as the bbolt store bounds it by its key size.
const maxIDLen = 2048

func validateDigest(d state.Digest) error {
	if d.ID == "" || len(d.ID) > maxIDLen {
		return fmt.Errorf("digest ID of %d bytes (want 1 to %d)", len(d.ID), maxIDLen)
	}
	if len(d.Sinks) == 0 {
		return fmt.Errorf("digest %q has no sinks to deliver to", d.ID)
	}
	for name := range d.Sinks {
		if name == "" {
			return fmt.Errorf("digest %q: sink with an empty name", d.ID)
		}
	}
	return nil
}

// insertDigest stores a new digest with a delivery row per sink; an ID
// already present is an error, as overwriting would lose its progress.
func insertDigest(ctx context.Context, tx pgx.Tx, d state.Digest, now time.Time) error {
	if d.Created.IsZero() {
		d.Created = now
	}
	merged := d.Merged
	if merged == nil {
		merged = []string{}
	}
	tag, err := tx.Exec(ctx, `INSERT INTO digests (id, created, payload, merged) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO NOTHING`, d.ID, d.Created, payloadToDB(d.Payload), merged)
	if err != nil {
		return fmt.Errorf("write digest %q: %w", d.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("digest %q already stored", d.ID)
	}
	var batch pgx.Batch
	for _, sink := range slices.Sorted(maps.Keys(d.Sinks)) {
		dl := d.Sinks[sink]
		if dl == nil {
			dl = &state.Delivery{}
		}
		queueDelivery(&batch, d.ID, sink, *dl, true)
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("write deliveries of digest %q: %w", d.ID, err)
	}
	return nil
}

func payloadToDB(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	return p
}

// queueDelivery writes one sink's progress: a new row, or an update.
func queueDelivery(b *pgx.Batch, id, sink string, dl state.Delivery, insert bool) {
	args := []any{id, sink, dl.Delivered, toDB(dl.DeliveredAt), dl.Attempts, dl.LastError,
		toDB(dl.NextAttempt), dl.Parked, dl.Held, dl.MergedInto, dl.Parts, dl.SeriesN, dl.SeriesOf}
	if insert {
		b.Queue(`INSERT INTO deliveries (digest_id, sink, delivered, delivered_at, attempts, last_error,
			next_attempt, parked, held, merged_into, parts, series_n, series_of)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, args...)
		return
	}
	b.Queue(`UPDATE deliveries SET delivered = $3, delivered_at = $4, attempts = $5, last_error = $6,
		next_attempt = $7, parked = $8, held = $9, merged_into = $10, parts = $11,
		series_n = $12, series_of = $13 WHERE digest_id = $1 AND sink = $2`, args...)
}
