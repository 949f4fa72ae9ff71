package state

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUse runs the status command's reads against a cycle's
// writes; with -race it checks the Store needs no outside locking.
func TestConcurrentUse(t *testing.T) {
	s := openTemp(t, newClock())
	const commits = 20
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range commits {
			err := s.Commit(Batch{
				Seen:   map[string][]string{"trend": keys("trend", i*10, 10)},
				Digest: digest(fmt.Sprintf("d%02d", i), t0, "email"),
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			for range commits {
				if _, err := s.SeenKeys("trend", keys("trend", 0, 50)); err != nil {
					t.Error(err)
				}
				if _, err := s.Stats(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	st, err := s.Stats()
	if err != nil || st.Seen != commits*10 || st.Pending != commits {
		t.Errorf("Stats = %d seen, %d pending, %v; want %d and %d", st.Seen, st.Pending, err, commits*10, commits)
	}
	for range 3 {
		wg.Go(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
}
