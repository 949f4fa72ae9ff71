package state

import (
	"fmt"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bbolt reads its pages straight from a memory map. A damaged or truncated
// file can make it index past a page or touch memory beyond the end of the
// file, which is a panic or a fatal fault rather than an error. Every entry
// into bbolt therefore runs with SetPanicOnFault (meant for exactly this:
// memory-mapped files) and a recover that reports the damage as ErrCorrupt.

// openBolt opens the bbolt file, converting a panic into an error. On a
// panic bbolt has neither unmapped nor closed the file. The memory map
// keeps the open file alive, so closing it would not drop the lock: the
// lock is released explicitly, then the file closed; only the map leaks.
func openBolt(path string, timeout time.Duration, readOnly bool) (db *bolt.DB, err error) {
	var file *os.File
	opts := &bolt.Options{
		Timeout:  timeout,
		ReadOnly: readOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			return f, err
		},
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				unlockFile(file)
				_ = file.Close()
			}
			db, err = nil, fmt.Errorf("reading file: %v", r)
		}
	}()
	db, err = bolt.Open(path, 0o600, opts)
	if err == nil && !readOnly {
		db.AllocSize = allocSize
	}
	return db, err
}

// allocSize is how far ahead of need bbolt grows the file. bbolt sizes
// the file as its memory map (which doubles) until the map passes
// AllocSize, then as the pages in use plus AllocSize. With the default of
// 16 MiB, 9 MiB of pages lie in a 16 MiB file; in steps of 1 MiB the file
// follows its pages, at the price of a truncate and fsync per MiB of
// growth, which is rare once a file has reached its working size.
const allocSize = 1 << 20

// view runs fn in a read transaction, reporting damage as ErrCorrupt.
func (s *Store) view(fn func(tx *bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(r)
		}
	}()
	return s.db.View(fn)
}

// update runs fn in a write transaction, reporting damage as ErrCorrupt.
// bbolt rolls the transaction back before the panic reaches the recover.
func (s *Store) update(fn func(tx *bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(r)
		}
	}()
	return s.db.Update(fn)
}

// damaged describes a recovered panic; callers add the operation and path.
func damaged(r any) error {
	return fmt.Errorf("%w (reading file: %v)"+recoverHint, ErrCorrupt, r)
}
