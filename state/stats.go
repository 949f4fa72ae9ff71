package state

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Stats are the counts behind `watcher status`.
type Stats struct {
	// Sources is the number of sources with stored state.
	Sources int
	// Seen is the number of seen keys in all; SeenBySource splits it.
	Seen         int
	SeenBySource map[string]int
	// Digests by state: waiting for some sink that may take it now
	// (Pending), waiting only for sinks on a digest schedule (Held), given
	// up by some sink (Parked), and delivered to every sink. A digest
	// waiting and parked counts in both, Pending or Held, and Parked.
	Pending, Held, Parked, Delivered int
	// FileSize is the size of the state file in bytes.
	FileSize int64
}

// Stats counts what the store holds.
func (s *Store) Stats() (Stats, error) {
	st := Stats{SeenBySource: make(map[string]int)}
	err := s.view(func(tx *bolt.Tx) error {
		st.Sources = tx.Bucket(bucketSources).Stats().KeyN
		seen := tx.Bucket(bucketSeen)
		if err := seen.ForEachBucket(func(k []byte) error {
			n := seen.Bucket(k).Stats().KeyN
			st.SeenBySource[string(k)] = n
			st.Seen += n
			return nil
		}); err != nil {
			return err
		}
		// Only the open digests are decoded: the delivered ones, all
		// but those of the last cycles in a long-running daemon's file,
		// are counted from the number of keys, which costs a walk over
		// the bucket's pages and no decoding (4,320 of them, 90 days of
		// half-hourly digests, made a refresh of the status 6 times as
		// slow as none; BenchmarkMonitorRefresh).
		all, open := tx.Bucket(bucketDigests), 0
		if err := tx.Bucket(bucketOpen).ForEach(func(k, _ []byte) error {
			v := all.Get(k)
			if v == nil {
				return nil // indexed, then pruned: nothing to count
			}
			d, err := decodeDigest(k, v)
			if err != nil {
				return err
			}
			open++
			st.count(d)
			return nil
		}); err != nil {
			return err
		}
		st.Delivered += all.Stats().KeyN - open
		return nil
	})
	if err == nil {
		st.FileSize, err = s.fileSize()
	}
	if err != nil {
		return Stats{}, fmt.Errorf("count state %s: %w", s.path, err)
	}
	return st, nil
}

func (st *Stats) count(d Digest) {
	if d.Delivered() {
		st.Delivered++
	}
	switch {
	case d.sendable():
		st.Pending++
	case d.waiting():
		st.Held++
	}
	if d.parked() {
		st.Parked++
	}
}
