package pgstate

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watcher-news/watcher/state"
)

// maxKeyLen is the longest key Commit accepts. A PostgreSQL b-tree entry
// must fit in a third of a page; the primary key on (source, key) would
// refuse longer ones at insert time, so Commit refuses them first.
const maxKeyLen = 2048

// storedKey is the stored form of item key k: the bbolt store's own
// (state.SeenKey), so both stores hold the same bytes and
// state.SeenKeyText reads either.
func storedKey(k string) []byte { return state.SeenKey(k) }

// SeenKeys reports which of keys the named source has already shown, in
// one query. The result holds only the keys that were seen, each mapped
// to true.
func (s *Store) SeenKeys(ctx context.Context, source string, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool)
	byStored := make(map[string]string, len(keys))
	stored := make([][]byte, 0, len(keys))
	for _, k := range keys {
		if k == "" {
			continue
		}
		sk := storedKey(k)
		byStored[string(sk)] = k
		stored = append(stored, sk)
	}
	if len(stored) == 0 {
		return seen, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT seen.key FROM seen JOIN sources ON sources.id = seen.source_id
		WHERE sources.name = $1 AND seen.key = ANY($2::bytea[])`, source, stored)
	if err == nil {
		var sk []byte
		_, err = pgx.ForEachRow(rows, []any{&sk}, func() error { seen[byStored[string(sk)]] = true; return nil })
	}
	if err != nil {
		return nil, s.fail(fmt.Sprintf("look up seen keys of source %q", source), err)
	}
	return seen, nil
}

// markSeen records keys as seen at now; a key seen before keeps its time.
func markSeen(ctx context.Context, tx pgx.Tx, ids map[string]int32, seen map[string][]string, now time.Time) error {
	sids, keys := flatten(ids, seen)
	if len(keys) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO seen (source_id, key, seen_at)
		SELECT sid, k, $3 FROM unnest($1::integer[], $2::bytea[]) AS t(sid, k)
		ON CONFLICT (source_id, key) DO NOTHING`, sids, keys, unixSeconds(now)); err != nil {
		return fmt.Errorf("mark %d keys seen: %w", len(keys), err)
	}
	return nil
}

// touchSeen moves the seen time of keys already seen to now, if it is a
// day old; keys never seen are left alone.
func touchSeen(ctx context.Context, tx pgx.Tx, ids map[string]int32, touched map[string][]string, now time.Time) error {
	sids, keys := flatten(ids, touched)
	if len(keys) == 0 {
		return nil
	}
	at := unixSeconds(now)
	if _, err := tx.Exec(ctx, `UPDATE seen SET seen_at = $3
		FROM unnest($1::integer[], $2::bytea[]) AS t(sid, k)
		WHERE seen.source_id = t.sid AND seen.key = t.k AND seen.seen_at <= $4`,
		sids, keys, at, at-int64(state.TouchEvery/time.Second)); err != nil {
		return fmt.Errorf("touch %d keys: %w", len(keys), err)
	}
	return nil
}

// flatten turns keys by source into parallel arrays for unnest, each
// key once (a strict Commit counts the rows it inserts against them).
func flatten(ids map[string]int32, bySource map[string][]string) ([]int32, [][]byte) {
	var sids []int32
	var keys [][]byte
	for src, ks := range bySource {
		once := make(map[string]bool, len(ks))
		for _, k := range ks {
			if once[k] {
				continue
			}
			once[k] = true
			sids = append(sids, ids[src])
			keys = append(keys, storedKey(k))
		}
	}
	return sids, keys
}

// unixSeconds is t to the second, never before 1970, as the bbolt store
// keeps seen times.
func unixSeconds(t time.Time) int64 { return max(t.Unix(), 0) }
