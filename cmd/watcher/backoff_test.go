package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// checkBackoff: a failing source is not requested while it rests; each
// further failure doubles its rest up to max_backoff (10m); Retry-After
// sets a floor. Time passing is simulated by moving the stored next
// attempt into the past, which is all the watcher reads.
func (r *faultRig) checkBackoff(t *testing.T) {
	t.Helper()
	rest := r.failing()
	before := map[string]int{}
	for _, name := range rest {
		before[name] = r.farm.requests("/fault/" + strings.TrimPrefix(name, "fault-"))
	}
	// Which sources rest is read from the state, not assumed: the 429
	// source's one-minute rest (its Retry-After: 30 as a floor) can pass
	// in real time during the runs before, the other sources' two can not.
	pre := sourceStates(t, r.dir)
	start := time.Now()
	third := watcherMeasured(t, r.dir, nil, "--once")
	if third.code != exitOK {
		t.Fatalf("third run: exit %d\n%s", third.code, third.stderr)
	}
	t.Logf("third run (sources resting): %s in %s", strings.TrimSpace(logLineOf(third.stderr, "cycle done")), third.elapsed.Round(time.Millisecond))
	resting := 0
	for _, name := range rest {
		if !pre[name].NextAttempt.After(start) {
			if name != "fault-status429" {
				t.Errorf("%s was due again %s after its second failure", name, start.Sub(pre[name].LastAttempt).Round(time.Second))
			}
			continue
		}
		resting++
		if n := r.farm.requests("/fault/" + strings.TrimPrefix(name, "fault-")); n != before[name] {
			t.Errorf("%s was requested while backed off", name)
		}
	}
	if got, want := summaryField(t, third.stderr, "backed_off"), strconv.Itoa(resting); got != want {
		t.Errorf("third run: backed_off=%s, want %s", got, want)
	}
	// The slow source costs a timeout each time; the others show the curve.
	quick := slices.DeleteFunc(slices.Clone(rest), func(n string) bool { return n == "fault-slow" })
	for run := 4; run <= 7; run++ {
		letTimePass(t, r.dir, quick)
		prev := sourceStates(t, r.dir)
		m := watcherMeasured(t, r.dir, nil, "--once")
		if m.code != exitOK {
			t.Fatalf("run %d: exit %d\n%s", run, m.code, m.stderr)
		}
		r.checkRest(t, quick, run, prev)
	}
}

// checkRest compares each source's stored rest with the expected curve,
// and checks `watcher status` shows the failures and next attempt.
func (r *faultRig) checkRest(t *testing.T, names []string, run int, prev map[string]state.Source) {
	t.Helper()
	states := sourceStates(t, r.dir)
	status := watcher(t, r.dir, nil, "status").stdout
	s500, s429 := states["fault-status500"], states["fault-status429"]
	t.Logf("run %d: status500 rests %s after %d failures, status429 %s after %d", run,
		s500.NextAttempt.Sub(s500.LastAttempt), s500.Failures, s429.NextAttempt.Sub(s429.LastAttempt), s429.Failures)
	for _, name := range names {
		s := states[name]
		failures := prev[name].Failures + 1
		want := min(time.Minute<<(failures-1), 10*time.Minute)
		if got := s.NextAttempt.Sub(s.LastAttempt); s.Failures != failures || got != want {
			t.Errorf("run %d: %s: %d failures, rest %s; want %d and %s", run, name, s.Failures, got, failures, want)
		}
		row := statusRow(t, status, name)
		if !strings.Contains(row, s.NextAttempt.UTC().Format("2006-01-02 15:04:05Z")) || !strings.Contains(row, " "+strconv.Itoa(s.Failures)+" ") {
			t.Errorf("run %d: status row %q does not show %d failures and next attempt %s", run, row, s.Failures, s.NextAttempt)
		}
	}
}
