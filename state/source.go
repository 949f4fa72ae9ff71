package state

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Source is what the watcher remembers about one configured source between
// cycles: the HTTP validators for a conditional GET and the source's health.
type Source struct {
	// Initialized is false for a source never recorded; the cycle uses it
	// to tell a source's first fetch (its backlog) from later news.
	Initialized bool `json:"initialized"`
	// ETag and LastModified are the validators of the last good response.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// LastSuccess and LastAttempt are when the source last answered well,
	// and when it was last tried at all.
	LastSuccess time.Time `json:"last_success"`
	LastAttempt time.Time `json:"last_attempt"`
	// LastError is the last failure's message, empty after a success.
	LastError string `json:"last_error,omitempty"`
	// Failures counts consecutive failed attempts.
	Failures int `json:"failures"`
	// NextAttempt, if set, is the earliest time to try a failing source again.
	NextAttempt time.Time `json:"next_attempt"`
	// NotReached, when set, says why the last cycle did not reach the
	// source (its budget ran out, or the host asked to wait). Not a failure.
	NotReached string `json:"not_reached,omitempty"`
	// ArticleTries counts, by item key, the cycles that failed to read the
	// article page of a new item still kept unseen for it.
	ArticleTries map[string]int `json:"article_tries,omitempty"`
	// FailingSince is when the current run of failures began (zero while
	// the source answers), and HealthReported whether a digest has named
	// the source as failing since then, so that it is named once, and its
	// recovery once, across restarts.
	FailingSince   time.Time `json:"failing_since,omitzero"`
	HealthReported bool      `json:"health_reported,omitempty"`
}

// Source returns the stored state of the named source. A source never
// stored yields the zero Source (Initialized false) and no error.
func (s *Store) Source(name string) (Source, error) {
	var src Source
	err := s.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketSources).Get([]byte(name))
		if raw == nil {
			return nil
		}
		return decodeSource(name, raw, &src)
	})
	if err != nil {
		return Source{}, fmt.Errorf("read source %q from state %s: %w", name, s.path, err)
	}
	return src, nil
}

// Sources returns the stored state of every source, by name.
func (s *Store) Sources() (map[string]Source, error) {
	out := make(map[string]Source)
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
			var src Source
			if err := decodeSource(string(k), v, &src); err != nil {
				return err
			}
			out[string(k)] = src
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read sources from state %s: %w", s.path, err)
	}
	return out, nil
}

func decodeSource(name string, raw []byte, src *Source) error {
	if err := json.Unmarshal(raw, src); err != nil {
		return fmt.Errorf("decode source %q: %w", name, err)
	}
	return nil
}

// putSources writes each source's new state, replacing the old one.
func putSources(tx *bolt.Tx, sources map[string]Source) error {
	b := tx.Bucket(bucketSources)
	for name, src := range sources {
		raw, err := json.Marshal(src)
		if err != nil {
			return fmt.Errorf("encode source %q: %w", name, err)
		}
		if err := b.Put([]byte(name), raw); err != nil {
			return fmt.Errorf("write source %q: %w", name, err)
		}
	}
	return nil
}
