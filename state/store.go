// Package state is the watcher's memory between cycles, kept in one bbolt
// file: what each source last answered (validators and health), which item
// keys each source has already shown, the digests waiting for delivery,
// and the stories digests sent (so a later report of one is an addition),
// and an archive of the items read (see ArchiveRange).
//
// It imports nothing from the rest of the project: item keys arrive as
// strings, digests as opaque bytes and archived items as the package's own
// Archived, so crawl's and alert's types never reach this package. All
// writes of a cycle go through one Commit.
package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultTimeout is how long Open waits for another process to release the
// file lock before giving up.
const DefaultTimeout = 2 * time.Second

// ErrLocked is wrapped by Open when another process holds the state file.
var ErrLocked = errors.New("locked by another watcher process?")

// ErrCorrupt is wrapped by Open (and by any later call that trips over a
// damaged page) when the file is not a readable watcher state file.
var ErrCorrupt = errors.New("file is corrupt or not a watcher state file")

// Options configure a Store. The zero value is ready to use.
type Options struct {
	// Timeout bounds the wait for the file lock; zero means DefaultTimeout.
	// Without it a second watcher would hang while the service runs.
	Timeout time.Duration
	// Now is the clock used for seen times and digest bookkeeping;
	// nil means time.Now. Tests inject a fake clock here.
	Now func() time.Time
	// MaxTxKeys bounds the keys one Commit transaction writes (see
	// Commit); zero means DefaultMaxTxKeys.
	MaxTxKeys int
	// ReadOnly opens an existing file for reading only, under a shared
	// lock: several readers may hold it at once, and none while a
	// writer does. Writes then fail. For `watcher status`.
	ReadOnly bool
}

func (o Options) withDefaults() (Options, error) {
	if o.Timeout < 0 {
		return o, fmt.Errorf("lock timeout %s is negative", o.Timeout)
	}
	if o.MaxTxKeys < 0 {
		return o, fmt.Errorf("transaction bound of %d keys is negative", o.MaxTxKeys)
	}
	if o.MaxTxKeys == 0 {
		o.MaxTxKeys = DefaultMaxTxKeys
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// Store is an open state file. Its methods are safe for concurrent use;
// bbolt serialises writers.
type Store struct {
	db        *bolt.DB
	path      string
	now       func() time.Time
	maxTxKeys int
	closeOnce sync.Once
	closeErr  error
	// testHookTx, when set by a test, runs before each transaction of a
	// Commit; an error stops the commit there, as a crash would.
	testHookTx func(i int) error
}

// Open opens or creates the state file at path. It fails after
// Options.Timeout with an error wrapping ErrLocked if another process holds
// the file, and with one wrapping ErrCorrupt if the file is damaged or is
// not a watcher state file; it never panics on a bad file.
func Open(path string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	db, err := openBolt(path, opts.Timeout, opts.ReadOnly)
	if err != nil {
		return nil, classifyOpenError(path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now, maxTxKeys: opts.MaxTxKeys}
	prepare := s.prepare
	if opts.ReadOnly {
		prepare = s.prepareReadOnly
	}
	if err := prepare(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// classifyOpenError turns a bbolt open failure into the message a user
// can act on: wait for the other process, fix the path, or move the file.
func classifyOpenError(path string, err error) error {
	var pathErr *fs.PathError
	var errno syscall.Errno
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return fmt.Errorf("open state %s: %w: %w", path, ErrLocked, err)
	case errors.As(err, &pathErr), errors.As(err, &errno):
		return fmt.Errorf("open state %s: %w", path, err)
	default:
		return corruptError(path, err)
	}
}

// recoverHint tells the user what to do about a damaged state file, and
// what starting fresh costs.
const recoverHint = "; move it aside to start fresh (pending digests are lost, " +
	"and the next run reads every source again without alerting)"

// corruptError is the one message for every kind of damage.
func corruptError(path string, cause error) error {
	return fmt.Errorf("open state %s: %w (%w)"+recoverHint, path, ErrCorrupt, cause)
}

// Path returns the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Close releases the file. It is safe to call more than once; later calls
// return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("close state %s: %w", s.path, err)
		}
	})
	return s.closeErr
}

// fileSize reports the size of the state file on disk.
func (s *Store) fileSize() (int64, error) {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0, fmt.Errorf("stat state %s: %w", s.path, err)
	}
	return fi.Size(), nil
}
