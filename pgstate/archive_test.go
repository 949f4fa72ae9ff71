package pgstate

import (
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// TestArchive: the items a batch archives come back in the order they
// were archived, with the time of their commit, in a range; stats count
// them; pruning forgets the old ones.
func TestArchive(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, state.Batch{Archive: map[string][]state.Archived{
		"tass.ru":   {{Key: "t1", Source: "tass.ru", Title: "Суд в Баку", Lang: "ru", Published: t0}},
		"report.az": {{Key: "r1", Source: "report.az", Title: "Bakı məhkəməsi", Body: "Kartavıx", Lang: "az", Published: t0}},
	}})
	clk.Advance(24 * time.Hour)
	mustCommit(t, s, state.Batch{Archive: map[string][]state.Archived{
		"tass.ru": {{Key: "t2", Source: "tass.ru", Title: "AZAL", Published: t0.Add(24 * time.Hour)}},
	}})
	var got []string
	var seen []time.Time
	if err := s.ArchiveRange(ctx, time.Time{}, time.Time{}, func(a state.Archived) error {
		got = append(got, a.Key)
		seen = append(seen, a.Seen)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"r1", "t1", "t2"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("archive = %v, want %v", got, want)
	}
	if !seen[0].Equal(t0) || !seen[2].Equal(t0.Add(24*time.Hour)) {
		t.Errorf("archived at %v, want the commits' times", seen)
	}
	got = nil
	if err := s.ArchiveRange(ctx, t0.Add(time.Hour), time.Time{}, func(a state.Archived) error { got = append(got, a.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "t2" {
		t.Errorf("archive since the second day = %v, want [t2]", got)
	}
	st, err := s.ArchiveStats(ctx)
	if err != nil || st.Chunks != 3 || st.Bytes == 0 || !st.Oldest.Equal(t0) {
		t.Errorf("stats = %+v, %v; want 3 items from %v", st, err, t0)
	}
	if _, _, err := s.Prune(ctx, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st, err := s.ArchiveStats(ctx); err != nil || st.Chunks != 1 {
		t.Errorf("after pruning the first day: %+v, %v; want 1 item", st, err)
	}
}
