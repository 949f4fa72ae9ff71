package state

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func matches(topic string, ks []string) []Match {
	out := make([]Match, len(ks))
	for i, k := range ks {
		out[i] = Match{Topic: topic, Key: k, Title: fmt.Sprintf("item %d", i), URL: "https://report.az/en/news/" + k[:8], Source: "report.az"}
	}
	return out
}

// TestRecentKeepsLatestPerTopic: matches come back newest first, each
// topic capped at RecentPerTopic, and they survive closing the file.
func TestRecentKeepsLatestPerTopic(t *testing.T) {
	t.Parallel()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "state.db")
	s := openAt(t, path, clk)
	ks := keys("report.az", 0, RecentPerTopic+30)
	// Three cycles: the first two carry more than the cap between them.
	mustCommit(t, s, Batch{Digest: digest("d1", clk.Now(), "x"), Recent: matches("azal", ks[:70])})
	clk.Advance(time.Minute)
	mustCommit(t, s, Batch{Digest: digest("d2", clk.Now(), "x"), Recent: matches("azal", ks[70:])})
	clk.Advance(time.Minute)
	mustCommit(t, s, Batch{Digest: digest("d3", clk.Now(), "x"), Recent: matches("kartavykh", ks[:2])})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := openAt(t, path, clk).Recent()
	if err != nil {
		t.Fatal(err)
	}
	azal := got["azal"]
	if len(azal) != RecentPerTopic {
		t.Fatalf("azal keeps %d matches, want %d", len(azal), RecentPerTopic)
	}
	var gotKeys []string
	for _, m := range azal {
		gotKeys = append(gotKeys, m.Key)
	}
	want := slices.Clone(ks[30:])
	slices.Reverse(want)
	if !slices.Equal(gotKeys, want) {
		t.Errorf("azal keys, newest first:\n got %v\nwant %v", gotKeys[:3], want[:3])
	}
	if !azal[0].Matched.Equal(t0.Add(time.Minute+59)) || azal[0].Title != "item 59" {
		t.Errorf("newest azal match = %+v, want item 59 matched at %s", azal[0], t0.Add(time.Minute))
	}
	if k := got["kartavykh"]; len(k) != 2 || k[0].Key != ks[1] {
		t.Errorf("kartavykh = %+v, want 2 matches, %s first", k, ks[1])
	}
}

// TestRecentGoesWithTheDigest: a commit split into several transactions
// writes the recent matches in the digest's, so a crash before it keeps
// neither (the items are read again) and one after keeps both.
func TestRecentGoesWithTheDigest(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), Options{Now: clk.Now, MaxTxKeys: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other := keys("tass.ru", 0, 40)
	hit := keys("report.az", 0, 3)
	b := Batch{
		Sources:       map[string]Source{"tass.ru": {Initialized: true}, "report.az": {Initialized: true}},
		Seen:          map[string][]string{"tass.ru": other, "report.az": hit},
		Digest:        digest("d1", clk.Now(), "x"),
		DigestSources: []string{"report.az"},
		Recent:        matches("azal", hit[:1]),
	}
	parts := b.split(10)
	if len(parts) < 2 {
		t.Fatalf("batch split in %d parts, want several", len(parts))
	}
	for i, p := range parts {
		if (len(p.Recent) > 0) != (i == len(parts)-1) || (p.Digest != nil) != (i == len(parts)-1) {
			t.Errorf("part %d of %d: %d recent matches, digest %v; want both in the last only", i+1, len(parts), len(p.Recent), p.Digest != nil)
		}
	}
	s.testHookTx = func(i int) error {
		if i == len(parts)-1 {
			return fmt.Errorf("crash before transaction %d", i)
		}
		return nil
	}
	if err := s.Commit(b); err == nil {
		t.Fatal("commit with a crash: no error")
	}
	if got, _ := s.Recent(); len(got) != 0 {
		t.Errorf("after a crash before the digest: recent = %v, want none", got)
	}
	s.testHookTx = nil
	mustCommit(t, s, b)
	if got, _ := s.Recent(); len(got["azal"]) != 1 {
		t.Errorf("after the commit: recent = %v, want one azal match", got)
	}
}

// TestRecentRejectsBadMatch: a match without a topic is refused with the
// whole batch, before any write.
func TestRecentRejectsBadMatch(t *testing.T) {
	t.Parallel()
	s := openTemp(t, newClock())
	err := s.Commit(Batch{Recent: []Match{{Key: "k"}}})
	if err == nil {
		t.Fatal("no error for a match without a topic")
	}
	t.Log(err)
}
