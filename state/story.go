package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketStories holds the stories that digests sent, so that a later
// report of one is sent as an addition to it rather than as a new story.
// A key is the story's time (8 bytes, big-endian Unix nanoseconds) then
// its id, so the stories of the last hours are one cursor range. The
// bucket is created by the first commit that writes a story.
var bucketStories = []byte("stories")

// Story is a story a digest sent. Data is opaque to this package: the
// cycle writes what it needs to recognise the story and name it again.
type Story struct {
	ID string
	// Created is when the story was sent; Commit sets it if zero. Prune
	// forgets stories older than the retention.
	Created time.Time
	Data    []byte
}

const storyTimeLen = 8

func (st Story) validate() error {
	if st.ID == "" || len(st.ID) > bolt.MaxKeySize-storyTimeLen {
		return fmt.Errorf("story ID of %d bytes (want 1 to %d)", len(st.ID), bolt.MaxKeySize-storyTimeLen)
	}
	return nil
}

func storyKey(created time.Time, id string) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, storyTimeLen+len(id)), uint64(max(created.UnixNano(), 0)))
	return append(k, id...)
}

// putStories writes stories, in the transaction of the digest that sent them.
func putStories(tx *bolt.Tx, stories []Story, now time.Time) error {
	if len(stories) == 0 {
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bucketStories)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketStories, err)
	}
	// A digest's stories share its time and go in after every story
	// before it: written in key order into pages packed full, not in the
	// order of their random ids into pages split half empty, they take
	// about half the file they did (a cycle of 600 matches wrote 2.5 MB
	// of pages for 1 MB of records).
	b.FillPercent = fillFresh
	keyed := make([]struct {
		key []byte
		st  Story
	}, len(stories))
	for i, st := range stories {
		if st.Created.IsZero() {
			st.Created = now
		}
		keyed[i].key, keyed[i].st = storyKey(st.Created, st.ID), st
	}
	slices.SortStableFunc(keyed, func(a, b struct {
		key []byte
		st  Story
	}) int {
		return bytes.Compare(a.key, b.key)
	})
	for _, k := range keyed {
		if err := b.Put(k.key, k.st.Data); err != nil {
			return fmt.Errorf("story %s: %w", k.st.ID, err)
		}
	}
	return nil
}

// Stories returns the stories sent at or after since, oldest first.
func (s *Store) Stories(since time.Time) ([]Story, error) {
	var out []Story
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStories)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(storyKey(since, "")); k != nil; k, v = c.Next() {
			if len(k) <= storyTimeLen || v == nil {
				continue // not a story key: damage, skipped rather than failing every cycle
			}
			out = append(out, Story{
				ID:      string(k[storyTimeLen:]),
				Created: time.Unix(0, int64(binary.BigEndian.Uint64(k[:storyTimeLen]))),
				Data:    bytes.Clone(v),
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stories from state %s: %w", s.path, err)
	}
	return out, nil
}

// pruneStories forgets the stories sent before before.
func pruneStories(tx *bolt.Tx, before time.Time) (int, error) {
	b := tx.Bucket(bucketStories)
	if b == nil {
		return 0, nil
	}
	limit := storyKey(before, "")
	var doomed [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0; k, _ = c.Next() {
		doomed = append(doomed, bytes.Clone(k))
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return 0, fmt.Errorf("prune stories: %w", err)
		}
	}
	return len(doomed), nil
}

// errStoriesWithoutDigest: stories are remembered only with the digest
// that sends them, so that a story is never known that was never sent.
var errStoriesWithoutDigest = errors.New("stories without a digest")
