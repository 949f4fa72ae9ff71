package state

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Batch is everything one cycle learned, written by Commit.
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
	// Archive maps a source to the items of it that the cycle read, to
	// keep in the archive (see ArchiveRange) with the source's keys.
	Archive map[string][]Archived
	// Digest is a new digest to hold as pending, or nil.
	Digest *Digest
	// More are further new digests, written in Digest's transaction (a
	// cycle's matches split by what each sink receives when); only with
	// a Digest.
	More []*Digest
	// DigestSources names the sources whose new keys include the digest's
	// items; they are written in the digest's transaction. With a Digest
	// and no DigestSources, every source of the batch is.
	DigestSources []string
	// Recent are the matches to keep for the feeds of the latest matches
	// (see Recent), oldest first; they are written with the digest.
	Recent []Match
	// Stories are the stories the digest sends, written in its
	// transaction; only with a Digest.
	Stories []Story
}

// Commit writes b. A batch of at most Options.MaxTxKeys keys (seen and
// touched, plus one per source) is written in one transaction. A larger
// one, a cold cycle over many sources, is written in several, so that no
// transaction holds the whole file's worth of pages in memory:
//
//   - a source's state, seen keys and touched keys always go in together;
//   - the digest goes in the last transaction, with every source in
//     DigestSources, however many keys that is;
//   - the other sources go first, packed into transactions of at most
//     MaxTxKeys keys (a source larger than that gets one of its own).
//
// So a crash at any point can neither leave a matched item seen but in no
// digest (lost) nor a digest whose items are not seen (sent twice); it can
// leave some sources written and others as they were, which the next
// cycle reads again. A bad batch is rejected whole, before any write; an
// error in a later transaction leaves the earlier ones written.
func (s *Store) Commit(b Batch) error {
	if err := b.validate(); err != nil {
		return fmt.Errorf("commit to state %s: %w", s.path, err)
	}
	now := s.now()
	parts := b.split(s.maxTxKeys)
	for i, p := range parts {
		err := s.beforeTx(i)
		if err == nil {
			err = s.update(func(tx *bolt.Tx) error { return p.write(tx, now) })
		}
		if err != nil && len(parts) > 1 {
			return fmt.Errorf("commit to state %s: transaction %d of %d: %w", s.path, i+1, len(parts), err)
		}
		if err != nil {
			return fmt.Errorf("commit to state %s: %w", s.path, err)
		}
	}
	return nil
}

// beforeTx runs the test hook, if any, before transaction i of a commit.
func (s *Store) beforeTx(i int) error {
	if s.testHookTx == nil {
		return nil
	}
	return s.testHookTx(i)
}

// write applies b inside tx.
func (b Batch) write(tx *bolt.Tx, now time.Time) error {
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
	if err := putRecent(tx, b.Recent, now); err != nil {
		return err
	}
	// The sources' items go into shared chunks, in source order: the
	// larger a chunk, the more the compressor finds that items share.
	var archive []Archived
	for _, src := range sortedKeys(b.Archive) {
		archive = append(archive, b.Archive[src]...)
	}
	if err := putArchive(tx, archive, now); err != nil {
		return err
	}
	if b.Digest == nil {
		return nil
	}
	if err := putStories(tx, b.Stories, now); err != nil {
		return err
	}
	for _, d := range append([]*Digest{b.Digest}, b.More...) {
		if err := insertDigest(tx, *d, now); err != nil {
			return err
		}
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
				if k == "" || len(k) > maxKeyLen {
					return fmt.Errorf("source %q: item key of %d bytes (want 1 to %d)", src, len(k), maxKeyLen)
				}
			}
		}
	}
	for src := range b.Archive {
		if src == "" {
			return errors.New("archived items for a source with an empty name")
		}
	}
	for _, st := range b.Stories {
		if b.Digest == nil {
			return errStoriesWithoutDigest
		}
		if err := st.validate(); err != nil {
			return err
		}
	}
	for _, m := range b.Recent {
		if err := m.validate(); err != nil {
			return err
		}
	}
	if b.Digest == nil && len(b.More) > 0 {
		return errors.New("further digests without a first one")
	}
	for _, d := range append([]*Digest{b.Digest}, b.More...) {
		if d == nil {
			continue
		}
		if err := d.validate(); err != nil {
			return err
		}
	}
	return nil
}
