package state

import (
	"reflect"
	"testing"
	"time"
)

const day = 24 * time.Hour

func TestPrune(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	const src = "meduza"
	k := keys(src, 0, 5)
	old, stale, listed, fresh, unseen := k[0], k[1], k[2], k[3], k[4]

	// Day 0: three keys seen, and digests in every state.
	mustCommit(t, s, Batch{Seen: map[string][]string{src: {old, stale, listed}}, Digest: digest("delivered-old", t0, "email")})
	mustCommit(t, s, Batch{Digest: digest("parked-old", t0, "email")})
	mustCommit(t, s, Batch{Digest: digest("pending-old", t0, "email")})
	record(t, s, "delivered-old", nil)
	record(t, s, "parked-old", errRefused)

	// Half a day on: a touch less than a day after the mark is skipped.
	clk.Advance(12 * time.Hour)
	mustCommit(t, s, Batch{Touched: map[string][]string{src: {stale}}})

	// Day 40: the feed still lists one old key; another old key is passed
	// as new again, which keeps its first-seen time; touching a key never
	// seen does not mark it.
	clk.Advance(40*day - 12*time.Hour)
	mustCommit(t, s, Batch{
		Seen:    map[string][]string{src: {fresh, old}},
		Touched: map[string][]string{src: {listed, unseen}},
		Digest:  digest("delivered-new", time.Time{}, "email"),
	})
	record(t, s, "delivered-new", nil)

	// Retention of 20 days, measured on day 40.
	gotSeen, gotDigests, err := s.Prune(clk.Now().Add(-20 * day))
	if err != nil {
		t.Fatal(err)
	}
	if gotSeen != 2 || gotDigests != 1 {
		t.Errorf("Prune removed %d keys and %d digests, want 2 and 1", gotSeen, gotDigests)
	}
	want := map[string]bool{listed: true, fresh: true}
	if got := seenSet(t, s, src, k); !reflect.DeepEqual(got, want) {
		t.Errorf("seen after Prune = %d keys %v, want the listed and the fresh key", len(got), got)
	}
	ds, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(ds), []string{"parked-old", "pending-old", "delivered-new"}; !reflect.DeepEqual(got, want) {
		t.Errorf("digests after Prune = %v, want %v", got, want)
	}
	if n, _, err := s.Prune(clk.Now().Add(time.Second)); err != nil || n != 2 {
		t.Errorf("Prune of everything removed %d keys, %v; want 2", n, err)
	}
}

func TestPruneEmptyStore(t *testing.T) {
	s := openTemp(t, newClock())
	if n, m, err := s.Prune(t0.Add(DefaultRetention)); err != nil || n != 0 || m != 0 {
		t.Errorf("Prune of an empty store = %d, %d, %v", n, m, err)
	}
}

// TestTouchedKeysSurvive checks that a key a feed keeps listing is never
// pruned, and that touches are spared when the key's time is under a day old.
func TestTouchedKeysSurvive(t *testing.T) {
	tests := []struct {
		name      string
		touchedAt time.Duration // after the key was first seen
		pruneAt   time.Duration // the retention cut, after first seen
		wantKept  bool
	}{
		{"never touched", 0, 90 * day, false},
		{"touched after retention began", 100 * day, 90 * day, true},
		{"touched the next day", 25 * time.Hour, 24 * time.Hour, true},
		{"touch within a day is skipped", 12 * time.Hour, time.Hour, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			s := openTemp(t, clk)
			k := keys("azatutyun", 0, 1)
			mustCommit(t, s, Batch{Seen: map[string][]string{"azatutyun": k}})
			if tc.touchedAt > 0 {
				clk.Advance(tc.touchedAt)
				mustCommit(t, s, Batch{Touched: map[string][]string{"azatutyun": k}})
			}
			if _, _, err := s.Prune(t0.Add(tc.pruneAt)); err != nil {
				t.Fatal(err)
			}
			if kept := len(seenSet(t, s, "azatutyun", k)) == 1; kept != tc.wantKept {
				t.Errorf("key kept = %v, want %v", kept, tc.wantKept)
			}
		})
	}
}

// TestPruneEvery: the walk over every key runs once per interval, across
// reopenings of the file, the first an interval after the file was made
// (not in its first cycle, which has nothing to prune); a key that ages
// out between two runs waits for the next one.
func TestPruneEvery(t *testing.T) {
	clk := newClock()
	path := t.TempDir() + "/watcher.db"
	s := openAt(t, path, clk)
	const src = "apa.az"
	k := keys(src, 0, 2)
	mustCommit(t, s, Batch{Seen: map[string][]string{src: {k[0]}}})
	if ran, _, _, err := s.PruneEvery(clk.Now().Add(time.Second), day); err != nil || ran {
		t.Fatalf("PruneEvery on a file just made: ran %v, %v; want no run", ran, err)
	}
	clk.Advance(2 * day)
	if ran, n, _, err := s.PruneEvery(clk.Now().Add(-day), day); err != nil || !ran || n != 1 {
		t.Fatalf("first PruneEvery: ran %v, removed %d, %v; want a run removing 1", ran, n, err)
	}
	mustCommit(t, s, Batch{Seen: map[string][]string{src: {k[1]}}})
	s.Close()
	s = openAt(t, path, clk)
	clk.Advance(12 * time.Hour)
	if ran, _, _, err := s.PruneEvery(clk.Now().Add(time.Second), day); err != nil || ran {
		t.Fatalf("PruneEvery half a day later, after a reopen: ran %v, %v; want no run", ran, err)
	}
	if len(seenSet(t, s, src, k)) != 1 {
		t.Error("a key was pruned by a run that was not due")
	}
	clk.Advance(12 * time.Hour)
	if ran, n, _, err := s.PruneEvery(clk.Now().Add(time.Second), day); err != nil || !ran || n != 1 {
		t.Fatalf("PruneEvery a day later: ran %v, removed %d, %v; want a run removing 1", ran, n, err)
	}
}
