package pgstate

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// TestSameAsBbolt drives the bbolt store and this one through the same
// few hundred random operations (commits with new, repeated and touched
// keys, sources' health, latest matches, digests for immediate and held
// sinks and the stories they send; deliveries that fail, park and
// succeed; merges, reroutes, prunes; the clock moving on) and compares
// everything each can be asked after every step. Error messages differ
// (one names a file, the other a database), so only whether an
// operation failed is compared.
func TestSameAsBbolt(t *testing.T) {
	t.Parallel()
	clk := newClock()
	bb, err := state.Open(filepath.Join(t.TempDir(), "state.db"), state.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bb.Close() })
	pg := openTemp(t, clk)

	rng := rand.New(rand.NewPCG(13, 2025))
	sources := []string{"apa", "tass", "meduza", "oc-media", "report-az"}
	pool := map[string][]string{}
	for _, src := range sources {
		pool[src] = append(keys(src, 0, 30), src+"-text-key", "SHOUTED-"+src)
	}
	digestN := 0
	counts := map[string]int{}
	for step := range 150 {
		var op string
		var errB, errP error
		switch r := rng.IntN(100); {
		case r < 45:
			op = "commit"
			b := randomBatch(rng, sources, pool, &digestN, clk.Now())
			errB, errP = bb.Commit(b), pg.Commit(ctx, b)
		case r < 75:
			op = "record delivery"
			open, _ := bb.Pending()
			if rng.IntN(5) == 0 {
				open, _ = bb.Digests() // delivered ones too, to be refused
			}
			if len(open) == 0 {
				continue
			}
			d := open[rng.IntN(len(open))]
			sink := pick(rng, sinkNames(d))
			var sendErr error
			if rng.IntN(2) == 0 {
				sendErr = errors.New("smtp: 451 try again later")
			}
			next := clk.Now().Add(time.Duration(rng.IntN(60)) * time.Minute)
			var parkedB, parkedP bool
			parkedB, errB = bb.RecordDelivery(d.ID, sink, sendErr, next, 2)
			parkedP, errP = pg.RecordDelivery(ctx, d.ID, sink, sendErr, next, 2)
			if parkedB != parkedP {
				t.Fatalf("step %d: RecordDelivery parked %v on bbolt, %v here", step, parkedB, parkedP)
			}
		case r < 85:
			op = "merge"
			pending, _ := bb.Pending()
			into := state.Digest{ID: fmt.Sprintf("merged-%d", step), Payload: []byte("gathered"), Sinks: map[string]*state.Delivery{"desk": {}}}
			if rng.IntN(3) == 0 {
				into.Sinks["desk"] = &state.Delivery{SeriesN: 2, SeriesOf: 2} // the second of a gathering's two
			}
			for _, d := range pending {
				if dl := d.Sinks["desk"]; dl != nil && dl.Held && !dl.Delivered && rng.IntN(3) > 0 {
					into.Merged = append(into.Merged, d.ID)
				}
			}
			if rng.IntN(10) == 0 {
				into.Merged = append(into.Merged, "no-such-digest")
			}
			errB, errP = bb.Merge(into, "desk"), pg.Merge(ctx, into, "desk")
		case r < 88:
			op = "reroute"
			all, _ := bb.Digests()
			if len(all) == 0 {
				continue
			}
			d := all[rng.IntN(len(all))]
			from := []string{pick(rng, sinkNames(d))}
			to := []string{pick(rng, []string{"email", "webhook", "telegram"})}
			if rng.IntN(8) == 0 {
				to = nil // may leave the digest without a sink: refused
			}
			var gotB, gotP state.Digest
			gotB, errB = bb.Reroute(d.ID, from, to)
			gotP, errP = pg.Reroute(ctx, d.ID, from, to)
			if errB == nil && !reflect.DeepEqual(gotB, gotP) {
				t.Fatalf("step %d: Reroute returned\nbbolt %+v\nhere  %+v", step, gotB, gotP)
			}
		case r < 90:
			op = "prune"
			before := clk.Now().Add(-time.Duration(rng.IntN(10)) * day)
			nB, mB, eB := bb.Prune(before)
			nP, mP, eP := pg.Prune(ctx, before)
			errB, errP = eB, eP
			if nB != nP || mB != mP {
				t.Fatalf("step %d: Prune removed %d keys and %d digests on bbolt, %d and %d here", step, nB, mB, nP, mP)
			}
		default:
			op = "advance"
			clk.Advance(time.Duration(1+rng.IntN(48*60)) * time.Minute)
		}
		if (errB == nil) != (errP == nil) {
			t.Fatalf("step %d (%s): bbolt %v, here %v", step, op, errB, errP)
		}
		if errB != nil {
			op += " refused"
		}
		counts[op]++
		compareStores(t, step, op, bb, pg, pool)
	}
	st, _ := pg.Stats(ctx)
	recent, _ := pg.Recent(ctx)
	stories, _ := pg.Stories(ctx, time.Time{})
	t.Logf("operations %v; at the end %d seen keys, %d pending, %d parked, %d delivered digests, %d and %d latest matches, %d stories",
		counts, st.Seen, st.Pending, st.Parked, st.Delivered, len(recent["azal-8243"]), len(recent["sputnik-az"]), len(stories))
}

func pick(rng *rand.Rand, list []string) string { return list[rng.IntN(len(list))] }

func sinkNames(d state.Digest) []string { return slices.Sorted(maps.Keys(d.Sinks)) }

// randomBatch makes a cycle's batch over some of sources: new keys
// (some already seen), touched keys, source states and, sometimes,
// digests; now and then an invalid one, which both must refuse.
func randomBatch(rng *rand.Rand, sources []string, pool map[string][]string, n *int, now time.Time) state.Batch {
	b := state.Batch{Sources: map[string]state.Source{}, Seen: map[string][]string{}, Touched: map[string][]string{}}
	for _, src := range sources {
		if rng.IntN(2) == 0 {
			continue
		}
		src0 := state.Source{Initialized: true, ETag: fmt.Sprintf(`"%d"`, rng.IntN(9)), LastAttempt: now,
			LastSuccess: now, Failures: rng.IntN(3), ArticleTries: map[string]int{pool[src][0]: rng.IntN(2) + 1}}
		if src0.Failures > 0 {
			src0.FailingSince, src0.HealthReported = now.Add(-time.Hour), rng.IntN(2) == 0
		}
		b.Sources[src] = src0
		for range rng.IntN(3) * rng.IntN(40) { // now and then many, past the cap per topic
			k := pick(rng, pool[src])
			b.Recent = append(b.Recent, state.Match{Topic: pick(rng, []string{"azal-8243", "sputnik-az"}), Key: k,
				Title: "item " + k[:4], URL: "https://report.az/en/news/" + k[:4], Source: src, Published: now.Add(-time.Minute)})
		}
		for range rng.IntN(6) {
			b.Seen[src] = append(b.Seen[src], pick(rng, pool[src]))
		}
		for range rng.IntN(6) {
			b.Touched[src] = append(b.Touched[src], pick(rng, pool[src]))
		}
	}
	if rng.IntN(2) == 0 {
		*n++
		d := digest(fmt.Sprintf("cycle-%d", *n), time.Time{}, "email")
		if rng.IntN(2) == 0 {
			d.Sinks["desk"] = &state.Delivery{Held: true}
		}
		if rng.IntN(4) == 0 {
			d.Sinks["email"] = &state.Delivery{SeriesN: 1 + rng.IntN(2), SeriesOf: 2}
		}
		b.Digest = d
		for i := range rng.IntN(3) {
			b.Stories = append(b.Stories, state.Story{ID: fmt.Sprintf("story-%d-%d", *n, i), Data: []byte(fmt.Sprintf("fingerprint %d", rng.IntN(1000)))})
		}
		if rng.IntN(3) == 0 {
			b.More = []*state.Digest{digest(fmt.Sprintf("cycle-%d-webhook", *n), time.Time{}, "webhook")}
		}
		if rng.IntN(15) == 0 {
			b.Digest = digest(fmt.Sprintf("cycle-%d", *n-1), time.Time{}, "email") // a repeated id
		}
	}
	switch rng.IntN(30) { // refused by both
	case 0:
		b.Seen["apa"] = append(b.Seen["apa"], "")
	case 1:
		b.Recent = append(b.Recent, state.Match{Topic: "azal-8243"})
	case 2:
		b.Stories = append(b.Stories, state.Story{ID: ""})
	}
	return b
}

func compareStores(t *testing.T, step int, op string, bb *state.Store, pg *Store, pool map[string][]string) {
	t.Helper()
	same := func(what string, b, p any, errB, errP error) {
		t.Helper()
		if errB != nil || errP != nil {
			t.Fatalf("step %d (%s): %s: bbolt %v, here %v", step, op, what, errB, errP)
		}
		if !reflect.DeepEqual(b, p) {
			t.Fatalf("step %d (%s): %s differ\nbbolt %+v\nhere  %+v", step, op, what, b, p)
		}
	}
	srcB, errB := bb.Sources()
	srcP, errP := pg.Sources(ctx)
	same("Sources", srcB, srcP, errB, errP)
	for src, ks := range pool {
		seenB, errB := bb.SeenKeys(src, ks)
		seenP, errP := pg.SeenKeys(ctx, src, ks)
		same("SeenKeys of "+src, seenB, seenP, errB, errP)
	}
	for _, list := range []struct {
		name string
		b    func() ([]state.Digest, error)
		p    func() ([]state.Digest, error)
	}{
		{"Digests", bb.Digests, func() ([]state.Digest, error) { return pg.Digests(ctx) }},
		{"Pending", bb.Pending, func() ([]state.Digest, error) { return pg.Pending(ctx) }},
		{"Parked", bb.Parked, func() ([]state.Digest, error) { return pg.Parked(ctx) }},
		{"Undelivered", bb.Undelivered, func() ([]state.Digest, error) { return pg.Undelivered(ctx) }},
	} {
		db, errB := list.b()
		dp, errP := list.p()
		same(list.name, db, dp, errB, errP)
	}
	recentB, errB := bb.Recent()
	recentP, errP := pg.Recent(ctx)
	same("Recent", recentB, recentP, errB, errP)
	for _, since := range []time.Time{{}, t0.Add(5 * day)} {
		storiesB, errB := bb.Stories(since)
		storiesP, errP := pg.Stories(ctx, since)
		same("Stories", storiesB, storiesP, errB, errP)
	}
	lastB, okB, errB := bb.LastDelivered()
	lastP, okP, errP := pg.LastDelivered(ctx)
	same("LastDelivered", []any{lastB, okB}, []any{lastP, okP}, errB, errP)
	stB, errB := bb.Stats()
	stP, errP := pg.Stats(ctx)
	// The file and the database are measured differently; and bbolt
	// keeps an emptied source's bucket, counted as 0, where a table has
	// no rows to count.
	stB.FileSize, stP.FileSize = 0, 0
	for src, n := range stB.SeenBySource {
		if n == 0 {
			delete(stB.SeenBySource, src)
		}
	}
	same("Stats", stB, stP, errB, errP)
}
