package state

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Seen keys live in one nested bucket per source under "seen". An item key
// (32 hex digits from item.Key) is stored as the 16 bytes it spells, and
// its value is the time it was last marked or touched, as a uvarint of
// Unix seconds: with bbolt's 16-byte element header that is 37 bytes a
// key, where the hex text and 8-byte nanoseconds of schema 1 took 56.

// rawKeyLen is the stored length of a key in item.Key's form.
const rawKeyLen = 16

// maxKeyLen is the longest key Commit accepts: a key not in item.Key's
// form is stored with two marker bytes (see storedKey).
const maxKeyLen = bolt.MaxKeySize - 2

// storedKey is the bbolt key for item key k. A key of item.Key's form
// (32 lower-case hex digits) becomes its 16 bytes. Any other key is stored
// as 0x00, the key and, when that would not already be longer than 16
// bytes, nothing more; otherwise a closing 0x00. The lengths of the two
// forms differ (1 to 15, or 17 and up), so no two keys share a stored key.
// Written by hand: it is a length rule, not an encoding a library offers.
func storedKey(k string) []byte {
	if raw, ok := rawKey(k); ok {
		return raw
	}
	out := make([]byte, 0, len(k)+2)
	out = append(out, 0)
	out = append(out, k...)
	if len(out) >= rawKeyLen {
		out = append(out, 0)
	}
	return out
}

// SeenKey is the stored form of item key k (see storedKey), for another
// store that keeps seen keys the same way, so both hold the same bytes and
// SeenKeyText reads either.
func SeenKey(k string) []byte { return storedKey(k) }

// rawKey decodes k if it is 32 lower-case hex digits. Upper case is left
// out on purpose: "AB…" and "ab…" are different keys and must stay so.
func rawKey(k string) ([]byte, bool) {
	if len(k) != 2*rawKeyLen {
		return nil, false
	}
	for i := range len(k) {
		if c := k[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return nil, false
		}
	}
	raw, err := hex.DecodeString(k)
	return raw, err == nil
}

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
			if k != "" && b.Get(storedKey(k)) != nil {
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

// fillFresh is how full bbolt packs the pages of a source's seen bucket
// in the transaction that creates it: a first fetch writes the whole
// backlog at once and later keys are few, so full pages waste nothing.
// Later transactions keep bbolt's default of half-full splits, which
// suits keys that arrive at random places (they are hashes).
const fillFresh = 1.0

// markSeen records keys as seen at now. A key seen before keeps its time:
// Seen is for new keys, Touched is what refreshes old ones.
func markSeen(tx *bolt.Tx, source string, keys []string, now time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	seen := tx.Bucket(bucketSeen)
	b := seen.Bucket([]byte(source))
	if b == nil {
		var err error
		if b, err = seen.CreateBucket([]byte(source)); err != nil {
			return fmt.Errorf("create seen bucket of source %q: %w", source, err)
		}
		b.FillPercent = fillFresh
	}
	stamp := encodeTime(now)
	for _, k := range keys {
		sk := storedKey(k)
		if b.Get(sk) != nil {
			continue
		}
		if err := b.Put(sk, stamp); err != nil {
			return fmt.Errorf("mark key %q of source %q seen: %w", k, source, err)
		}
	}
	return nil
}

// TouchEvery is how stale a seen time must be before Touched rewrites it
// (in both stores; config.TouchEvery assumes it, and a test ties the two).
// Retention is measured in days, so refreshing a key at most daily keeps it
// safe from Prune while sparing a page write per listed item per cycle.
const TouchEvery = 24 * time.Hour

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
		sk := storedKey(k)
		v := b.Get(sk)
		if v == nil || now.Sub(decodeTime(v)) < TouchEvery {
			continue
		}
		if err := b.Put(sk, stamp); err != nil {
			return fmt.Errorf("touch key %q of source %q: %w", k, source, err)
		}
	}
	return nil
}

// encodeTime stores t to the second, which is all Prune's retention of
// days needs.
func encodeTime(t time.Time) []byte {
	return binary.AppendUvarint(nil, uint64(max(t.Unix(), 0)))
}

// decodeTime reads a seen time; a value that is not one uvarint (damage)
// reads as the zero time, which Prune treats as old.
func decodeTime(v []byte) time.Time {
	secs, n := binary.Uvarint(v)
	if n != len(v) || n <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(secs), 0)
}
