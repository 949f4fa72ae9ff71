package state

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// crashSplitEnv makes the test binary act as a watcher killed between two
// transactions of a split commit (see TestMain).
const crashSplitEnv = "STATE_TEST_CRASH_SPLIT_PATH"

// splitSources and splitKeys shape a cold cycle over many sources; with
// splitBound, its commit needs several transactions.
const splitSources, splitKeys, splitBound = 40, 10, 100

// matchedSources are the sources whose items are in the cold digest.
var matchedSources = []string{"outlet-07", "outlet-31"}

// coldBatch is a cold cycle's commit: every source's state and keys, and a
// digest carrying items of matchedSources.
func coldBatch() Batch {
	b := Batch{Sources: map[string]Source{}, Seen: map[string][]string{},
		Digest: digest("cold", t0, "email"), DigestSources: matchedSources}
	for i := range splitSources {
		n := fmt.Sprintf("outlet-%02d", i)
		b.Sources[n] = Source{Initialized: true, ETag: n}
		b.Seen[n] = keys(n, 0, splitKeys)
	}
	return b
}

func TestCommitSplitsColdCycle(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), Options{Now: newClock().Now, MaxTxKeys: splitBound})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	txs := 0
	s.testHookTx = func(int) error { txs++; return nil }
	mustCommit(t, s, coldBatch())
	// 38 unmatched sources of 11 keys (state included) fit 9 to a
	// transaction of 100: 5 transactions, then the digest's.
	if txs != 6 {
		t.Errorf("cold commit of %d keys in %d transactions, want 6", splitSources*(splitKeys+1), txs)
	}
	checkCold(t, s, -1)

	// A cycle within the bound is still one transaction.
	txs = 0
	mustCommit(t, s, Batch{Touched: map[string][]string{"outlet-01": keys("outlet-01", 0, splitKeys)},
		Digest: digest("warm", t0, "email"), DigestSources: []string{"outlet-01"}})
	if txs != 1 {
		t.Errorf("small commit in %d transactions, want 1", txs)
	}
}

// TestCommitFailsBetweenTransactions stops a split commit before each of
// its transactions in turn, as a crash there would: each source is whole
// or untouched, and the matched items are seen exactly when their digest
// is stored.
func TestCommitFailsBetweenTransactions(t *testing.T) {
	for stop := range 6 {
		t.Run(fmt.Sprintf("before transaction %d", stop+1), func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "state.db"), Options{Now: newClock().Now, MaxTxKeys: splitBound})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = s.Close() }()
			crash := errors.New("crash")
			s.testHookTx = func(i int) error {
				if i == stop {
					return crash
				}
				return nil
			}
			if err := s.Commit(coldBatch()); !errors.Is(err, crash) {
				t.Fatalf("Commit = %v, want the injected failure", err)
			}
			checkCold(t, s, stop)
		})
	}
}

// TestCommitKilledBetweenTransactions kills a writer with SIGKILL after
// the third transaction of a split commit.
func TestCommitKilledBetweenTransactions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashSplitEnv+"="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != -1 {
		t.Fatalf("writer was not killed during its commit: %v\n%s", err, out)
	}
	checkCold(t, openAt(t, path, newClock()), 3)
}

// commitSplitAndCrash is the killed writer: it dies before transaction 4.
func commitSplitAndCrash(path string) int {
	s, err := Open(path, Options{MaxTxKeys: splitBound})
	if err != nil {
		return 3
	}
	s.testHookTx = func(i int) error {
		if i == 3 {
			self, _ := os.FindProcess(os.Getpid())
			_ = self.Kill()
			select {}
		}
		return nil
	}
	_ = s.Commit(coldBatch())
	return 4
}

// checkCold checks what a cold commit stopped before transaction stop
// left (-1: it ran to the end): the sources of the earlier transactions
// written whole, the others untouched, and the matched sources' keys seen
// if and only if the digest is stored.
func checkCold(t *testing.T, s *Store, stop int) {
	t.Helper()
	b := coldBatch()
	ds, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	stored := len(ds) == 1
	if stored != (stop < 0) {
		t.Errorf("digest stored: %v, want %v", stored, stop < 0)
	}
	written := 0
	for name, ks := range b.Seen {
		src, err := s.Source(name)
		if err != nil {
			t.Fatal(err)
		}
		n := len(seenSet(t, s, name, ks))
		whole := src.Initialized && n == len(ks)
		if !whole && (src.Initialized || n != 0) {
			t.Errorf("source %s half written: state %v, %d of %d keys", name, src.Initialized, n, len(ks))
		}
		if whole {
			written++
		}
	}
	for _, name := range matchedSources {
		if n := len(seenSet(t, s, name, b.Seen[name])); (n > 0) != stored {
			t.Errorf("matched source %s: %d keys seen, digest stored %v: an item seen but in no digest, or the reverse", name, n, stored)
		}
	}
	if want := min(max(stop, 0)*9, splitSources-len(matchedSources)); stop >= 0 && written != want {
		t.Errorf("%d sources written before transaction %d, want %d", written, stop+1, want)
	}
}
