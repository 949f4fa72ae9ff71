package state

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Seen keys live in one nested bucket per source under "seen". The value is
// the time the key was last marked or touched, as 8 big-endian bytes of
// Unix nanoseconds: small, and all Prune needs.

// SeenKeys reports which of keys the named source has already shown, in
// one read transaction. The result holds only the keys that were seen, each
// mapped to true, so a lookup of any other key yields false.
func (s *Store) SeenKeys(source string, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool)
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeen).Bucket([]byte(source))
		if b == nil {
			return nil
		}
		for _, k := range keys {
			if k != "" && b.Get([]byte(k)) != nil {
				seen[k] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("look up seen keys of source %q in state %s: %w", source, s.path, err)
	}
	return seen, nil
}

// markSeen records keys as seen at now. A key seen before keeps its time:
// Seen is for new keys, Touched is what refreshes old ones.
func markSeen(tx *bolt.Tx, source string, keys []string, now time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	b, err := tx.Bucket(bucketSeen).CreateBucketIfNotExists([]byte(source))
	if err != nil {
		return fmt.Errorf("create seen bucket of source %q: %w", source, err)
	}
	stamp := encodeTime(now)
	for _, k := range keys {
		if b.Get([]byte(k)) != nil {
			continue
		}
		if err := b.Put([]byte(k), stamp); err != nil {
			return fmt.Errorf("mark key %q of source %q seen: %w", k, source, err)
		}
	}
	return nil
}

// touchEvery is how stale a seen time must be before Touched rewrites it.
// Retention is measured in days, so refreshing a key at most daily keeps it
// safe from Prune while sparing a page write per listed item per cycle.
const touchEvery = 24 * time.Hour

// touchSeen moves the time of keys already seen to now, so keys a source
// still lists survive Prune. Keys never seen are left alone: touching is not
// a way to mark an item seen without it going through a digest.
func touchSeen(tx *bolt.Tx, source string, keys []string, now time.Time) error {
	b := tx.Bucket(bucketSeen).Bucket([]byte(source))
	if b == nil {
		return nil
	}
	stamp := encodeTime(now)
	for _, k := range keys {
		v := b.Get([]byte(k))
		if v == nil || now.Sub(decodeTime(v)) < touchEvery {
			continue
		}
		if err := b.Put([]byte(k), stamp); err != nil {
			return fmt.Errorf("touch key %q of source %q: %w", k, source, err)
		}
	}
	return nil
}

func encodeTime(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano()))
}

// decodeTime reads a seen time; a value of the wrong size (damage) reads as
// the zero time, which Prune treats as old.
func decodeTime(v []byte) time.Time {
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v)))
}
