package state

import (
	"fmt"
	"os"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestStats(t *testing.T) {
	s := openTemp(t, newClock())
	mustCommit(t, s, Batch{
		Sources: map[string]Source{"apa": {Initialized: true}, "tass": {Initialized: true}, "jam-news": {}},
		Seen:    map[string][]string{"apa": keys("apa", 0, 7), "tass": keys("tass", 0, 3)},
		Digest:  digest("delivered", t0, "email"),
	})
	mustCommit(t, s, Batch{Digest: digest("parked", t0, "email")})
	mustCommit(t, s, Batch{Digest: digest("half-parked", t0, "email", "webhook")})
	mustCommit(t, s, Batch{Digest: digest("pending", t0, "email")})
	// Held for the desk's morning digest only: not pending, held.
	onlyHeld := digest("held", t0)
	onlyHeld.Sinks = map[string]*Delivery{"desk": {Held: true}}
	mustCommit(t, s, Batch{Digest: onlyHeld})
	// Held for the desk, and waiting for the webhook now: pending.
	mustCommit(t, s, Batch{Digest: held("held-and-pending", t0)})
	record(t, s, "delivered", nil)
	record(t, s, "parked", errRefused)
	record(t, s, "half-parked", errRefused)

	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{
		Sources: 3, Seen: 10, SeenBySource: map[string]int{"apa": 7, "tass": 3},
		Pending: 3, Held: 1, Parked: 2, Delivered: 1, FileSize: fi.Size(),
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("Stats = %+v\nwant    %+v", st, want)
	}
	undelivered, err := s.Undelivered()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range undelivered {
		ids = append(ids, d.ID)
	}
	if want := []string{"half-parked", "held", "held-and-pending", "parked", "pending"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("Undelivered = %q, want %q", ids, want)
	}

	// Stats decodes only the digests the open index names and counts the
	// rest delivered by their number: an index entry left for a digest
	// since pruned, or for one since delivered, must not change a count.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		open := tx.Bucket(bucketOpen)
		if err := open.Put([]byte("pruned-since"), nil); err != nil {
			return err
		}
		return open.Put([]byte("delivered"), nil)
	}); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Stats(); err != nil || !reflect.DeepEqual(st, want) {
		t.Errorf("with stale index entries: Stats = %+v, %v\nwant    %+v", st, err, want)
	}
}

// TestHundredThousandKeys fills a store as a long run would: 100 cycles,
// each marking 10 new keys in each of 100 sources. It logs the file size,
// the figure for sizing a deployment.
func TestHundredThousandKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a store with 100,000 keys")
	}
	s := openTemp(t, newClock())
	const sources, perBatch, batches = 100, 10, 100
	for b := range batches {
		seen := make(map[string][]string, sources)
		for i := range sources {
			src := fmt.Sprintf("source-%03d", i)
			seen[src] = keys(src, b*perBatch, perBatch)
		}
		mustCommit(t, s, Batch{Seen: seen})
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Seen != 100_000 || len(st.SeenBySource) != sources || st.SeenBySource["source-042"] != 1000 {
		t.Fatalf("Stats = %d keys in %d sources (source-042: %d), want 100000 in 100 of 1000",
			st.Seen, len(st.SeenBySource), st.SeenBySource["source-042"])
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != st.FileSize {
		t.Errorf("Stats.FileSize = %d, os.Stat = %d", st.FileSize, fi.Size())
	}
	var used int64
	if err := s.view(func(tx *bolt.Tx) error { used = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	// bbolt grows the file ahead of need, so both figures matter.
	t.Logf("100,000 seen keys in 100 sources: file %d bytes (%.1f MiB), pages in use %d bytes (%.0f bytes per key)",
		fi.Size(), float64(fi.Size())/(1<<20), used, float64(used)/100_000)
}
