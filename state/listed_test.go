package state

import (
	"testing"
	"time"
)

// remembered commits months of a source's reads: n keys, 20 a read.
func remembered(t *testing.T, s *Store, clk *clock, src string, n int) {
	t.Helper()
	for from := 0; from < n; from += 20 {
		mustCommit(t, s, Batch{Seen: map[string][]string{src: keys(src, from, 20)}})
		clk.Advance(30 * time.Minute)
	}
}

// cursors counts the bbolt cursors (one per Get, one per bucket opened)
// of the transactions fn runs: how many lookups it walked down the tree.
func cursors(s *Store, fn func()) int {
	count := func() int64 {
		st := s.db.Stats()
		return st.TxStats.GetCursorCount()
	}
	before := count()
	fn()
	return int(count() - before)
}

// TestListingSparesTheSeenBucket: once a read's keys are listed, asking
// for them again reads nothing of the source's seen bucket, and a
// commit of the next read (the same items and two new ones) reads only
// the new ones there; what the source never showed is still unseen.
func TestListingSparesTheSeenBucket(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	const src, twin = "report.az", "report.az/en"
	remembered(t, s, clk, twin, 4000) // the same past as src, for the commit below
	remembered(t, s, clk, src, 4000)
	feed := keys(src, 3980, 20) // the last read: listed
	fresh := keys(src, 9000, 2) // not seen yet
	none := cursors(s, func() { seenSet(t, s, src, nil) })
	if got := cursors(s, func() {
		if n := len(seenSet(t, s, src, feed)); n != 20 {
			t.Fatalf("%d of the 20 listed keys seen", n)
		}
	}); got != none {
		t.Errorf("asking for 20 listed keys walked %d cursors, asking for none %d: the listing was not used", got, none)
	}
	if got := cursors(s, func() {
		if n := len(seenSet(t, s, src, append(feed, fresh...))); n != 20 {
			t.Fatalf("%d of 20 listed and 2 new keys seen, want 20", n)
		}
	}); got != none+2 {
		t.Errorf("asking for 20 listed and 2 new keys walked %d cursors, want %d (one per new key)", got, none+2)
	}
	// An old key, remembered but not listed, is still found in the bucket.
	if n := len(seenSet(t, s, src, keys(src, 100, 1))); n != 1 {
		t.Error("a key seen months ago but not listed now is not seen")
	}

	// A commit of the next read costs what a commit of its new items
	// alone costs (here for a source with the same past): the 20 items
	// listed before are neither read nor written again.
	alone := cursors(s, func() { mustCommit(t, s, Batch{Seen: map[string][]string{twin: keys(twin, 9000, 2)}}) })
	got := cursors(s, func() {
		mustCommit(t, s, Batch{Seen: map[string][]string{src: fresh}, Touched: map[string][]string{src: feed}})
	})
	if got != alone {
		t.Errorf("committing a read of 20 listed and 2 new items walked %d cursors, of the 2 new items alone %d: the listed ones were read again", got, alone)
	}
	if n := len(seenSet(t, s, src, append(feed, fresh...))); n != 22 {
		t.Errorf("%d of the 22 keys seen after the commit", n)
	}
}

// TestListedKeysKeepFreshTimes: a key a source lists in every read, every
// six hours for a month, never has a seen time more than two days old,
// so a retention of seven days never forgets it; one it stops listing
// is forgotten once the retention has passed.
func TestListedKeysKeepFreshTimes(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	const src = "oc-media.org"
	listed, dropped := keys(src, 0, 1), keys(src, 1, 1)
	mustCommit(t, s, Batch{Seen: map[string][]string{src: append(listed, dropped...)}})
	for range 4 * 30 {
		clk.Advance(6 * time.Hour)
		mustCommit(t, s, Batch{Touched: map[string][]string{src: listed}})
		oldest := clk.Now()
		if err := s.EachSeen(func(_, key string, at time.Time) error {
			if key == listed[0] && at.Before(oldest) {
				oldest = at
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if age := clk.Now().Sub(oldest); age > 2*touchEvery {
			t.Fatalf("at %s the listed key's seen time is %s old, want at most %s", clk.Now().Format(time.DateTime), age, 2*touchEvery)
		}
		if _, _, err := s.Prune(clk.Now().Add(-7 * day)); err != nil {
			t.Fatal(err)
		}
		if len(seenSet(t, s, src, listed)) != 1 {
			t.Fatalf("at %s the listed key was forgotten", clk.Now().Format(time.DateTime))
		}
	}
	if len(seenSet(t, s, src, dropped)) != 0 {
		t.Error("a key no read listed for a month is still seen after pruning at seven days")
	}
}

// TestListingIgnoresTouchesOfUnseenKeys: touching a key never seen
// neither marks nor lists it, even beside listed ones.
func TestListingIgnoresTouchesOfUnseenKeys(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	const src = "civilnet.am"
	seen, never := keys(src, 0, 3), keys(src, 10, 3)
	mustCommit(t, s, Batch{Seen: map[string][]string{src: seen}})
	clk.Advance(time.Hour)
	mustCommit(t, s, Batch{Touched: map[string][]string{src: append(seen, never...)}})
	if got := seenSet(t, s, src, never); len(got) != 0 {
		t.Errorf("touched keys never seen read as seen: %v", got)
	}
	if got := seenSet(t, s, src, seen); len(got) != 3 {
		t.Errorf("%d of the 3 seen keys seen", len(got))
	}
}
