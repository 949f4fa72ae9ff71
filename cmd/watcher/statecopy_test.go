package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/pgstate"
	"github.com/watcher-news/watcher/state"
)

// fillState writes into a new bbolt file what weeks of cycles leave:
// sources (one failing), keys seen at different times, a delivered
// digest, one waiting for a retry and one parked, recent matches of two
// topics and stories. Times are whole microseconds, PostgreSQL's
// precision, so that a round trip can be compared exactly. A file in both
// passes: it is the copy's source, and the tests copy it both ways.
func fillState(t *testing.T, path string) {
	t.Helper()
	now := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	s, err := state.Open(path, state.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	commit := func(b state.Batch) {
		t.Helper()
		if err := s.Commit(b); err != nil {
			t.Fatal(err)
		}
	}
	commit(state.Batch{
		Sources: map[string]state.Source{
			"tass": {Initialized: true, ETag: `"abc"`, LastSuccess: now, LastAttempt: now},
			"sputnik": {Initialized: true, LastAttempt: now, LastError: "fetch: 503", Failures: 3,
				NextAttempt: now.Add(time.Hour), FailingSince: now.Add(-2 * time.Hour), ArticleTries: map[string]int{"k1": 2}},
		},
		Seen: map[string][]string{"tass": keys("t", 0, 40), "sputnik": {"not-a-hex-key", "a-much-longer-key-than-sixteen-bytes"}},
	})
	for day := 1; day <= 3; day++ {
		now = now.Add(24 * time.Hour)
		d := &state.Digest{ID: fmt.Sprintf("d%d", day), Created: now, Payload: []byte(fmt.Sprintf(`{"id":"d%d"}`, day)),
			Sinks: map[string]*state.Delivery{"webhook hook": {}, "email desk": {}}}
		b := state.Batch{Seen: map[string][]string{"tass": keys("t", day*40, 10)}, Digest: d,
			Recent: []state.Match{{Topic: "azal", Key: keys("t", day*40, 1)[0], Title: fmt.Sprintf("AZAL %d", day), Source: "tass", Published: now},
				{Topic: "sputnik", Key: keys("t", day*40+1, 1)[0], Title: fmt.Sprintf("Sputnik %d", day), Source: "tass", Published: now}}}
		b.Archive = map[string][]state.Archived{"tass": {{Key: keys("t", day*40, 1)[0], Source: "tass", Title: fmt.Sprintf("AZAL %d", day),
			Body: "Азербайджанские авиалинии", Lang: "ru", Published: now}}}
		if day == 1 {
			b.Stories = []state.Story{{ID: "story-1", Data: []byte(`{"title":"AZAL"}`)}, {ID: "story-2", Created: now.Add(time.Minute), Data: []byte("x")}}
		}
		commit(b)
	}
	for _, sink := range []string{"webhook hook", "email desk"} {
		if _, err := s.RecordDelivery("d1", sink, nil, time.Time{}, 5); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RecordDelivery("d2", "webhook hook", fmt.Errorf("503 from hook"), now.Add(2*time.Minute), 5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDelivery("d3", "email desk", fmt.Errorf("550 refused"), now, 1); err != nil {
		t.Fatal(err)
	}
}

func keys(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%032x", fmt.Sprintf("%s%d", prefix, from+i))[:32]
	}
	return out
}

// dumpState renders everything a copy must carry, canonically (times in
// UTC, lists sorted), so that two stores can be compared as text.
func dumpState(t *testing.T, st seenSource) string {
	t.Helper()
	var b strings.Builder
	sources, err := st.Sources()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "sources %s\n", canonJSON(t, sources))
	var seen []string
	if err := st.EachSeen(func(source, key string, at time.Time) error {
		seen = append(seen, fmt.Sprintf("seen %s %s %d", source, key, at.Unix()))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(seen)
	b.WriteString(strings.Join(seen, "\n") + "\n")
	ds, err := st.Digests()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(ds, func(a, b state.Digest) int { return strings.Compare(a.ID, b.ID) })
	fmt.Fprintf(&b, "digests %s\n", canonJSON(t, ds))
	for _, list := range []func() ([]state.Digest, error){st.Pending, st.Parked} {
		got, err := list()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range got {
			fmt.Fprintf(&b, "open %s\n", d.ID)
		}
	}
	recent, err := st.Recent()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "recent %s\n", canonJSON(t, recent))
	stories, err := st.Stories(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "stories %s\n", canonJSON(t, stories))
	if err := st.ArchiveRange(time.Time{}, time.Time{}, func(a state.Archived) error {
		fmt.Fprintf(&b, "archived %d %s\n", a.Seen.Unix(), canonJSON(t, a))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// canonJSON is v as JSON with every time in UTC: the bbolt store reads
// seen times in the local zone, PostgreSQL in UTC, the same instants.
func canonJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(utcTimes(tree))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func utcTimes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = utcTimes(e)
		}
	case []any:
		for i, e := range x {
			x[i] = utcTimes(e)
		}
	case string:
		if tm, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return tm.UTC().Format(time.RFC3339Nano)
		}
	}
	return v
}

// openForDump opens a state read-only for dumpState.
func openForDump(t *testing.T, where string) seenSource {
	t.Helper()
	st, err := openCopySource(context.Background(), where)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestStateCopyBothWays copies a bbolt state into PostgreSQL and back
// with `watcher state copy`, and finds everything the same each way:
// every source field, every seen key with its time, every digest with
// every sink's progress (and which are open), the recent matches and the
// stories. A second copy into the filled database is refused without
// --force, and with it leaves what is there.
func TestStateCopyBothWays(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	from := filepath.Join(dir, "watcher.db")
	fillState(t, from)
	url := withPassword(postgres.NewDatabase(t))
	back := filepath.Join(dir, "back.db")

	r := watcher(t, dir, nil, "state", "copy", "--from", from, "--to", url)
	if r.code != exitOK || !strings.Contains(r.stdout, "2 sources, 72 seen keys, 3 digests (6 deliveries), 6 recent matches, 2 stories, 3 archived items") {
		t.Fatalf("copy to PostgreSQL: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := dumpState(t, openForDump(t, from))
	if got := dumpState(t, openForDump(t, url)); got != want {
		t.Errorf("PostgreSQL after the copy:\n%s\nwant (the file):\n%s", got, want)
	}
	r = watcher(t, dir, nil, "state", "copy", "--from", url, "--to", back)
	if r.code != exitOK || !strings.Contains(r.stdout, "2 sources, 72 seen keys, 3 digests (6 deliveries), 6 recent matches, 2 stories, 3 archived items") {
		t.Fatalf("copy back: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := dumpState(t, openForDump(t, back)); got != want {
		t.Errorf("the file copied back:\n%s\nwant:\n%s", got, want)
	}

	r = watcher(t, dir, nil, "state", "copy", "--from", from, "--to", url)
	if r.code != exitFailed || !strings.Contains(r.stderr, "is not empty (it holds 2 sources, 72 seen keys, 3 digests") ||
		!strings.Contains(r.stderr, "--force") {
		t.Errorf("copy into a filled database: exit %d, want %d and a refusal naming --force\n%s", r.code, exitFailed, r.stderr)
	}
	r = watcher(t, dir, nil, "state", "copy", "--from", from, "--to", url, "--force")
	if r.code != exitOK || !strings.Contains(r.stdout, "3 digests were in the target already") {
		t.Errorf("copy --force: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := dumpState(t, openForDump(t, url)); got != want {
		t.Errorf("PostgreSQL after copy --force over itself changed:\n%s\nwant:\n%s", got, want)
	}
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, "pw-never-shown") {
			t.Errorf("the password appears in the output:\n%s", out)
		}
	}
	db, err := pgstate.Open(context.Background(), url, pgstate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if st, err := db.Stats(context.Background()); err != nil || st.Seen != 72 || st.Pending != 2 || st.Parked != 1 {
		t.Errorf("database stats %+v (%v); want 72 seen, 2 pending (d2 for both sinks, d3 for the webhook), 1 parked (d3 for the mail)", st, err)
	}
}

// TestStateCopyUsage checks the command's usage errors.
func TestStateCopyUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"state"}, exitUsage, "watcher state copy --from STATE"},
		{[]string{"state", "copy", "--from", "a.db"}, exitUsage, "give both --from and --to"},
		{[]string{"state", "copy", "--from", "a.db", "--to", "a.db"}, exitUsage, "are the same state a.db"},
		{[]string{"state", "copy", "--from", "missing.db", "--to", "b.db"}, exitFailed, "missing.db"},
	} {
		r := watcher(t, dir, nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("watcher %s: exit %d, want %d and %q\n%s", strings.Join(tc.args, " "), r.code, tc.code, tc.want, r.stderr)
		}
	}
}
