package pgstate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

// errStoriesWithoutDigest: stories are remembered only with the digest
// that sends them, as in the bbolt store.
var errStoriesWithoutDigest = errors.New("stories without a digest")

func validateStory(st state.Story) error {
	if st.ID == "" || len(st.ID) > maxIDLen {
		return fmt.Errorf("story ID of %d bytes (want 1 to %d)", len(st.ID), maxIDLen)
	}
	return nil
}

// putStories writes stories, in the transaction of the digest that sent
// them; a story of the same time and id replaces the earlier one.
func putStories(ctx context.Context, tx pgx.Tx, stories []state.Story, now time.Time) error {
	if len(stories) == 0 {
		return nil
	}
	var batch pgx.Batch
	for _, st := range stories {
		if st.Created.IsZero() {
			st.Created = now
		}
		data := st.Data
		if data == nil {
			data = []byte{}
		}
		batch.Queue(`INSERT INTO stories (created_ns, id, data) VALUES ($1, $2, $3)
			ON CONFLICT (created_ns, id) DO UPDATE SET data = excluded.data`,
			max(st.Created.UnixNano(), 0), st.ID, data)
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("write stories: %w", err)
	}
	return nil
}

// Stories returns the stories sent at or after since, oldest first (then
// by id). Their times are read back as the bbolt store reads them, with
// time.Unix, in the local zone.
func (s *Store) Stories(ctx context.Context, since time.Time) ([]state.Story, error) {
	rows, err := s.pool.Query(ctx, `SELECT created_ns, id, data FROM stories WHERE created_ns >= $1
		ORDER BY created_ns, id COLLATE "C"`, max(since.UnixNano(), 0))
	var out []state.Story
	if err == nil {
		var ns int64
		var st state.Story
		_, err = pgx.ForEachRow(rows, []any{&ns, &st.ID, &st.Data}, func() error {
			st.Created = time.Unix(0, ns)
			out = append(out, st)
			st = state.Story{}
			return nil
		})
	}
	if err != nil {
		return nil, s.fail("read stories", err)
	}
	return out, nil
}

// pruneStories forgets the stories sent before before.
func pruneStories(ctx context.Context, tx pgx.Tx, before time.Time) error {
	if _, err := tx.Exec(ctx, "DELETE FROM stories WHERE created_ns < $1", max(before.UnixNano(), 0)); err != nil {
		return fmt.Errorf("prune stories: %w", err)
	}
	return nil
}
