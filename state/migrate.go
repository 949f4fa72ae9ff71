package state

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// migrateSeenV1 rewrites every source's seen bucket from schema 1 (hex
// text keys, 8-byte big-endian Unix nanoseconds) to the compact form of
// schema 2, within the caller's transaction.
//
// The migration runs once, in the Open that first meets a version 1 file,
// and in one transaction, rather than teaching every lookup to read both
// forms: the old form is then read in one place only, and a crash half way
// leaves a version 1 file that the next Open migrates again. Its cost is
// one transaction the size of the seen keys, once.
func migrateSeenV1(tx *bolt.Tx) error {
	seen := tx.Bucket(bucketSeen)
	var sources [][]byte
	if err := seen.ForEachBucket(func(k []byte) error {
		sources = append(sources, append([]byte(nil), k...))
		return nil
	}); err != nil {
		return err
	}
	for _, src := range sources {
		if err := migrateSource(seen, src); err != nil {
			return fmt.Errorf("seen keys of source %q: %w", src, err)
		}
	}
	return nil
}

// migrateSource replaces one source's bucket by a re-encoded copy.
func migrateSource(seen *bolt.Bucket, src []byte) error {
	type entry struct{ k, v []byte }
	var entries []entry
	err := seen.Bucket(src).ForEach(func(k, v []byte) error {
		if v != nil {
			entries = append(entries, entry{storedKey(string(k)), encodeTime(decodeTimeV1(v))})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := seen.DeleteBucket(src); err != nil {
		return err
	}
	b, err := seen.CreateBucket(src)
	if err != nil {
		return err
	}
	b.FillPercent = fillFresh // the keys go in in order: pack them
	for _, e := range entries {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// decodeTimeV1 reads a schema 1 seen time; damage reads as the zero time.
func decodeTimeV1(v []byte) time.Time {
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v)))
}
