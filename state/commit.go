package state

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Batch is everything one cycle learned, written by Commit in a single
// transaction.
type Batch struct {
	// Sources holds the new state of each source the cycle touched.
	Sources map[string]Source
	// Seen maps a source to the keys it showed for the first time; they are
	// recorded as seen at Options.Now. Keys seen before keep their time.
	Seen map[string][]string
	// Touched maps a source to keys it still lists. Their seen time moves
	// to now (at most once a day), so Prune never forgets a key a feed
	// still carries. Keys not yet seen are ignored.
	Touched map[string][]string
	// Digest is a new digest to hold as pending, or nil.
	Digest *Digest
}

// Commit writes b in one transaction. The seen marks and the new digest
// land together or not at all, so a crash can neither leave items marked
// seen but in no digest (lost) nor a digest whose items are not marked
// seen (sent twice). A bad batch is rejected whole, before any write.
func (s *Store) Commit(b Batch) error {
	if err := b.validate(); err != nil {
		return fmt.Errorf("commit to state %s: %w", s.path, err)
	}
	now := s.now()
	err := s.update(func(tx *bolt.Tx) error {
		if err := putSources(tx, b.Sources); err != nil {
			return err
		}
		for src, keys := range b.Seen {
			if err := markSeen(tx, src, keys, now); err != nil {
				return err
			}
		}
		for src, keys := range b.Touched {
			if err := touchSeen(tx, src, keys, now); err != nil {
				return err
			}
		}
		if b.Digest == nil {
			return nil
		}
		return insertDigest(tx, *b.Digest, now)
	})
	if err != nil {
		return fmt.Errorf("commit to state %s: %w", s.path, err)
	}
	return nil
}

// validate rejects what bbolt cannot store (empty names and keys) and
// digests that could never be delivered.
func (b Batch) validate() error {
	for name := range b.Sources {
		if name == "" {
			return errors.New("source with an empty name")
		}
	}
	for _, m := range []map[string][]string{b.Seen, b.Touched} {
		for src, keys := range m {
			if src == "" {
				return errors.New("seen keys for a source with an empty name")
			}
			for _, k := range keys {
				if k == "" || len(k) > bolt.MaxKeySize {
					return fmt.Errorf("source %q: item key of %d bytes (want 1 to %d)", src, len(k), bolt.MaxKeySize)
				}
			}
		}
	}
	if b.Digest != nil {
		return b.Digest.validate()
	}
	return nil
}
