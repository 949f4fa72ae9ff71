package pgstate

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// keyPruned names the meta row holding when Prune last ran.
const keyPruned = "pruned"

// PruneEvery runs Prune(before) unless it ran less than every ago (by the
// store's clock); ran reports whether it did. With several replicas, the
// first due prunes and the others skip.
func (s *Store) PruneEvery(ctx context.Context, before time.Time, every time.Duration) (ran bool, removedSeen, removedDigests int, err error) {
	var raw []byte
	err = s.pool.QueryRow(ctx, "SELECT value FROM meta WHERE key = $1", keyPruned).Scan(&raw)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, 0, 0, s.fail("prune", err)
	}
	if last := decodeTime(raw); !last.IsZero() {
		if now := s.now(); now.Sub(last) < every && !now.Before(last) {
			return false, 0, 0, nil
		}
	}
	removedSeen, removedDigests, err = s.Prune(ctx, before)
	return err == nil, removedSeen, removedDigests, err
}

// Prune forgets seen keys whose time is before before, deletes digests
// delivered to every sink and created before it (a digest still pending
// or parked for any sink is kept, whatever its age), forgets the
// stories sent before it and the items archived before it. One
// transaction, which also records when it ran.
func (s *Store) Prune(ctx context.Context, before time.Time) (removedSeen, removedDigests int, err error) {
	// A seen time t (whole seconds) is before before when t < cutoff.
	cutoff := before.Unix()
	if before.Nanosecond() > 0 {
		cutoff++
	}
	err = s.tx(ctx, "prune", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM seen WHERE seen_at < $1", cutoff)
		if err != nil {
			return fmt.Errorf("prune seen keys: %w", err)
		}
		removedSeen = int(tag.RowsAffected())
		tag, err = tx.Exec(ctx, `DELETE FROM digests d WHERE created < $1
			AND NOT EXISTS (SELECT 1 FROM deliveries WHERE digest_id = d.id AND NOT delivered)`, before)
		if err != nil {
			return fmt.Errorf("prune digests: %w", err)
		}
		removedDigests = int(tag.RowsAffected())
		if err := pruneStories(ctx, tx, before); err != nil {
			return err
		}
		if err := pruneArchive(ctx, tx, before); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, keyPruned, encodeTime(s.now()))
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return removedSeen, removedDigests, nil
}

// encodeTime and decodeTime keep a time in the meta table as the bbolt
// store does: a uvarint of Unix seconds.
func encodeTime(t time.Time) []byte {
	return binary.AppendUvarint(nil, uint64(max(t.Unix(), 0)))
}

func decodeTime(v []byte) time.Time {
	secs, n := binary.Uvarint(v)
	if n != len(v) || n <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(secs), 0)
}
