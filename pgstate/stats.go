package pgstate

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

// Stats counts what the store holds, as the bbolt store's Stats; FileSize
// is the database's size on disk (pg_database_size).
func (s *Store) Stats(ctx context.Context) (state.Stats, error) {
	st := state.Stats{SeenBySource: map[string]int{}}
	err := s.tx(ctx, "count", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM sources WHERE stored").Scan(&st.Sources); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT sources.name, count(*) FROM seen
			JOIN sources ON sources.id = seen.source_id GROUP BY sources.name`)
		if err != nil {
			return err
		}
		var name string
		var n int
		if _, err := pgx.ForEachRow(rows, []any{&name, &n}, func() error {
			st.SeenBySource[name] = n
			st.Seen += n
			return nil
		}); err != nil {
			return err
		}
		// Per digest: delivered to every sink, waiting for some sink,
		// given up by some sink (both of the last two may hold).
		return tx.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE open = 0),
			count(*) FILTER (WHERE sendable > 0),
			count(*) FILTER (WHERE waiting > 0 AND sendable = 0),
			count(*) FILTER (WHERE parked > 0),
			pg_database_size(current_database())
			FROM (SELECT digest_id,
				count(*) FILTER (WHERE NOT delivered) AS open,
				count(*) FILTER (WHERE NOT delivered AND NOT parked) AS waiting,
				count(*) FILTER (WHERE NOT delivered AND NOT parked AND NOT held) AS sendable,
				count(*) FILTER (WHERE NOT delivered AND parked) AS parked
				FROM deliveries GROUP BY digest_id) AS d`).Scan(&st.Delivered, &st.Pending, &st.Held, &st.Parked, &st.FileSize)
	})
	if err != nil {
		return state.Stats{}, err
	}
	return st, nil
}
