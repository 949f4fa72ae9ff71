package state

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Reroute moves a digest's deliveries from sinks that are gone to others,
// in one write: each sink in from that has not accepted the digest loses
// its entry, and each sink in to without one gets a fresh one, held when
// a delivery it replaces was held (it then still waits for the sink's
// schedule, to be gathered, rather than going out at once). It returns
// the digest as stored. A digest left with no sink at all is an error.
func (s *Store) Reroute(id string, from, to []string) (Digest, error) {
	var out Digest
	err := s.update(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketDigests).Get([]byte(id))
		if raw == nil {
			return ErrNoDigest
		}
		d, err := decodeDigest([]byte(id), raw)
		if err != nil {
			return err
		}
		held := false
		for _, name := range from {
			if dl, ok := d.Sinks[name]; ok && !dl.Delivered {
				held = held || dl.Held
				delete(d.Sinks, name)
			}
		}
		for _, name := range to {
			if name == "" {
				return fmt.Errorf("sink with an empty name")
			}
			if _, ok := d.Sinks[name]; !ok {
				d.Sinks[name] = &Delivery{Held: held}
			}
		}
		if len(d.Sinks) == 0 {
			return fmt.Errorf("no sink left to deliver to")
		}
		out = d
		return putDigest(tx, d)
	})
	if err != nil {
		return Digest{}, fmt.Errorf("reroute digest %q in state %s: %w", id, s.path, err)
	}
	return out, nil
}
