package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCloseReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	clk := newClock()
	s, err := Open(path, Options{Now: clk.Now})
	if err != nil {
		t.Fatalf("Open new file: %v", err)
	}
	if got := s.Path(); got != path {
		t.Errorf("Path() = %q, want %q", got, path)
	}
	mustCommit(t, s, Batch{Sources: map[string]Source{"apa": {Initialized: true, ETag: `"v1"`}}})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if _, err := s.Sources(); err == nil {
		t.Error("Sources after Close succeeded, want an error")
	}
	s = openAt(t, path, clk)
	src, err := s.Source("apa")
	if err != nil || src.ETag != `"v1"` || !src.Initialized {
		t.Errorf("Source after reopen = %+v, %v; want the stored ETag", src, err)
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	first := openAt(t, path, newClock())

	// bbolt's flock is per open file description, so a second Open in the
	// same process contends exactly as a second watcher process would.
	second, err := Open(path, Options{})
	if err == nil {
		_ = second.Close()
		t.Fatal("second Open succeeded while the first holds the file")
	}
	if !errors.Is(err, ErrLocked) || !errors.Is(err, bolt.ErrTimeout) {
		t.Errorf("error %v does not wrap ErrLocked and bolt.ErrTimeout", err)
	}
	want := "open state " + path + ": locked by another watcher process?: "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	third, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	_ = third.Close()
}

func TestOpenBadArguments(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		opts    Options
		wantErr string
	}{
		{"path is a directory", dir, Options{}, "open state " + dir + ": "},
		{"directory missing", filepath.Join(dir, "no", "state.db"), Options{}, "no such file or directory"},
		{"negative timeout", filepath.Join(dir, "state.db"), Options{Timeout: -time.Second}, "lock timeout -1s is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.path, tc.opts)
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) || errors.Is(err, ErrCorrupt) {
				t.Errorf("error = %q, want it to contain %q and not claim corruption", err, tc.wantErr)
			}
		})
	}
}

func TestOpenSchemaMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("3"))
	}); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	s, err = Open(path, Options{})
	if err == nil {
		_ = s.Close()
		t.Fatal("Open accepted a file of schema version 3")
	}
	want := `open state ` + path + `: schema version "3", this watcher reads versions 1 and 2`
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
}

func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		os.Exit(commitAndCrash(path))
	}
	if path := os.Getenv(crashSplitEnv); path != "" {
		os.Exit(commitSplitAndCrash(path))
	}
	os.Exit(m.Run())
}
