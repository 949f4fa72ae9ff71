package state

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A version 1 file stored seen keys as hex text with 8-byte big-endian Unix
// nanoseconds. Open marks it version 2 at once, so that an older release
// refuses it rather than misreads it, and keyMigrating in meta records
// that sources are left to re-encode: it holds 0x00 and the name of the
// last source done. Sources are re-encoded in name order, a source at a
// time and up to Options.MaxTxKeys keys a transaction, each transaction
// moving the mark with the sources it did. A crash half way leaves every
// source in one form or the other, never both, and the mark saying which:
// the next Open goes on from there. Bounded transactions keep a file of
// millions of keys from needing its size in memory, which would fail the
// migration, and so every start, under a service's memory limit.
//
// The old form is read here only; the rest of the package knows one form.
var keyMigrating = []byte("migrating")

// migratingFrom is the mark's value after source name (nil: none yet).
func migratingFrom(name []byte) []byte { return append([]byte{0}, name...) }

// migrate finishes a migration from version 1 that the file records.
func (s *Store) migrate() error {
	for {
		var done bool
		err := s.update(func(tx *bolt.Tx) error {
			var err error
			done, err = migrateSome(tx, s.maxTxKeys)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate from schema version 1: %w", err)
		}
		if done {
			return nil
		}
	}
}

// migrateSome re-encodes the next sources after the mark, about limit keys
// of them, and moves the mark; done is true, and the mark gone, when no
// source is left.
func migrateSome(tx *bolt.Tx, limit int) (done bool, err error) {
	meta, seen := tx.Bucket(bucketMeta), tx.Bucket(bucketSeen)
	mark := meta.Get(keyMigrating)
	if mark == nil {
		return true, nil
	}
	after := bytes.Clone(mark[1:])
	var todo [][]byte
	keys := 0
	c := seen.Cursor()
	k, v := c.Seek(after)
	if len(mark) > 1 && bytes.Equal(k, after) {
		k, v = c.Next()
	}
	for ; k != nil && keys < limit; k, v = c.Next() {
		if v == nil { // a nested bucket: a source
			todo = append(todo, bytes.Clone(k))
			keys += seen.Bucket(k).Stats().KeyN
		}
	}
	for _, src := range todo {
		if err := migrateSource(seen, src); err != nil {
			return false, fmt.Errorf("seen keys of source %q: %w", src, err)
		}
	}
	if len(todo) == 0 {
		return true, meta.Delete(keyMigrating)
	}
	return false, meta.Put(keyMigrating, migratingFrom(todo[len(todo)-1]))
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
