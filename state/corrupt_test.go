package state

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// realDB writes a state file with enough keys to span many pages and
// returns its bytes and how many of them hold pages; bbolt grows the file
// ahead of need, so the rest is spare. With pruned, most keys are then
// pruned, which leaves free pages at the end of the used range.
func realDB(t *testing.T, pruned bool) (raw []byte, used int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "real.db")
	clk := newClock()
	s, err := Open(path, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i, src := range []string{"apa", "report", "meduza", "sputnik", "civil-ge"} {
		mustCommit(t, s, Batch{
			Sources: map[string]Source{src: {Initialized: true}},
			Seen:    map[string][]string{src: keys(src, i*4000, 4000)},
			Digest:  digest("d-"+src, t0, "email"),
		})
		clk.Advance(time.Hour)
	}
	if pruned {
		if _, _, err := s.Prune(t0.Add(3 * time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.view(func(tx *bolt.Tx) error { used = int(tx.Size()); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw, used
}

// foreignDB is a valid bbolt file that some other program wrote.
func foreignDB(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("widgets"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	raw, _ := os.ReadFile(path)
	return raw
}

func garbage(n int) []byte {
	r := rand.New(rand.NewPCG(8243, 2024))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestOpenCorrupt(t *testing.T) {
	real, used := realDB(t, false)
	pruned, prunedUsed := realDB(t, true)
	page := os.Getpagesize()
	scrambled := append([]byte(nil), real...)
	copy(scrambled[4*page:], garbage(len(real)-4*page))
	// Pages holding seen keys, away from the freelist at the end: Open
	// succeeds and the damage shows when the keys are read.
	interior := append([]byte(nil), real...)
	copy(interior[used/4:], garbage(used/4))
	tests := []struct {
		name  string
		bytes []byte
		// lazy marks damage that Open cannot see: it shows on first read.
		lazy bool
	}{
		{"short garbage", garbage(100), false},
		{"page of garbage", garbage(5000), false},
		{"64 KiB of garbage", garbage(64 << 10), false},
		{"text file", []byte(strings.Repeat("sources:\n  - name: apa\n", 400)), false},
		{"truncated to two pages", real[:2*page], false},
		{"truncated to half its pages", real[:used/2], false},
		{"last page cut off", real[:used-page], false},
		// The missing pages are free, so no read would touch them; Open
		// refuses the file all the same rather than write into the gap.
		{"pruned file cut short", pruned[:prunedUsed-page], false},
		{"meta pages zeroed", append(make([]byte, 2*page), real[2*page:]...), false},
		{"pages after meta scrambled", scrambled, false},
		{"interior pages scrambled", interior, true},
		{"bbolt file of another program", foreignDB(t), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			if err := os.WriteFile(path, tc.bytes, 0o600); err != nil {
				t.Fatal(err)
			}
			err := openAndUse(path)
			if err == nil {
				t.Fatal("a damaged file opened and read without error")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %q does not wrap ErrCorrupt", err)
			}
			msg := err.Error()
			if !tc.lazy && !strings.HasPrefix(msg, "open state "+path+": ") {
				t.Errorf("error = %q, want Open itself to fail", msg)
			}
			if !strings.Contains(msg, path+": file is corrupt or not a watcher state file (") ||
				!strings.HasSuffix(msg, ")"+recoverHint) {
				t.Errorf("error = %q, want the path, the cause and the advice", msg)
			}
			// A failed Open must not leave the file locked.
			if err := openAndUse(path); errors.Is(err, ErrLocked) {
				t.Errorf("second attempt: %v", err)
			}
		})
	}
}

// openAndUse opens path and reads everything, returning the first error.
// Some damage is only found when a page is read, after Open succeeded.
func openAndUse(path string) error {
	s, err := Open(path, Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Stats(); err != nil {
		return err
	}
	if _, err := s.SeenKeys("apa", keys("apa", 0, 100)); err != nil {
		return err
	}
	if _, err := s.Digests(); err != nil {
		return err
	}
	_, _, err = s.Prune(t0.Add(time.Hour))
	return err
}
