package state

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// keyLastDelivered holds the digest (with its content) most recently
// accepted by a sink, so that a preview has something to show once every
// digest is delivered and their contents are dropped.
var keyLastDelivered = []byte("last_delivered")

// ErrNotHeld is wrapped by Merge when a digest to gather is no longer
// held for the sink (already gathered, delivered or parked).
var ErrNotHeld = errors.New("not held for the sink")

// Merge stores into, a digest for sink alone that gathers the digests
// into.Merged names, and marks each of those delivered to sink (merged
// into into.ID), all in one transaction: a crash leaves either the held
// digests as they were or the new one pending, so nothing held is lost
// or sent twice. Each must be held for sink; otherwise nothing is written
// and the error wraps ErrNotHeld.
func (s *Store) Merge(into Digest, sink string) error {
	now := s.now()
	if err := into.validate(); err != nil {
		return fmt.Errorf("merge into digest %q in state %s: %w", into.ID, s.path, err)
	}
	if len(into.Sinks) != 1 || into.Sinks[sink] == nil {
		return fmt.Errorf("merge into digest %q in state %s: it must be for sink %q alone", into.ID, s.path, sink)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		for _, id := range into.Merged {
			raw := b.Get([]byte(id))
			if raw == nil {
				return fmt.Errorf("digest %q: %w", id, ErrNoDigest)
			}
			d, err := decodeDigest([]byte(id), raw)
			if err != nil {
				return err
			}
			dl := d.Sinks[sink]
			if dl == nil || !dl.Held || dl.Delivered || dl.Parked {
				return fmt.Errorf("digest %q: %w %q", id, ErrNotHeld, sink)
			}
			dl.Delivered, dl.DeliveredAt, dl.MergedInto = true, now, into.ID
			if d.Delivered() {
				d.Payload = nil // as RecordDelivery: the content lives on in into
			}
			if err := putDigest(tx, d); err != nil {
				return err
			}
		}
		return insertDigest(tx, into, now)
	})
	if err != nil {
		return fmt.Errorf("merge %d digests into %q for %q in state %s: %w", len(into.Merged), into.ID, sink, s.path, err)
	}
	return nil
}

// LastDelivered returns the digest most recently accepted by a sink, with
// its content, and false when no digest was ever delivered.
func (s *Store) LastDelivered() (Digest, bool, error) {
	var d Digest
	found := false
	err := s.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketMeta).Get(keyLastDelivered)
		if raw == nil {
			return nil
		}
		found = true
		return json.Unmarshal(raw, &d)
	})
	if err != nil {
		return Digest{}, false, fmt.Errorf("read last delivered digest in state %s: %w", s.path, err)
	}
	return d, found, nil
}

// keepLastDelivered records d, just accepted by a sink, as the latest
// delivered digest, unless a newer one is already kept.
func keepLastDelivered(tx *bolt.Tx, d Digest) error {
	if len(d.Payload) == 0 {
		return nil
	}
	meta := tx.Bucket(bucketMeta)
	if raw := meta.Get(keyLastDelivered); raw != nil {
		var prev Digest
		if json.Unmarshal(raw, &prev) == nil && prev.Created.After(d.Created) {
			return nil
		}
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode digest %q: %w", d.ID, err)
	}
	return meta.Put(keyLastDelivered, raw)
}
