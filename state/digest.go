package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNoDigest is wrapped by RecordDelivery when no digest has the given ID.
var ErrNoDigest = errors.New("no such digest")

// Digest is a digest held until every sink has it. The payload is opaque to
// this package: the alert stage writes it and reads it back.
type Digest struct {
	// ID names the digest; receivers may use it to drop a retried copy.
	ID string `json:"id"`
	// Created is when the digest was made; Commit sets it if zero.
	Created time.Time `json:"created"`
	// Payload is the digest's content, stored as given, and dropped once
	// every sink has accepted it.
	Payload []byte `json:"payload,omitempty"`
	// Sinks maps each sink that must receive the digest to its progress.
	Sinks map[string]*Delivery `json:"sinks"`
	// Merged lists the digests whose held deliveries this one gathers
	// (see Merge); empty for a digest made by a crawl.
	Merged []string `json:"merged,omitempty"`
}

// Delivery is the progress of one digest towards one sink.
type Delivery struct {
	// Delivered is set, with DeliveredAt, once the sink accepted the digest.
	Delivered   bool      `json:"delivered"`
	DeliveredAt time.Time `json:"delivered_at"`
	// Attempts counts sends tried, failed or not.
	Attempts int `json:"attempts"`
	// LastError is the last failed send's message, cleared on delivery.
	LastError string `json:"last_error,omitempty"`
	// NextAttempt is the earliest time to retry, as the caller chose it.
	NextAttempt time.Time `json:"next_attempt"`
	// Parked is set once the attempts ran out; a parked delivery is not
	// retried but is kept in the file for an operator to see.
	Parked bool `json:"parked"`
	// Held is set for a sink whose digests follow a schedule: the digest
	// is not sent by itself but gathered, with the sink's other held
	// digests, into one (see Merge), whose id then is MergedInto.
	Held       bool   `json:"held,omitempty"`
	MergedInto string `json:"merged_into,omitempty"`
	// Parts counts the messages of a digest sent in several (a chat
	// sink's size limit) that the sink has accepted, so that a retry
	// starts at the next one.
	Parts int `json:"parts,omitempty"`
	// SeriesN and SeriesOf, when SeriesOf is over 1, place the digest
	// among the several one check (or one gathering of a schedule)
	// stored for the sink, counted from 1: it had more matches than one
	// message shows, and each message says which it is of how many.
	SeriesN  int `json:"series_n,omitempty"`
	SeriesOf int `json:"series_of,omitempty"`
}

// Delivered reports whether every sink has the digest.
func (d Digest) Delivered() bool {
	for _, dl := range d.Sinks {
		if !dl.Delivered {
			return false
		}
	}
	return true
}

// waiting reports whether some sink still expects a retry.
func (d Digest) waiting() bool {
	for _, dl := range d.Sinks {
		if !dl.Delivered && !dl.Parked {
			return true
		}
	}
	return false
}

// sendable reports whether some sink that is not holding the digest for
// its schedule waits for it.
func (d Digest) sendable() bool {
	for _, dl := range d.Sinks {
		if !dl.Delivered && !dl.Parked && !dl.Held {
			return true
		}
	}
	return false
}

// parked reports whether some sink gave up on the digest.
func (d Digest) parked() bool {
	for _, dl := range d.Sinks {
		if dl.Parked {
			return true
		}
	}
	return false
}

func (d Digest) validate() error {
	if d.ID == "" || len(d.ID) > bolt.MaxKeySize {
		return fmt.Errorf("digest ID of %d bytes (want 1 to %d)", len(d.ID), bolt.MaxKeySize)
	}
	if len(d.Sinks) == 0 {
		return fmt.Errorf("digest %q has no sinks to deliver to", d.ID)
	}
	for name := range d.Sinks {
		if name == "" {
			return fmt.Errorf("digest %q: sink with an empty name", d.ID)
		}
	}
	return nil
}

// insertDigest stores a new digest; an ID already present is an error, as
// overwriting would lose that digest's delivery progress.
func insertDigest(tx *bolt.Tx, d Digest, now time.Time) error {
	if tx.Bucket(bucketDigests).Get([]byte(d.ID)) != nil {
		return fmt.Errorf("digest %q already stored", d.ID)
	}
	if d.Created.IsZero() {
		d.Created = now
	}
	sinks := make(map[string]*Delivery, len(d.Sinks))
	for name, dl := range d.Sinks {
		if dl == nil {
			dl = &Delivery{}
		}
		sinks[name] = dl
	}
	d.Sinks = sinks
	return putDigest(tx, d)
}

// putDigest writes d, and keeps the index of open digests (some sink has
// not accepted it yet) up to date.
func putDigest(tx *bolt.Tx, d Digest) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode digest %q: %w", d.ID, err)
	}
	if err := tx.Bucket(bucketDigests).Put([]byte(d.ID), raw); err != nil {
		return fmt.Errorf("write digest %q: %w", d.ID, err)
	}
	open := tx.Bucket(bucketOpen)
	if d.Delivered() {
		err = open.Delete([]byte(d.ID))
	} else {
		err = open.Put([]byte(d.ID), nil)
	}
	if err != nil {
		return fmt.Errorf("index digest %q: %w", d.ID, err)
	}
	return nil
}

// indexOpen fills the index of open digests from the digests themselves:
// for a file written before the index existed.
func indexOpen(tx *bolt.Tx) error {
	open := tx.Bucket(bucketOpen)
	return tx.Bucket(bucketDigests).ForEach(func(k, v []byte) error {
		d, err := decodeDigest(k, v)
		if err != nil || !d.Delivered() { // an unreadable one stays in view
			return open.Put(k, nil)
		}
		return nil
	})
}

func decodeDigest(id, raw []byte) (Digest, error) {
	var d Digest
	if err := json.Unmarshal(raw, &d); err != nil {
		return Digest{}, fmt.Errorf("decode digest %q: %w", id, err)
	}
	for name, dl := range d.Sinks {
		if dl == nil {
			d.Sinks[name] = &Delivery{}
		}
	}
	return d, nil
}

// sortDigests orders digests oldest first. They are read in key order, so
// a stable sort breaks ties by ID.
func sortDigests(ds []Digest) {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Created.Before(ds[j].Created) })
}
