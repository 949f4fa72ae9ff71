package pgstate

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

// EachSeen calls fn for every seen key, source by source, with the time
// it was last marked or touched (to the second), from one snapshot; an
// error from fn stops it. It is for copying a state to another store,
// which no cycle does.
func (s *Store) EachSeen(ctx context.Context, fn func(source, key string, at time.Time) error) error {
	return s.tx(ctx, "read seen keys", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT s.name, k.key, k.seen_at FROM seen k
			JOIN sources s ON s.id = k.source_id ORDER BY s.name, k.key`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			name string
			key  []byte
			at   int64
		)
		_, err = pgx.ForEachRow(rows, []any{&name, &key, &at}, func() error {
			return fn(name, state.SeenKeyText(key), time.Unix(at, 0))
		})
		return err
	})
}
