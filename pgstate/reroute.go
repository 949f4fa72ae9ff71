package pgstate

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

// Reroute moves a digest's deliveries from sinks that are gone to others,
// in one transaction, as the bbolt store does: each sink in from that has
// not accepted the digest loses its entry, and each sink in to without one
// gets a fresh one, held when a delivery it replaces was held. It returns the digest as stored. A digest left with no
// sink at all is an error.
func (s *Store) Reroute(ctx context.Context, id string, from, to []string) (state.Digest, error) {
	var out state.Digest
	err := s.tx(ctx, fmt.Sprintf("reroute digest %q", id), func(tx pgx.Tx) error {
		d, ok, err := readDigest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return state.ErrNoDigest
		}
		var batch pgx.Batch
		held := false
		for _, name := range from {
			if dl, ok := d.Sinks[name]; ok && !dl.Delivered {
				held = held || dl.Held
				delete(d.Sinks, name)
				batch.Queue("DELETE FROM deliveries WHERE digest_id = $1 AND sink = $2", id, name)
			}
		}
		for _, name := range to {
			if name == "" {
				return errors.New("sink with an empty name")
			}
			if _, ok := d.Sinks[name]; !ok {
				d.Sinks[name] = &state.Delivery{Held: held}
				queueDelivery(&batch, id, name, state.Delivery{Held: held}, true)
			}
		}
		if len(d.Sinks) == 0 {
			return errors.New("no sink left to deliver to")
		}
		if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
			return fmt.Errorf("write digest %q: %w", id, err)
		}
		out = d
		return nil
	})
	if err != nil {
		return state.Digest{}, err
	}
	return out, nil
}
