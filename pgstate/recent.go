package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

func validateMatch(m state.Match) error {
	if m.Topic == "" || m.Key == "" {
		return errors.New("recent match without a topic or an item key")
	}
	if len(m.Topic) > maxKeyLen || len(m.Key) > maxKeyLen {
		return fmt.Errorf("recent match for topic %q: topic or key longer than %d bytes", m.Topic, maxKeyLen)
	}
	return nil
}

// putRecent adds ms (oldest first), matched at now a nanosecond apart as
// the bbolt store does, and drops each topic's oldest past
// state.RecentPerTopic.
func putRecent(ctx context.Context, tx pgx.Tx, ms []state.Match, now time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	var batch pgx.Batch
	topics := map[string]bool{}
	for i, m := range ms {
		m.Matched = now.Add(time.Duration(i))
		raw, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encode recent match %s: %w", m.Key, err)
		}
		batch.Queue(`INSERT INTO recent (topic, matched_ns, key, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (topic, matched_ns, key) DO UPDATE SET data = excluded.data`,
			m.Topic, max(m.Matched.UnixNano(), 0), m.Key, raw)
		topics[m.Topic] = true
	}
	for _, topic := range slices.Sorted(maps.Keys(topics)) {
		batch.Queue(`DELETE FROM recent WHERE topic = $1 AND (matched_ns, key) NOT IN (
			SELECT matched_ns, key FROM recent WHERE topic = $1
			ORDER BY matched_ns DESC, key COLLATE "C" DESC LIMIT $2)`, topic, state.RecentPerTopic)
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("write recent matches: %w", err)
	}
	return nil
}

// Recent returns the latest matches of each topic that has any, newest
// first, at most state.RecentPerTopic per topic.
func (s *Store) Recent(ctx context.Context) (map[string][]state.Match, error) {
	out := map[string][]state.Match{}
	rows, err := s.pool.Query(ctx, `SELECT topic, data FROM recent ORDER BY topic, matched_ns DESC, key COLLATE "C" DESC`)
	if err == nil {
		var topic string
		var raw []byte
		_, err = pgx.ForEachRow(rows, []any{&topic, &raw}, func() error {
			var m state.Match
			if err := json.Unmarshal(raw, &m); err != nil {
				return fmt.Errorf("decode recent match of topic %q: %w", topic, err)
			}
			if len(out[topic]) < state.RecentPerTopic {
				out[topic] = append(out[topic], m)
			}
			return nil
		})
	}
	if err != nil {
		return nil, s.fail("read recent matches", err)
	}
	return out, nil
}
