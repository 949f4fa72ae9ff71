package state

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenReadOnly checks a reader sees what a writer stored, changes
// nothing, shares the file with another reader, and is refused while a
// writer holds it.
func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "watcher.db")
	if _, err := OpenReadOnly(path, Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a read-only open created the file (%v)", err)
	}
	w, err := Open(path, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(Batch{Sources: map[string]Source{"tass.ru": {Initialized: true, ETag: `"e1"`}},
		Seen: map[string][]string{"tass.ru": {"0123456789abcdef0123456789abcdef"}}}); err != nil {
		t.Fatal(err)
	}
	// The writer holds the file: a reader waits, then says so.
	if _, err := OpenReadOnly(path, Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("while a writer holds the file: err = %v, want ErrLocked", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	r1, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	src, err := r2.Source("tass.ru")
	if err != nil || !src.Initialized || src.ETag != `"e1"` {
		t.Errorf("Source = %+v, %v", src, err)
	}
	seen, err := r1.SeenKeys("tass.ru", []string{"0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"})
	if err != nil || len(seen) != 1 || !seen["0123456789abcdef0123456789abcdef"] {
		t.Errorf("SeenKeys = %v, %v; want the one stored key", seen, err)
	}
	if err := r1.Commit(Batch{Sources: map[string]Source{"x": {Initialized: true}}}); err == nil {
		t.Error("Commit on a read-only store succeeded")
	}
	r1.Close()
	r2.Close()
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the file changed under read-only stores")
	}
}

// TestOpenReadOnlyRefusesForeign checks a file that is not a watcher
// state file is reported as corrupt, not read.
func TestOpenReadOnlyRefusesForeign(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not bbolt "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(path, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("err = %v, want ErrCorrupt", err)
	}
}
