//go:build !unix

package state

import "os"

// unlockFile does nothing where bbolt's lock is not a flock; closing the
// file is all there is.
func unlockFile(*os.File) {}
