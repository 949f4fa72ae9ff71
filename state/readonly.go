package state

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ErrNeedsUpgrade is wrapped by a read-only Open of a file that a writer
// must first bring to this release's layout (a new, empty or older file).
var ErrNeedsUpgrade = errors.New("the file is not yet in this release's layout: the next cycle upgrades it")

// prepareReadOnly checks a file opened read-only: it must be whole and in
// the current layout, since a reader can neither create buckets nor
// migrate.
func (s *Store) prepareReadOnly() error {
	if err := s.checkSize(); err != nil {
		return s.openFailure(err)
	}
	err := s.view(func(tx *bolt.Tx) error {
		version, err := checkSchema(tx)
		if err != nil {
			return err
		}
		if version != schemaVersion || tx.Bucket(bucketMeta).Get(keyMigrating) != nil {
			return ErrNeedsUpgrade
		}
		for _, name := range [][]byte{bucketSources, bucketSeen, bucketDigests, bucketOpen} {
			if tx.Bucket(name) == nil {
				return ErrNeedsUpgrade
			}
		}
		return nil
	})
	if errors.Is(err, ErrNeedsUpgrade) {
		return fmt.Errorf("open state %s read-only: %w", s.path, err)
	}
	return s.openFailure(err)
}

// OpenReadOnly opens an existing state file for reading only, for
// commands that look without changing anything (watcher fetch, status):
// Open with Options.ReadOnly set. It takes a shared lock, waiting up to
// Options.Timeout while a writer has the file.
func OpenReadOnly(path string, opts Options) (*Store, error) {
	opts.ReadOnly = true
	return Open(path, opts)
}
