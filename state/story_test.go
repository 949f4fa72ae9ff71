package state

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestStoriesKeptWithTheirDigest: stories are written in the digest's
// transaction, read back from a time on, oldest first, and pruned by age.
func TestStoriesKeptWithTheirDigest(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	if got, err := s.Stories(time.Time{}); err != nil || len(got) != 0 {
		t.Fatalf("Stories on a new file = %v, %v; want none", got, err)
	}
	mustCommit(t, s, Batch{Digest: digest("d1", t0, "email"), Stories: []Story{
		{ID: "raid", Data: []byte(`{"title":"Police raid Sputnik Azerbaijan"}`)},
	}})
	clk.Advance(26 * time.Hour)
	mustCommit(t, s, Batch{Digest: digest("d2", clk.Now(), "email"), Stories: []Story{
		{ID: "ruling", Data: []byte(`{"title":"Held for four months"}`)},
		{ID: "ruling-2", Created: clk.Now().Add(time.Minute), Data: []byte(`{}`)},
	}})
	all, err := s.Stories(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(storyIDs(all)); got != "[raid ruling ruling-2]" {
		t.Errorf("Stories = %s, want [raid ruling ruling-2]", got)
	}
	if !all[0].Created.Equal(t0) || string(all[0].Data) != `{"title":"Police raid Sputnik Azerbaijan"}` {
		t.Errorf("first story = %+v, want the raid at %s with its data", all[0], t0)
	}
	recent, err := s.Stories(clk.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(storyIDs(recent)); got != "[ruling ruling-2]" {
		t.Errorf("Stories of the last hour = %s, want [ruling ruling-2]", got)
	}

	// Prune by the retention forgets the raid, kept for a day only here.
	if _, _, err := s.Prune(clk.Now().Add(-24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	all, err = s.Stories(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(storyIDs(all)); got != "[ruling ruling-2]" {
		t.Errorf("after Prune, Stories = %s, want [ruling ruling-2]", got)
	}
}

func TestStoriesNeedADigest(t *testing.T) {
	s := openTemp(t, newClock())
	err := s.Commit(Batch{Stories: []Story{{ID: "alone"}}})
	if !errors.Is(err, errStoriesWithoutDigest) {
		t.Errorf("Commit of stories without a digest = %v, want %v", err, errStoriesWithoutDigest)
	}
	if err := s.Commit(Batch{Digest: digest("d", t0, "email"), Stories: []Story{{ID: ""}}}); err == nil {
		t.Error("Commit accepted a story without an id")
	}
}

// TestStoriesInTheDigestTransaction: a split commit that stops before its
// last transaction stores neither the digest nor its stories.
func TestStoriesInTheDigestTransaction(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), Options{Now: newClock().Now, MaxTxKeys: splitBound})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	b := coldBatch()
	b.Stories = []Story{{ID: "cold-story", Data: []byte("{}")}}
	crash := errors.New("crash")
	s.testHookTx = func(i int) error {
		if i == 5 { // the digest's transaction (see TestCommitSplitsColdCycle)
			return crash
		}
		return nil
	}
	if err := s.Commit(b); !errors.Is(err, crash) {
		t.Fatalf("Commit = %v, want the injected failure", err)
	}
	if got, _ := s.Stories(time.Time{}); len(got) != 0 {
		t.Errorf("stories stored without their digest: %v", storyIDs(got))
	}
	s.testHookTx = nil
	mustCommit(t, s, b)
	if got, _ := s.Stories(time.Time{}); len(got) != 1 {
		t.Errorf("after the commit, %d stories, want 1", len(got))
	}
}

func storyIDs(ss []Story) []string {
	var out []string
	for _, st := range ss {
		out = append(out, st.ID)
	}
	return out
}

// TestStoriesPacked: the stories of a digest, whatever the order of their
// ids, fill the pages they are written to rather than splitting them half
// empty; and read back in key order, each once.
func TestStoriesPacked(t *testing.T) {
	t.Parallel()
	s := openTemp(t, newClock())
	for c := range 3 {
		b := Batch{Digest: &Digest{ID: fmt.Sprintf("d%d", c), Sinks: map[string]*Delivery{"stdout": {}}}}
		for i := range 600 {
			id := fmt.Sprintf("%024x", uint64(i*7919+c)*2654435761%1000003)
			b.Stories = append(b.Stories, Story{ID: id, Data: bytes.Repeat([]byte("p"), 700)})
		}
		if err := s.Commit(b); err != nil {
			t.Fatal(err)
		}
	}
	var st bolt.BucketStats
	if err := s.db.View(func(tx *bolt.Tx) error { st = tx.Bucket(bucketStories).Stats(); return nil }); err != nil {
		t.Fatal(err)
	}
	if used := float64(st.LeafInuse) / float64(st.LeafPageN*s.db.Info().PageSize); used < 0.65 {
		t.Errorf("story pages %.0f%% used (%d pages for %d bytes), want at least 65%% (written in the order given they filled 59%%)", 100*used, st.LeafPageN, st.LeafInuse)
	}
	got, err := s.Stories(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1800 {
		t.Fatalf("%d stories read back, want 1800", len(got))
	}
}
