package state

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is written once into a new file and checked on every Open,
// so a future layout change is detected instead of misread.
const schemaVersion = 1

// Bucket names are private: callers speak in sources, keys and digests.
var (
	bucketMeta    = []byte("meta")
	bucketSources = []byte("sources")
	bucketSeen    = []byte("seen") // one nested bucket per source
	bucketDigests = []byte("digests")
	keySchema     = []byte("schema")
)

// errForeign is the cause given when a valid bbolt file holds someone
// else's buckets.
var errForeign = errors.New("bbolt file without a watcher schema version")

// errTruncated is the cause given when the file ends before its last page.
var errTruncated = errors.New("truncated")

// prepare checks the opened file and creates every bucket in one Update.
func (s *Store) prepare() error {
	if err := s.checkSize(); err != nil {
		return s.openFailure(err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		fresh, err := checkSchema(tx)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketMeta, bucketSources, bucketSeen, bucketDigests} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if !fresh {
			return nil
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(schemaVersion)))
	})
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

// checkSchema accepts an empty file (fresh is then true) or one of our
// version, and nothing else.
func checkSchema(tx *bolt.Tx) (fresh bool, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if !empty {
			return false, errForeign
		}
		return true, nil
	}
	raw := meta.Get(keySchema)
	if raw == nil {
		return false, errForeign
	}
	if v, err := strconv.Atoi(string(raw)); err != nil || v != schemaVersion {
		return false, fmt.Errorf("schema version %q, this watcher reads version %d: the file was written by another watcher release", raw, schemaVersion)
	}
	return false, nil
}
