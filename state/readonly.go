package state

import (
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// ErrNeedsUpgrade is wrapped by OpenReadOnly when the file must first be
// prepared by a writer: created, given the index of open digests, or
// migrated from an older schema.
var ErrNeedsUpgrade = errors.New("file needs upgrading by a run of this watcher first")

// OpenReadOnly opens an existing state file for reading only, for
// commands that look without changing anything (watcher fetch). It takes
// a shared lock: it waits up to Options.Timeout while a writer (a cycle,
// or the daemon, which holds its file while it runs) has the file, then
// fails wrapping ErrLocked. A missing file is an error wrapping
// fs.ErrNotExist; a file this release would still have to migrate or
// index wraps ErrNeedsUpgrade. Methods that write fail on the store.
func OpenReadOnly(path string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	db, err := openBolt(path, opts.Timeout, true)
	if err != nil {
		return nil, classifyOpenError(path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now, maxTxKeys: opts.MaxTxKeys}
	err = s.checkSize()
	if err == nil {
		err = s.view(checkReadable)
	}
	if err != nil {
		_ = db.Close()
		return nil, s.openFailure(err)
	}
	return s, nil
}

// checkReadable accepts only a file of the current schema with every
// bucket in place: what Open would leave behind.
func checkReadable(tx *bolt.Tx) error {
	version, err := checkSchema(tx)
	if err != nil {
		return err
	}
	if version != schemaVersion || tx.Bucket(bucketMeta).Get(keyMigrating) != nil {
		return fmt.Errorf("schema version %d: %w", version, ErrNeedsUpgrade)
	}
	for _, name := range [][]byte{bucketSources, bucketSeen, bucketDigests, bucketOpen} {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("no %s bucket (schema %s): %w", name, strconv.Itoa(version), ErrNeedsUpgrade)
		}
	}
	return nil
}
