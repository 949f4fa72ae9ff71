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

// keyPruned holds when Prune last ran, so that PruneEvery can skip the
// walk over every seen key until it is due again.
var keyPruned = []byte("pruned")

// PruneEvery runs Prune(before) unless it ran less than every ago (by the
// store's clock); ran reports whether it did. Pruning walks every seen
// key, and through bbolt's memory map brings the whole file into the
// process's memory: with a retention of days there is no call to do it
// every cycle.
func (s *Store) PruneEvery(before time.Time, every time.Duration) (ran bool, removedSeen, removedDigests int, err error) {
	var last time.Time
	if err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyPruned); v != nil {
			last = decodeTime(v)
		}
		return nil
	}); err != nil {
		return false, 0, 0, fmt.Errorf("prune state %s: %w", s.path, err)
	}
	if now := s.now(); !last.IsZero() && now.Sub(last) < every && !now.Before(last) {
		return false, 0, 0, nil
	}
	removedSeen, removedDigests, err = s.Prune(before)
	return err == nil, removedSeen, removedDigests, err
}

// Prune forgets seen keys whose time is before before, deletes delivered
// digests created before it, forgets the stories sent before it, and
// deletes the archive's items archived before it. Digests still pending or parked for
// any sink are kept, whatever their age. It runs in one transaction, and
// records when it ran (see PruneEvery).
func (s *Store) Prune(before time.Time) (removedSeen, removedDigests int, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		var err error
		if removedSeen, err = pruneSeen(tx, before); err != nil {
			return err
		}
		if removedDigests, err = pruneDigests(tx, before); err != nil {
			return err
		}
		if _, err := pruneStories(tx, before); err != nil {
			return err
		}
		if _, err := pruneArchive(tx, before); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyPruned, encodeTime(s.now()))
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
