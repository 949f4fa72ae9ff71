package state

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is written into a new file and checked on every Open, so
// a layout change is detected instead of misread. Version 1 stored seen
// keys as hex text with nanosecond times; version 2 stores them compactly
// (see seen.go), and Open migrates a version 1 file (see migrate.go).
const schemaVersion = 2

// Bucket names are private: callers speak in sources, keys and digests.
var (
	bucketMeta    = []byte("meta")
	bucketSources = []byte("sources")
	bucketSeen    = []byte("seen") // one nested bucket per source
	bucketDigests = []byte("digests")
	bucketOpen    = []byte("open") // ids of the digests some sink still has to accept
	keySchema     = []byte("schema")
)

// errForeign is the cause given when a valid bbolt file holds someone
// else's buckets.
var errForeign = errors.New("bbolt file without a watcher schema version")

// errTruncated is the cause given when the file ends before its last page.
var errTruncated = errors.New("truncated")

// prepare checks the opened file, creates every bucket and marks a new
// file with the current schema, in one Update. A version 1 file is marked
// version 2 and "migrating" in the same Update, then migrated in bounded
// transactions (see migrate.go).
func (s *Store) prepare() error {
	if err := s.checkSize(); err != nil {
		return s.openFailure(err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		version, err := checkSchema(tx)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketMeta, bucketSources, bucketSeen, bucketDigests, bucketArchive} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if tx.Bucket(bucketOpen) == nil {
			// A file from before the index of open digests: build it.
			if _, err := tx.CreateBucket(bucketOpen); err != nil {
				return fmt.Errorf("create bucket %s: %w", bucketOpen, err)
			}
			if err := indexOpen(tx); err != nil {
				return fmt.Errorf("index open digests: %w", err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if version == 0 {
			// A new file holds nothing to prune: the first walk over
			// every seen key is due a prune interval from now, not at
			// the end of the first cycle, where it brought the whole
			// file just written into memory (20,000 sources: some 90 MB
			// of mapped pages in the cold cycle's peak). A file filled
			// by `state copy` is pruned a day later, too.
			if err := meta.Put(keyPruned, encodeTime(s.now())); err != nil {
				return err
			}
		}
		if version == 1 {
			if err := meta.Put(keyMigrating, migratingFrom(nil)); err != nil {
				return err
			}
		}
		if version == schemaVersion {
			return nil
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion)))
	})
	if err == nil {
		err = s.migrate()
	}
	return s.openFailure(err)
}

// openFailure adds the path; a foreign or truncated file is called corrupt.
func (s *Store) openFailure(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errForeign), errors.Is(err, errTruncated):
		return corruptError(s.path, err)
	default:
		return fmt.Errorf("open state %s: %w", s.path, err)
	}
}

// checkSize catches a truncated file: bbolt trusts its meta page about how
// many pages exist, and reading one past the end of the file would fault.
func (s *Store) checkSize() error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return err
	}
	return s.view(func(tx *bolt.Tx) error {
		if need := tx.Size(); fi.Size() < need {
			return fmt.Errorf("file is %d bytes but its pages need %d: %w", fi.Size(), need, errTruncated)
		}
		return nil
	})
}

// checkSchema accepts an empty file (version 0), one of our version or
// one this release can migrate (version 1), and nothing else.
func checkSchema(tx *bolt.Tx) (version int, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if !empty {
			return 0, errForeign
		}
		return 0, nil
	}
	raw := meta.Get(keySchema)
	if raw == nil {
		return 0, errForeign
	}
	if v, err := strconv.Atoi(string(raw)); err == nil && (v == 1 || v == schemaVersion) {
		return v, nil
	}
	return 0, fmt.Errorf("schema version %q, this watcher reads versions 1 and %d: the file was written by a newer watcher release", raw, schemaVersion)
}
