package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

// keyLastDelivered names the meta row holding the digest, with its
// content, most recently accepted by a sink (for previews).
const keyLastDelivered = "last_delivered"

// RecordDelivery records one attempt to send digest id to sink, as the
// bbolt store does: a nil sendErr marks the sink delivered; otherwise the
// attempt is counted, the error kept and next stored as the earliest
// retry, and at maxAttempts (if positive) the delivery is parked. The
// digest's row is locked for the transaction, so two replicas recording
// at once are applied one after the other.
func (s *Store) RecordDelivery(ctx context.Context, id, sink string, sendErr error, next time.Time, maxAttempts int) (parked bool, err error) {
	now := s.now()
	err = s.tx(ctx, fmt.Sprintf("record delivery of digest %q to %q", id, sink), func(tx pgx.Tx) error {
		d, ok, err := readDigest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return state.ErrNoDigest
		}
		dl, ok := d.Sinks[sink]
		if !ok {
			return fmt.Errorf("digest is not for sink %q", sink)
		}
		if err := dl.Record(sendErr, now, next, maxAttempts); err != nil {
			return fmt.Errorf("sink %q: %w", sink, err)
		}
		parked = dl.Parked
		if sendErr == nil {
			if err := keepLastDelivered(ctx, tx, d); err != nil {
				return err
			}
		}
		return writeDeliveries(ctx, tx, d)
	})
	if err != nil {
		return false, err
	}
	return parked, nil
}

// Merge stores into, a digest for sink alone gathering the digests
// into.Merged names, and marks each of those delivered to sink (merged
// into into.ID), in one transaction, as the bbolt store does. Each must be
// held for sink, or nothing is written and the error wraps
// state.ErrNotHeld.
func (s *Store) Merge(ctx context.Context, into state.Digest, sink string) error {
	now := s.now()
	if err := validateDigest(into); err != nil {
		return fmt.Errorf("merge into digest %q in state %s: %w", into.ID, s.where, err)
	}
	if len(into.Sinks) != 1 || into.Sinks[sink] == nil {
		return fmt.Errorf("merge into digest %q in state %s: it must be for sink %q alone", into.ID, s.where, sink)
	}
	return s.tx(ctx, fmt.Sprintf("merge %d digests into %q for %q", len(into.Merged), into.ID, sink), func(tx pgx.Tx) error {
		for _, id := range into.Merged {
			d, ok, err := readDigest(ctx, tx, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("digest %q: %w", id, state.ErrNoDigest)
			}
			dl := d.Sinks[sink]
			if dl == nil || !dl.Held || dl.Delivered || dl.Parked {
				return fmt.Errorf("digest %q: %w %q", id, state.ErrNotHeld, sink)
			}
			dl.Delivered, dl.DeliveredAt, dl.MergedInto = true, now, into.ID
			if err := writeDeliveries(ctx, tx, d); err != nil {
				return err
			}
		}
		return insertDigest(ctx, tx, into, now)
	})
}

// LastDelivered returns the digest most recently accepted by a sink, with
// its content, and false when no digest was ever delivered.
func (s *Store) LastDelivered(ctx context.Context) (state.Digest, bool, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx, "SELECT value FROM meta WHERE key = $1", keyLastDelivered).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return state.Digest{}, false, nil
	}
	var d state.Digest
	if err == nil {
		err = json.Unmarshal(raw, &d)
	}
	if err != nil {
		return state.Digest{}, false, s.fail("read last delivered digest", err)
	}
	return d, true, nil
}

// keepLastDelivered records d, just accepted by a sink, as the latest
// delivered digest, unless a newer one is already kept.
func keepLastDelivered(ctx context.Context, tx pgx.Tx, d state.Digest) error {
	if len(d.Payload) == 0 {
		return nil
	}
	var prevRaw []byte
	err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = $1 FOR UPDATE", keyLastDelivered).Scan(&prevRaw)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return fmt.Errorf("read last delivered digest: %w", err)
	default:
		var prev state.Digest
		if json.Unmarshal(prevRaw, &prev) == nil && prev.Created.After(d.Created) {
			return nil
		}
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode digest %q: %w", d.ID, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, keyLastDelivered, raw); err != nil {
		return fmt.Errorf("keep last delivered digest: %w", err)
	}
	return nil
}

// RecordParts records that sink has accepted the first parts messages of
// digest id, as state.Store.RecordParts does: never lowering the count,
// and changing nothing once the sink has the whole digest.
func (s *Store) RecordParts(ctx context.Context, id, sink string, parts int) error {
	return s.tx(ctx, fmt.Sprintf("record parts of digest %q sent to %q", id, sink), func(tx pgx.Tx) error {
		d, ok, err := readDigest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return state.ErrNoDigest
		}
		dl, ok := d.Sinks[sink]
		if !ok {
			return fmt.Errorf("digest is not for sink %q", sink)
		}
		if !dl.AcceptParts(parts) {
			return nil
		}
		return writeDeliveries(ctx, tx, d)
	})
}
