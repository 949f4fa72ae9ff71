package pgstate

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

const sourceColumns = `name, initialized, etag, last_modified, last_success, last_attempt,
	last_error, failures, next_attempt, not_reached, article_tries, failing_since, health_reported`

// Source returns the stored state of the named source. A source never
// stored yields the zero Source (Initialized false) and no error.
func (s *Store) Source(ctx context.Context, name string) (state.Source, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+sourceColumns+" FROM sources WHERE stored AND name = $1", name)
	if err != nil {
		return state.Source{}, s.fail(fmt.Sprintf("read source %q", name), err)
	}
	out, err := collectSources(rows)
	if err != nil {
		return state.Source{}, s.fail(fmt.Sprintf("read source %q", name), err)
	}
	return out[name], nil
}

// Sources returns the stored state of every source, by name.
func (s *Store) Sources(ctx context.Context) (map[string]state.Source, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+sourceColumns+" FROM sources WHERE stored")
	if err == nil {
		var out map[string]state.Source
		if out, err = collectSources(rows); err == nil {
			return out, nil
		}
	}
	return nil, s.fail("read sources", err)
}

func collectSources(rows pgx.Rows) (map[string]state.Source, error) {
	out := map[string]state.Source{}
	var (
		name                   string
		src                    state.Source
		success, attempt, next *time.Time
		failingSince           *time.Time
		tries                  []byte
	)
	_, err := pgx.ForEachRow(rows, []any{&name, &src.Initialized, &src.ETag, &src.LastModified,
		&success, &attempt, &src.LastError, &src.Failures, &next, &src.NotReached, &tries,
		&failingSince, &src.HealthReported}, func() error {
		src.LastSuccess, src.LastAttempt, src.NextAttempt = fromDB(success), fromDB(attempt), fromDB(next)
		src.FailingSince = fromDB(failingSince)
		src.ArticleTries = nil
		if tries != nil {
			if err := json.Unmarshal(tries, &src.ArticleTries); err != nil {
				return fmt.Errorf("decode article tries of source %q: %w", name, err)
			}
		}
		out[name] = src
		src = state.Source{}
		return nil
	})
	return out, err
}

// fromDB reads a nullable timestamp: NULL is the zero time.
func fromDB(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// toDB writes the zero time as NULL.
func toDB(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// sourceIDs returns the id of each named source, adding a row for any
// not yet known. Names are inserted in sorted order, so two replicas
// committing overlapping sources queue on the first shared name instead
// of deadlocking. The known names are left out before the insert, not
// by ON CONFLICT alone: an identity takes its next value for every row
// offered, so offering every source of every commit would use up the
// ids (a 4-byte integer) within months at tens of thousands of sources.
func sourceIDs(ctx context.Context, tx pgx.Tx, names []string) (map[string]int32, error) {
	ids := make(map[string]int32, len(names))
	if len(names) == 0 {
		return ids, nil
	}
	names = slices.Sorted(slices.Values(names))
	if _, err := tx.Exec(ctx, `INSERT INTO sources (name) SELECT n FROM unnest($1::text[]) AS n
		WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.name = n)
		ORDER BY n ON CONFLICT (name) DO NOTHING`, names); err != nil {
		return nil, fmt.Errorf("add sources: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT id, name FROM sources WHERE name = ANY($1)", names)
	if err != nil {
		return nil, fmt.Errorf("look up sources: %w", err)
	}
	var id int32
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error { ids[name] = id; return nil }); err != nil {
		return nil, fmt.Errorf("look up sources: %w", err)
	}
	return ids, nil
}

// putSources writes each source's new state, replacing the old one, in
// one round trip.
func putSources(ctx context.Context, tx pgx.Tx, sources map[string]state.Source) error {
	var batch pgx.Batch
	names := slices.Sorted(maps.Keys(sources))
	for _, name := range names {
		src := sources[name]
		var tries []byte
		if len(src.ArticleTries) > 0 {
			var err error
			if tries, err = json.Marshal(src.ArticleTries); err != nil {
				return fmt.Errorf("encode source %q: %w", name, err)
			}
		}
		batch.Queue(`UPDATE sources SET stored = true, initialized = $2, etag = $3, last_modified = $4,
			last_success = $5, last_attempt = $6, last_error = $7, failures = $8, next_attempt = $9,
			not_reached = $10, article_tries = $11, failing_since = $12, health_reported = $13
			WHERE name = $1`,
			name, src.Initialized, src.ETag, src.LastModified, toDB(src.LastSuccess), toDB(src.LastAttempt),
			src.LastError, src.Failures, toDB(src.NextAttempt), src.NotReached, tries,
			toDB(src.FailingSince), src.HealthReported)
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("write sources: %w", err)
	}
	return nil
}
