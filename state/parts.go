package state

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// RecordParts records that sink has accepted the first parts messages of
// digest id, a digest it receives in several. It is written as each part
// is accepted, so a retry, even after a crash, resumes at the next part.
// It never lowers the count, and changes nothing once the sink has the
// whole digest.
func (s *Store) RecordParts(id, sink string, parts int) error {
	err := s.update(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketDigests).Get([]byte(id))
		if raw == nil {
			return ErrNoDigest
		}
		d, err := decodeDigest([]byte(id), raw)
		if err != nil {
			return err
		}
		dl, ok := d.Sinks[sink]
		if !ok {
			return fmt.Errorf("digest is not for sink %q", sink)
		}
		if !dl.AcceptParts(parts) {
			return nil
		}
		return putDigest(tx, d)
	})
	if err != nil {
		return fmt.Errorf("record parts of digest %q sent to %q in state %s: %w", id, sink, s.path, err)
	}
	return nil
}

// AcceptParts records that the sink has the first parts messages of the
// digest, and reports whether that changed anything: the count never
// goes down, and stays as it is once the sink has the whole digest.
func (dl *Delivery) AcceptParts(parts int) bool {
	if dl.Delivered || parts <= dl.Parts {
		return false
	}
	dl.Parts = parts
	return true
}
