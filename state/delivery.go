package state

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Digests returns every stored digest, oldest first, for status output.
func (s *Store) Digests() ([]Digest, error) {
	return s.digests("list digests", func(Digest) bool { return true })
}

// Pending returns, oldest first, the digests that some sink still waits
// for: a sink neither delivered nor parked. The caller decides from each
// Delivery.NextAttempt whether a retry is due.
func (s *Store) Pending() ([]Digest, error) {
	return s.openDigests("list pending digests", Digest.waiting)
}

// Undelivered returns, oldest first, the digests that some sink does not
// have yet: waiting for it, held for its schedule or parked. It reads only
// the open ones, so what `watcher status` and the daemon's status page cost
// does not grow with the digests delivered over the retention.
func (s *Store) Undelivered() ([]Digest, error) {
	return s.openDigests("list undelivered digests", func(d Digest) bool { return !d.Delivered() })
}

// Parked returns, oldest first, the digests that at least one sink gave up
// on. A digest parked for one sink and still pending for another is listed
// by both Parked and Pending.
func (s *Store) Parked() ([]Digest, error) {
	return s.openDigests("list parked digests", Digest.parked)
}

// digests lists the digests keep accepts. Every digest is read only for
// Digests (a state copy, a reroute); Pending, Parked and Undelivered,
// read every cycle, look only at the open ones, so a cycle's cost does not grow with the digests delivered
// over the retention (decoding them all was most of a long-running
// daemon's growth in memory and time).
func (s *Store) digests(what string, keep func(Digest) bool) ([]Digest, error) {
	return s.listDigests(what, bucketDigests, keep)
}

func (s *Store) openDigests(what string, keep func(Digest) bool) ([]Digest, error) {
	return s.listDigests(what, bucketOpen, keep)
}

func (s *Store) listDigests(what string, index []byte, keep func(Digest) bool) ([]Digest, error) {
	var out []Digest
	err := s.view(func(tx *bolt.Tx) error {
		all := tx.Bucket(bucketDigests)
		return tx.Bucket(index).ForEach(func(k, _ []byte) error {
			v := all.Get(k)
			if v == nil {
				return nil // indexed, then pruned: nothing to list
			}
			d, err := decodeDigest(k, v)
			if err == nil && keep(d) {
				out = append(out, d)
			}
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("%s in state %s: %w", what, s.path, err)
	}
	sortDigests(out)
	return out, nil
}

// RecordDelivery records one attempt to send digest id to sink. A nil
// sendErr marks the sink delivered. Otherwise the attempt is counted, the
// error kept, and next stored as the earliest retry; the backoff is the
// caller's choice, since alert knows which errors are worth a quick retry.
// When the attempts reach maxAttempts (if it is positive) the delivery is
// parked, and parked is returned true.
func (s *Store) RecordDelivery(id, sink string, sendErr error, next time.Time, maxAttempts int) (parked bool, err error) {
	now := s.now()
	err = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		raw := b.Get([]byte(id))
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
		if err := dl.Record(sendErr, now, next, maxAttempts); err != nil {
			return fmt.Errorf("sink %q: %w", sink, err)
		}
		parked = dl.Parked
		if sendErr == nil {
			if err := keepLastDelivered(tx, d); err != nil {
				return err
			}
		}
		if d.Delivered() {
			// Every sink has it: the content is not needed again, and
			// keeping it for the retention would grow the file (and
			// the daemon's mapped memory) by a digest a cycle. What
			// was sent, to whom and when stays.
			d.Payload = nil
		}
		return putDigest(tx, d)
	})
	if err != nil {
		return false, fmt.Errorf("record delivery of digest %q to %q in state %s: %w", id, sink, s.path, err)
	}
	return parked, err
}

// Record applies one attempt's outcome: the retry and parking rule every
// store follows (delivered once, an attempt counted per send, parked after
// maxAttempts).
func (dl *Delivery) Record(sendErr error, now, next time.Time, maxAttempts int) error {
	if dl.Delivered {
		if sendErr == nil {
			return nil // a repeated success report changes nothing
		}
		return errors.New("failure reported after delivery")
	}
	dl.Attempts++
	if sendErr == nil {
		dl.Delivered, dl.DeliveredAt = true, now
		dl.Parked, dl.LastError, dl.NextAttempt = false, "", time.Time{}
		return nil
	}
	dl.LastError, dl.NextAttempt = sendErr.Error(), next
	if maxAttempts > 0 && dl.Attempts >= maxAttempts {
		dl.Parked, dl.NextAttempt = true, time.Time{}
	}
	return nil
}
