package state

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketListed holds, for each source, the seen keys its last recorded
// read listed, and a time no older than any of their seen times. SeenKeys
// answers from it first and reads the source's seen bucket only for the
// keys it does not hold; a commit refreshes the seen times of the keys it
// holds only once that time is more than a day old. In a warm cycle,
// then, only the few new items of a feed are looked up in its bucket.
//
// Why: the seen keys are hashes, so the items of one feed lie at random
// places in their source's bucket, and a bucket grows with every item
// remembered. Looking up and touching twenty listed items in a bucket of
// a few months read about twenty of its pages, twice a cycle, for each
// source: the cycle's reads, and the memory of the file they map, grew
// with what was remembered rather than with what was new. A listing is
// one value a source, beside those of the sources next to it by name.
//
// A value is the time (8 bytes, big-endian Unix seconds) then the
// stored keys, rawKeyLen bytes each, sorted. Every key in it is in the
// source's seen bucket with a seen time no older than the time: it is
// written in the transaction that marks or touches the keys, and Prune
// drops from it the keys it forgets. Keys not in item.Key's form (never
// rawKeyLen bytes stored) are not listed, only looked up. The bucket is
// made on first use, so older files need no migration, and a source
// without a listing reads as before.
var bucketListed = []byte("listed")

// maxListed bounds one source's listing (32 KiB); the further seen keys
// of a feed listing more are looked up and touched one by one.
const maxListed = 2048

const listedTimeLen = 8

// listing is one source's listed keys: rawKeyLen bytes each, sorted.
type listing []byte

// readListing returns the listing of source and its time; none (and
// the zero time) if there is none or it is damaged.
func readListing(tx *bolt.Tx, source string) (listing, time.Time) {
	b := tx.Bucket(bucketListed)
	if b == nil {
		return nil, time.Time{}
	}
	v := b.Get([]byte(source))
	if len(v) < listedTimeLen || (len(v)-listedTimeLen)%rawKeyLen != 0 {
		return nil, time.Time{} // none, or damage: the seen bucket answers
	}
	at := time.Unix(int64(binary.BigEndian.Uint64(v)), 0)
	return listing(v[listedTimeLen:]), at
}

// has reports whether the stored key sk is listed.
func (l listing) has(sk []byte) bool {
	if len(sk) != rawKeyLen {
		return false
	}
	n := len(l) / rawKeyLen
	i := sort.Search(n, func(i int) bool { return bytes.Compare(l.at(i), sk) >= 0 })
	return i < n && bytes.Equal(l.at(i), sk)
}

func (l listing) at(i int) []byte { return l[i*rawKeyLen : (i+1)*rawKeyLen] }

// recordRead writes what one read of source showed: the new keys marked
// seen at now, the keys seen before touched, and the listing of both.
//
// A key touched that the last listing holds, while that listing's time
// is within two days, is neither read nor written: its seen time is no
// older than the listing's. The others are read, and rewritten if their
// seen time is a day old (touchEvery). So a key a source keeps listing
// has a seen time at most two days older than the source's last read,
// which the retention's minimum allows for; and every key's time is
// refreshed, in one commit, at least every two days.
func recordRead(tx *bolt.Tx, source string, seen, touched []string, now time.Time) error {
	if err := markSeen(tx, source, seen, now); err != nil {
		return err
	}
	b := tx.Bucket(bucketSeen).Bucket([]byte(source))
	if b == nil {
		return nil // nothing seen, so nothing to touch or list
	}
	old, oldAt := readListing(tx, source)
	trusted := old != nil && now.Sub(oldAt) < 2*touchEvery
	at := now.Add(-touchEvery) // what every key read below is refreshed to at least
	if trusted && oldAt.Before(at) {
		at = oldAt
	}
	keys := make([][]byte, 0, min(len(seen)+len(touched), maxListed))
	list := func(sk []byte) {
		if len(sk) == rawKeyLen && len(keys) < maxListed {
			keys = append(keys, sk)
		}
	}
	stamp := encodeTime(now)
	for _, k := range seen {
		sk := storedKey(k)
		// markSeen keeps the time of a key seen before: listed only if
		// that time is within the bound.
		if v := b.Get(sk); v != nil && !decodeTime(v).Before(at) {
			list(sk)
		}
	}
	for _, k := range touched {
		sk := storedKey(k)
		if trusted && old.has(sk) {
			list(sk)
			continue
		}
		v := b.Get(sk)
		if v == nil {
			continue // never seen: touching does not mark it
		}
		if now.Sub(decodeTime(v)) >= touchEvery {
			if err := b.Put(sk, stamp); err != nil {
				return fmt.Errorf("touch key %q of source %q: %w", k, source, err)
			}
		}
		list(sk)
	}
	return putListing(tx, source, keys, at)
}

// putListing writes source's listing of keys (stored keys, any order) at
// time at; unchanged, it writes nothing, and empty, it deletes it.
func putListing(tx *bolt.Tx, source string, keys [][]byte, at time.Time) error {
	slices.SortFunc(keys, bytes.Compare)
	keys = slices.CompactFunc(keys, bytes.Equal)
	b, err := tx.CreateBucketIfNotExists(bucketListed)
	if err != nil {
		return fmt.Errorf("listing of source %q: %w", source, err)
	}
	if len(keys) == 0 {
		return b.Delete([]byte(source))
	}
	val := make([]byte, listedTimeLen, listedTimeLen+len(keys)*rawKeyLen)
	binary.BigEndian.PutUint64(val, uint64(max(at.Unix(), 0)))
	for _, k := range keys {
		val = append(val, k...)
	}
	if bytes.Equal(b.Get([]byte(source)), val) {
		return nil
	}
	if err := b.Put([]byte(source), val); err != nil {
		return fmt.Errorf("listing of source %q: %w", source, err)
	}
	return nil
}

// pruneListing drops from source's listing the keys its seen bucket no
// longer holds, so that a key Prune forgot is not still answered seen.
func pruneListing(tx *bolt.Tx, seen *bolt.Bucket, source string) error {
	l, at := readListing(tx, source)
	var kept [][]byte
	for i := range len(l) / rawKeyLen {
		if k := l.at(i); seen.Get(k) != nil {
			kept = append(kept, bytes.Clone(k))
		}
	}
	if len(kept)*rawKeyLen == len(l) {
		return nil
	}
	return putListing(tx, source, kept, at)
}

// readSources are the sources whose read b records keys of, in order.
func (b Batch) readSources() []string {
	names := sortedKeys(b.Seen)
	for _, n := range sortedKeys(b.Touched) {
		if _, dup := b.Seen[n]; !dup {
			names = append(names, n)
		}
	}
	return names
}
