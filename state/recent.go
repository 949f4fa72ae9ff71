package state

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RecentPerTopic is how many of the latest matches Recent keeps for each
// topic: enough for a feed reader's page, small enough that the bucket
// never grows with the years.
const RecentPerTopic = 100

// bucketRecent holds one nested bucket per topic; a key is the match time
// (8 bytes, big-endian Unix nanoseconds) followed by the item key, so a
// cursor walks a topic's matches oldest first.
var bucketRecent = []byte("recent")

// Match is one item that matched a topic, kept for the Atom feeds of the
// latest matches.
type Match struct {
	Topic     string    `json:"topic"`
	Key       string    `json:"key"` // the item's dedup key
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Source    string    `json:"source"`
	Published time.Time `json:"published"`
	Snippet   string    `json:"snippet,omitempty"`
	// Matched is when the cycle that found it committed; Commit sets it.
	Matched time.Time `json:"matched"`
}

func (m Match) validate() error {
	if m.Topic == "" || m.Key == "" {
		return errors.New("recent match without a topic or an item key")
	}
	if len(m.Topic) > maxKeyLen || len(m.Key) > maxKeyLen {
		return fmt.Errorf("recent match for topic %q: topic or key longer than %d bytes", m.Topic, maxKeyLen)
	}
	return nil
}

// putRecent adds ms (oldest first), matched at now, and drops each topic's oldest past
// RecentPerTopic. The bucket is made on first use, so files written
// before it existed need no migration.
func putRecent(tx *bolt.Tx, ms []Match, now time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	root, err := tx.CreateBucketIfNotExists(bucketRecent)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketRecent, err)
	}
	touched := map[string]*bolt.Bucket{}
	for i, m := range ms {
		b, err := root.CreateBucketIfNotExists([]byte(m.Topic))
		if err != nil {
			return fmt.Errorf("recent matches of topic %q: %w", m.Topic, err)
		}
		touched[m.Topic] = b
		// A nanosecond per match keeps the batch's order (oldest first)
		// among matches of the same commit.
		m.Matched = now.Add(time.Duration(i))
		raw, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encode recent match %s: %w", m.Key, err)
		}
		if err := b.Put(recentKey(m.Matched, m.Key), raw); err != nil {
			return fmt.Errorf("recent matches of topic %q: %w", m.Topic, err)
		}
	}
	for topic, b := range touched {
		if err := trimRecent(b, RecentPerTopic); err != nil {
			return fmt.Errorf("recent matches of topic %q: %w", topic, err)
		}
	}
	return nil
}

func recentKey(t time.Time, key string) []byte {
	k := make([]byte, 8, 8+len(key))
	binary.BigEndian.PutUint64(k, uint64(max(t.UnixNano(), 0)))
	return append(k, key...)
}

// trimRecent deletes the oldest entries of b beyond keep.
func trimRecent(b *bolt.Bucket, keep int) error {
	extra := b.Stats().KeyN - keep
	c := b.Cursor()
	for k, _ := c.First(); k != nil && extra > 0; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
		extra--
	}
	return nil
}

// Recent returns the latest matches of each topic that has any, newest
// first, at most RecentPerTopic per topic.
func (s *Store) Recent() (map[string][]Match, error) {
	out := map[string][]Match{}
	err := s.view(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketRecent)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(topic []byte) error {
			c := root.Bucket(topic).Cursor()
			var ms []Match
			for k, v := c.Last(); k != nil && len(ms) < RecentPerTopic; k, v = c.Prev() {
				var m Match
				if err := json.Unmarshal(v, &m); err != nil {
					return fmt.Errorf("decode recent match of topic %q: %w", topic, err)
				}
				ms = append(ms, m)
			}
			out[string(topic)] = ms
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read recent matches from state %s: %w", s.path, err)
	}
	return out, nil
}
