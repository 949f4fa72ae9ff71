package state

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultRetention is how long a seen key is kept after it was last marked
// or touched. A key pruned while its item is still in a feed would alert
// again, so retention must outlast every feed's memory; Batch.Touched keeps
// keys a feed still lists from ever ageing out.
const DefaultRetention = 90 * 24 * time.Hour

// Prune forgets seen keys whose time is before before, and deletes
// delivered digests created before it. Digests still pending or parked for
// any sink are kept, whatever their age. It runs in one transaction.
func (s *Store) Prune(before time.Time) (removedSeen, removedDigests int, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		var err error
		if removedSeen, err = pruneSeen(tx, before); err != nil {
			return err
		}
		removedDigests, err = pruneDigests(tx, before)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("prune state %s: %w", s.path, err)
	}
	return removedSeen, removedDigests, nil
}

func pruneSeen(tx *bolt.Tx, before time.Time) (int, error) {
	seen := tx.Bucket(bucketSeen)
	var sources [][]byte
	if err := seen.ForEachBucket(func(k []byte) error {
		sources = append(sources, append([]byte(nil), k...))
		return nil
	}); err != nil {
		return 0, err
	}
	removed := 0
	for _, src := range sources {
		n, err := deleteWhere(seen.Bucket(src), func(_, v []byte) (bool, error) {
			return decodeTime(v).Before(before), nil
		})
		if err != nil {
			return removed, fmt.Errorf("prune seen keys of source %q: %w", src, err)
		}
		removed += n
	}
	return removed, nil
}

func pruneDigests(tx *bolt.Tx, before time.Time) (int, error) {
	return deleteWhere(tx.Bucket(bucketDigests), func(k, v []byte) (bool, error) {
		d, err := decodeDigest(k, v)
		return err == nil && d.Delivered() && d.Created.Before(before), err
	})
}

// deleteWhere deletes the keys of b for which drop is true. Keys are
// collected first and deleted after the walk, since deleting under a bbolt
// cursor can make it skip the next key.
func deleteWhere(b *bolt.Bucket, drop func(k, v []byte) (bool, error)) (int, error) {
	var doomed [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil // a nested bucket, not an entry
		}
		ok, err := drop(k, v)
		if ok {
			doomed = append(doomed, append([]byte(nil), k...))
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}
