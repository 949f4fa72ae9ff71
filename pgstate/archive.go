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

// sortedNames returns m's keys in order.
func sortedNames(m map[string][]state.Archived) []string {
	return slices.Sorted(maps.Keys(m))
}

// putArchive stores the items a batch archives, at now, in the order of
// their sources' names (as the bbolt store chunks them).
func putArchive(ctx context.Context, tx pgx.Tx, b state.Batch, now time.Time) error {
	var rows [][]any
	for _, src := range sortedNames(b.Archive) {
		for _, it := range b.Archive[src] {
			raw, err := json.Marshal(it)
			if err != nil {
				return fmt.Errorf("encode archived item %q of %q: %w", it.Key, src, err)
			}
			rows = append(rows, []any{now, raw})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"archive"}, []string{"archived", "item"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	return nil
}

// ArchiveRange calls fn for every item archived from since up to until
// (zero: no end), oldest first, as state.Store.ArchiveRange does. A row
// that cannot be decoded is reported in the returned error and the walk
// goes on; an error from fn stops it and is returned as is.
func (s *Store) ArchiveRange(ctx context.Context, since, until time.Time, fn func(state.Archived) error) error {
	q := "SELECT archived, item FROM archive WHERE archived >= $1 ORDER BY archived, id"
	args := []any{since}
	if !until.IsZero() {
		q = "SELECT archived, item FROM archive WHERE archived >= $1 AND archived < $2 ORDER BY archived, id"
		args = append(args, until)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return s.fail("read archive", err)
	}
	defer rows.Close()
	var bad []error
	for rows.Next() {
		var at time.Time
		var raw []byte
		if err := rows.Scan(&at, &raw); err != nil {
			return s.fail("read archive", err)
		}
		var it state.Archived
		if err := json.Unmarshal(raw, &it); err != nil {
			bad = append(bad, fmt.Errorf("archived item of %s: %w", at.UTC().Format(time.RFC3339), err))
			continue
		}
		it.Seen = at
		if err := fn(it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.fail("read archive", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("read archive in state %s: %w", s.where, errors.Join(bad...))
	}
	return nil
}

// ArchiveStats reports the archive's size: Chunks counts items here (the
// rows), Bytes their stored JSON.
func (s *Store) ArchiveStats(ctx context.Context) (state.ArchiveStats, error) {
	var st state.ArchiveStats
	var oldest, newest *time.Time
	err := s.pool.QueryRow(ctx, "SELECT count(*), coalesce(sum(octet_length(item)), 0), min(archived), max(archived) FROM archive").
		Scan(&st.Chunks, &st.Bytes, &oldest, &newest)
	if err != nil {
		return st, s.fail("read archive", err)
	}
	st.Oldest, st.Newest = fromDB(oldest), fromDB(newest)
	return st, nil
}

// pruneArchive deletes the items archived before before.
func pruneArchive(ctx context.Context, tx pgx.Tx, before time.Time) error {
	if _, err := tx.Exec(ctx, "DELETE FROM archive WHERE archived < $1", before); err != nil {
		return fmt.Errorf("prune archive: %w", err)
	}
	return nil
}
