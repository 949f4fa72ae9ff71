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
// keys and digests for immediate and held sinks, deliveries that fail,
// park and succeed, merges, prunes, the clock moving on) and compares
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
	for step := range 200 {
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
			for _, d := range pending {
				if dl := d.Sinks["desk"]; dl != nil && dl.Held && !dl.Delivered && rng.IntN(3) > 0 {
					into.Merged = append(into.Merged, d.ID)
				}
			}
			if rng.IntN(10) == 0 {
				into.Merged = append(into.Merged, "no-such-digest")
			}
			errB, errP = bb.Merge(into, "desk"), pg.Merge(ctx, into, "desk")
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
	t.Logf("operations %v; at the end %d seen keys, %d pending, %d parked, %d delivered digests", counts, st.Seen, st.Pending, st.Parked, st.Delivered)
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
		b.Sources[src] = state.Source{Initialized: true, ETag: fmt.Sprintf(`"%d"`, rng.IntN(9)), LastAttempt: now,
			LastSuccess: now, Failures: rng.IntN(3), ArticleTries: map[string]int{pool[src][0]: rng.IntN(2) + 1}}
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
		b.Digest = d
		if rng.IntN(3) == 0 {
			b.More = []*state.Digest{digest(fmt.Sprintf("cycle-%d-webhook", *n), time.Time{}, "webhook")}
		}
		if rng.IntN(15) == 0 {
			b.Digest = digest(fmt.Sprintf("cycle-%d", *n-1), time.Time{}, "email") // a repeated id
		}
	}
	if rng.IntN(20) == 0 {
		b.Seen["apa"] = append(b.Seen["apa"], "") // refused by both
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
	} {
		db, errB := list.b()
		dp, errP := list.p()
		same(list.name, db, dp, errB, errP)
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
