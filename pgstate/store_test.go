package pgstate

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// These port the bbolt store's tests of the same methods, so the two
// stores keep one meaning; they run against a real PostgreSQL.

var ctx = context.Background()

func batchOf(src string, n int) state.Batch {
	return state.Batch{
		Sources: map[string]state.Source{src: {Initialized: true}},
		Seen:    map[string][]string{src: keys(src, 0, n)},
	}
}

func TestCommitRoundTrip(t *testing.T) {
	t.Parallel()
	s := openTemp(t, newClock())
	apa := state.Source{Initialized: true, ETag: `"abc"`, LastModified: "Fri, 27 Jun 2025 06:00:00 GMT",
		LastSuccess: t0, LastAttempt: t0, ArticleTries: map[string]int{keys("apa", 9, 1)[0]: 2}}
	broken := state.Source{LastAttempt: t0, LastError: "status 503", Failures: 2, NextAttempt: t0.Add(time.Hour), NotReached: "budget",
		FailingSince: t0.Add(-time.Hour), HealthReported: true}
	d := digest("d1", t0, "email")
	d.Payload = []byte(`{"title":"Сафаровы","az":"Səfərovlar"}`)
	d.Sinks["email"] = &state.Delivery{SeriesN: 2, SeriesOf: 3} // the second of three one check stored
	mustCommit(t, s, state.Batch{
		Sources: map[string]state.Source{"apa": apa, "kommersant": broken},
		Seen:    map[string][]string{"apa": append(keys("apa", 0, 3), "not-a-hex-key")},
		Digest:  d,
	})

	all, err := s.Sources(ctx)
	if err != nil || !reflect.DeepEqual(all, map[string]state.Source{"apa": apa, "kommersant": broken}) {
		t.Errorf("Sources = %+v, %v", all, err)
	}
	if src, err := s.Source(ctx, "never-fetched"); err != nil || !reflect.DeepEqual(src, state.Source{}) {
		t.Errorf("Source of an unknown name = %+v, %v; want the zero Source", src, err)
	}
	asked := append(keys("apa", 0, 3), keys("apa", 3, 2)...)
	asked = append(asked, "not-a-hex-key", "NOT-A-HEX-KEY")
	want := map[string]bool{asked[0]: true, asked[1]: true, asked[2]: true, "not-a-hex-key": true}
	if got := seenSet(t, s, "apa", asked); !reflect.DeepEqual(got, want) {
		t.Errorf("SeenKeys = %v, want the first three and the text key", got)
	}
	if got := seenSet(t, s, "kommersant", asked); len(got) != 0 {
		t.Errorf("another source's keys leaked: %v", got)
	}
	ds, err := s.Digests(ctx)
	if err != nil || len(ds) != 1 {
		t.Fatalf("Digests = %v, %v", ds, err)
	}
	wantD := state.Digest{ID: "d1", Created: t0, Payload: d.Payload, Sinks: map[string]*state.Delivery{"email": {SeriesN: 2, SeriesOf: 3}}}
	if !reflect.DeepEqual(ds[0], wantD) {
		t.Errorf("digest = %+v, want %+v", ds[0], wantD)
	}
}

// TestCommitIsAtomic: a batch failing inside the transaction leaves no
// trace: no seen marks without their digest.
func TestCommitIsAtomic(t *testing.T) {
	t.Parallel()
	s := openTemp(t, newClock())
	mustCommit(t, s, state.Batch{Digest: digest("d1", t0, "email")})
	fresh := keys("oc-media", 0, 10)
	err := s.Commit(ctx, state.Batch{
		Sources: map[string]state.Source{"oc-media": {Initialized: true}},
		Seen:    map[string][]string{"oc-media": fresh},
		Digest:  digest("d1", t0, "email"),
	})
	if err == nil || !strings.Contains(err.Error(), `digest "d1" already stored`) {
		t.Fatalf("Commit of a duplicate digest = %v", err)
	}
	if got := seenSet(t, s, "oc-media", fresh); len(got) != 0 {
		t.Errorf("%d keys marked seen by a failed commit", len(got))
	}
	if src, _ := s.Source(ctx, "oc-media"); src.Initialized {
		t.Error("source state written by a failed commit")
	}
}

func TestCommitRejects(t *testing.T) {
	t.Parallel()
	s := openTemp(t, newClock())
	tests := []struct {
		name    string
		batch   state.Batch
		wantErr string
	}{
		{"empty source name", state.Batch{Sources: map[string]state.Source{"": {}}}, "source with an empty name"},
		{"seen for empty source", state.Batch{Seen: map[string][]string{"": {"k"}}}, "seen keys for a source with an empty name"},
		{"empty key", state.Batch{Seen: map[string][]string{"apa": {"k", ""}}}, `source "apa": item key of 0 bytes`},
		{"key too long", state.Batch{Seen: map[string][]string{"apa": {strings.Repeat("k", 4000)}}}, `source "apa": item key of 4000 bytes (want 1 to 2048)`},
		{"empty touched key", state.Batch{Touched: map[string][]string{"apa": {""}}}, `source "apa": item key of 0 bytes`},
		{"digest without ID", state.Batch{Digest: digest("", t0, "email")}, "digest ID of 0 bytes"},
		{"digest without sinks", state.Batch{Digest: digest("d", t0)}, `digest "d" has no sinks`},
		{"digest with empty sink", state.Batch{Digest: digest("d", t0, "")}, `digest "d": sink with an empty name`},
		{"more without a digest", state.Batch{More: []*state.Digest{digest("d", t0, "email")}}, "further digests without a first one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.batch.Seen == nil {
				tc.batch.Seen = map[string][]string{}
			}
			tc.batch.Seen["apa"] = append([]string{"k"}, tc.batch.Seen["apa"]...)
			err := s.Commit(ctx, tc.batch)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Commit = %v, want an error containing %q", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), "commit to state "+s.Path()+": ") {
				t.Errorf("error %q does not name the database", err)
			}
			if got := seenSet(t, s, "apa", []string{"k"}); len(got) != 0 {
				t.Error("a rejected batch marked keys seen")
			}
		})
	}
}

const day = 24 * time.Hour

func TestPrune(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := openTemp(t, clk)
	const src = "meduza"
	k := keys(src, 0, 5)
	old, stale, listed, fresh, unseen := k[0], k[1], k[2], k[3], k[4]

	mustCommit(t, s, state.Batch{Seen: map[string][]string{src: {old, stale, listed}}, Digest: digest("delivered-old", t0, "email")})
	mustCommit(t, s, state.Batch{Digest: digest("parked-old", t0, "email")})
	mustCommit(t, s, state.Batch{Digest: digest("pending-old", t0, "email")})
	recordOnce(t, s, "delivered-old", nil)
	recordOnce(t, s, "parked-old", errRefused)

	// Half a day on: a touch less than a day after the mark is skipped.
	clk.Advance(12 * time.Hour)
	mustCommit(t, s, state.Batch{Touched: map[string][]string{src: {stale}}})

	// Day 40: one old key still listed; another passed as new again keeps
	// its first-seen time; touching a key never seen does not mark it.
	clk.Advance(40*day - 12*time.Hour)
	mustCommit(t, s, state.Batch{
		Seen:    map[string][]string{src: {fresh, old}},
		Touched: map[string][]string{src: {listed, unseen}},
		Digest:  digest("delivered-new", time.Time{}, "email"),
	})
	recordOnce(t, s, "delivered-new", nil)

	ran, gotSeen, gotDigests, err := s.PruneEvery(ctx, clk.Now().Add(-20*day), day)
	if err != nil || !ran {
		t.Fatalf("first PruneEvery: ran=%v, %v", ran, err)
	}
	if gotSeen != 2 || gotDigests != 1 {
		t.Errorf("Prune removed %d keys and %d digests, want 2 and 1", gotSeen, gotDigests)
	}
	want := map[string]bool{listed: true, fresh: true}
	if got := seenSet(t, s, src, k); !reflect.DeepEqual(got, want) {
		t.Errorf("seen after Prune = %d keys %v, want the listed and the fresh key", len(got), got)
	}
	ds, err := s.Digests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(ds), []string{"parked-old", "pending-old", "delivered-new"}; !reflect.DeepEqual(got, want) {
		t.Errorf("digests after Prune = %v, want %v", got, want)
	}
	clk.Advance(time.Hour)
	if ran, _, _, err := s.PruneEvery(ctx, clk.Now().Add(time.Second), day); err != nil || ran {
		t.Errorf("PruneEvery an hour after the last ran=%v, %v; want skipped", ran, err)
	}
	if n, _, err := s.Prune(ctx, clk.Now().Add(time.Second)); err != nil || n != 2 {
		t.Errorf("Prune of everything removed %d keys, %v; want 2", n, err)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	s := openTemp(t, newClock())
	mustCommit(t, s, state.Batch{
		Sources: map[string]state.Source{"apa": {Initialized: true}, "tass": {Initialized: true}, "jam-news": {}},
		Seen:    map[string][]string{"apa": keys("apa", 0, 7), "tass": keys("tass", 0, 3), "unstored": keys("unstored", 0, 1)},
		Digest:  digest("delivered", t0, "email"),
	})
	mustCommit(t, s, state.Batch{Digest: digest("parked", t0, "email")})
	mustCommit(t, s, state.Batch{Digest: digest("half-parked", t0, "email", "webhook")})
	mustCommit(t, s, state.Batch{Digest: digest("pending", t0, "email")})
	recordOnce(t, s, "delivered", nil)
	recordOnce(t, s, "parked", errRefused)
	recordOnce(t, s, "half-parked", errRefused)

	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.FileSize < 1<<20 {
		t.Errorf("database size %d bytes: want what pg_database_size reports, megabytes", st.FileSize)
	}
	st.FileSize = 0
	want := state.Stats{
		Sources: 3, Seen: 11, SeenBySource: map[string]int{"apa": 7, "tass": 3, "unstored": 1},
		Pending: 2, Parked: 2, Delivered: 1,
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("Stats = %+v\nwant    %+v", st, want)
	}
}

// TestStrictSeenAcrossReplicas: two replicas both judged an item new
// (the second fetched the source after the first's lease ran out); the
// first commits it in its digest, and the second's commit is refused
// whole, so the item is in one digest, and nothing else of that batch is
// written. Without StrictSeen the bbolt store's meaning holds.
func TestStrictSeenAcrossReplicas(t *testing.T) {
	t.Parallel()
	url := server.NewDatabase(t)
	open := func() *Store {
		s, err := Open(ctx, url, Options{StrictSeen: true, MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a, b := open(), open()
	k := keys("apa", 0, 2)
	mustCommit(t, a, state.Batch{Seen: map[string][]string{"apa": k[:1]}, Digest: digest("from-a", t0, "email")})
	err := b.Commit(ctx, state.Batch{
		Sources:       map[string]state.Source{"apa": {Initialized: true}, "tass": {Initialized: true}},
		Seen:          map[string][]string{"apa": k, "tass": keys("tass", 0, 1)},
		Digest:        digest("from-b", t0, "email"),
		DigestSources: []string{"apa"},
	})
	if !errors.Is(err, ErrSeenElsewhere) {
		t.Fatalf("second replica's Commit = %v, want ErrSeenElsewhere", err)
	}
	if ds, err := b.Digests(ctx); err != nil || !reflect.DeepEqual(ids(ds), []string{"from-a"}) {
		t.Errorf("digests %v, %v; want only from-a", ids(ds), err)
	}
	if got := seenSet(t, b, "tass", keys("tass", 0, 1)); len(got) != 0 {
		t.Error("a refused batch marked another source's keys seen")
	}
	// Keys of sources outside the digest may repeat; so may a key twice
	// in one batch.
	mustCommit(t, b, state.Batch{
		Seen:          map[string][]string{"apa": k[:1], "tass": {k[1], k[1]}},
		Digest:        digest("from-b", t0, "email"),
		DigestSources: []string{"tass"},
	})
}

// TestSourceIDsLast: committing the same sources cycle after cycle uses
// no new ids; ids are spent only on new sources.
func TestSourceIDsLast(t *testing.T) {
	t.Parallel()
	s := openTemp(t, newClock())
	for n := range 5 {
		mustCommit(t, s, cycleBatch(50, 2, n*2, t0, fmt.Sprintf("cycle-%d", n)))
	}
	mustCommit(t, s, batchOf("new-outlet", 1))
	var maxID, count int
	if err := s.pool.QueryRow(ctx, "SELECT max(id), count(*) FROM sources").Scan(&maxID, &count); err != nil {
		t.Fatal(err)
	}
	if count != 51 || maxID != count {
		t.Errorf("%d sources with ids up to %d, want 51 and 51", count, maxID)
	}
}
