package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// A test binary killed before Stop (a timeout's panic, SIGKILL) leaves
// its directory behind, some 40 MB of data files; postgres itself dies
// with it (Pdeathsig). Each server holds an flock on a file in its
// directory for as long as it runs, and the kernel drops the lock with
// the process, so a directory whose lock can be taken is a dead run's,
// and the next Start removes it.

const (
	dirPattern = "watcher-pgtest-*"
	lockName   = "owner.lock"
)

// lockDir takes the owner lock of a new dir, held until the file is
// closed. The file is locked under another name and then renamed, so a
// lock file that exists is always held by a live owner or by none.
func lockDir(dir string) (*os.File, error) {
	staged := filepath.Join(dir, lockName+".new")
	f, err := os.OpenFile(staged, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err == nil {
		if err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
			err = os.Rename(staged, filepath.Join(dir, lockName))
		}
		if err != nil {
			_ = f.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("lock PostgreSQL test directory: %w", err)
	}
	return f, nil
}

// ownerGone reports whether dir's owner lock exists and is free.
func ownerGone(dir string) bool {
	f, err := os.Open(filepath.Join(dir, lockName))
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// removeLeftovers removes the directories of dead runs. One without a
// lock file is being made right now, unless it is an hour old.
func removeLeftovers() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPattern))
	for _, dir := range dirs {
		_, noLock := os.Stat(filepath.Join(dir, lockName))
		fi, err := os.Stat(dir)
		switch {
		case err != nil:
		case ownerGone(dir), os.IsNotExist(noLock) && time.Since(fi.ModTime()) > time.Hour:
			_ = os.RemoveAll(dir)
		}
	}
}
