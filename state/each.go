package state

import (
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// EachSeen calls fn for every seen key, source by source, with the time
// it was last marked or touched (to the second), in one read
// transaction; an error from fn stops it. It is for copying a state to
// another store, which no cycle does.
func (s *Store) EachSeen(fn func(source, key string, at time.Time) error) error {
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeen).ForEachBucket(func(name []byte) error {
			b := tx.Bucket(bucketSeen).Bucket(name)
			return b.ForEach(func(k, v []byte) error {
				return fn(string(name), SeenKeyText(k), decodeTime(v))
			})
		})
	})
	if err != nil {
		return fmt.Errorf("read seen keys of state %s: %w", s.path, err)
	}
	return nil
}

// SeenKeyText is the item key a stored seen key spells: the inverse of
// storedKey (16 bytes are item.Key's hex digits; otherwise a 0x00 marker,
// the key and, past 16 bytes, a closing 0x00).
func SeenKeyText(stored []byte) string {
	switch {
	case len(stored) == rawKeyLen:
		return hex.EncodeToString(stored)
	case len(stored) > rawKeyLen:
		return string(stored[1 : len(stored)-1])
	case len(stored) > 0:
		return string(stored[1:])
	}
	return ""
}
