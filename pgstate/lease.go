package pgstate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Source leases share a cycle's sources among replicas. Each replica
// claims due sources in small batches as its workers free up; a claimed
// source is its own until the lease expires, so a replica that dies
// mid-cycle costs its sources a lease's length, after which another
// claims them. A fetched source's lease is kept until the next cycle
// (ReleaseSources with until), so no replica fetches it twice in one.
//
// Lease times are the database's clock (clock_timestamp()) unless the
// store was opened with Options.Now: replicas' clocks may disagree, the
// database's is one.

// microseconds is d as a count for SQL's interval arithmetic; pgx would
// also encode a time.Duration, but a plain number keeps the SQL obvious.
func microseconds(d time.Duration) int64 { return d.Microseconds() }

// ClaimSources leases to replica, for ttl, those of due that no live
// lease holds, at most limit of them (0: no limit; those free longest
// first), and returns them in name order. Sources another replica is
// claiming at this instant are skipped, not waited for (FOR UPDATE SKIP
// LOCKED), so replicas claiming together get disjoint sets without
// queueing. A source already leased to replica is not returned again.
//
// A call's cost grows with len(due): a cycle should pass the due names
// in chunks about the size its idle workers can take (each replica
// starting at its own place in the list and going round), rather than
// the whole list to every call.
func (s *Store) ClaimSources(ctx context.Context, replica string, due []string, ttl time.Duration, limit int) ([]string, error) {
	if replica == "" || ttl <= 0 || limit < 0 {
		return nil, fmt.Errorf("claim sources in state %s: replica %q, lease %s, limit %d: want a name, a positive lease and a limit of 0 or more", s.where, replica, ttl, limit)
	}
	if len(due) == 0 {
		return nil, nil
	}
	claimed, err := claimLeases(ctx, s, sourceLeases, replica, due, ttl, limit, "", pgx.RowTo[string])
	slices.Sort(claimed)
	return claimed, err
}

// leaseTable is a table of leases: its name and its key column. Both are
// constants of this package, never input, so they are put into the SQL.
type leaseTable struct{ name, key string }

var (
	sourceLeases = leaseTable{"source_leases", "name"}
	hostLeases   = leaseTable{"host_leases", "host"}
)

// claimLeases is the claim of ClaimSources and ClaimHosts: it leases to
// replica, for ttl, at most limit (0: no limit) of keys that no live lease
// of t holds, those free longest first, and returns each claimed row's
// key, followed by the columns in also, read by scan, in no set order.
func claimLeases[T any](ctx context.Context, s *Store, t leaseTable, replica string, keys []string, ttl time.Duration, limit int, also string, scan pgx.RowToFunc[T]) ([]T, error) {
	keys = slices.Sorted(slices.Values(keys))
	// Rows first, in their own transaction, so the claim below sees every
	// key; sorted, so replicas adding the same keys queue on the first
	// instead of deadlocking. The anti-join skips the keys already there
	// (every one, after a source's first cycle) in one pass, where ON
	// CONFLICT alone would take the conflict path for each.
	//
	// The claim locks the free rows, then updates them by key through the
	// primary key (= ANY(ARRAY(…))), where joining the locked rows back to
	// the table would read the whole table each time.
	if _, err := s.pool.Exec(ctx, fmt.Sprintf(`INSERT INTO %[1]s (%[2]s)
		SELECT k FROM unnest($1::text[]) AS k
		WHERE NOT EXISTS (SELECT 1 FROM %[1]s l WHERE l.%[2]s = k)
		ORDER BY k ON CONFLICT (%[2]s) DO NOTHING`, t.name, t.key), keys); err != nil {
		return nil, s.fail("add "+strings.ReplaceAll(t.name, "_", " "), err)
	}
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`WITH clock AS (SELECT coalesce($3::timestamptz, clock_timestamp()) AS now),
		free AS (
			SELECT l.%[2]s FROM %[1]s l, clock
			WHERE l.%[2]s = ANY($1::text[]) AND l.expires_at <= clock.now
			ORDER BY l.expires_at LIMIT $5
			FOR UPDATE OF l SKIP LOCKED)
		UPDATE %[1]s l SET holder = $2,
			expires_at = (SELECT now FROM clock) + $4 * interval '1 microsecond'
		WHERE l.%[2]s = ANY(ARRAY(SELECT %[2]s FROM free))
		RETURNING l.%[2]s%[3]s`, t.name, t.key, also), keys, replica, s.leaseNow(), microseconds(ttl), lim)
	what := fmt.Sprintf("claim %s for %s", strings.TrimSuffix(t.name, "_leases")+"s", replica)
	if err != nil {
		return nil, s.fail(what, err)
	}
	claimed, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, s.fail(what, err)
	}
	if len(claimed) == 0 {
		return nil, nil
	}
	return claimed, nil
}

// RenewSources extends by ttl the leases replica still holds among
// names, and returns those; a lease that expired is lost even if nobody
// took it yet, so a replica learns at once that it must stop.
func (s *Store) RenewSources(ctx context.Context, replica string, names []string, ttl time.Duration) ([]string, error) {
	rows, err := s.pool.Query(ctx, `WITH clock AS (SELECT coalesce($3::timestamptz, clock_timestamp()) AS now)
		UPDATE source_leases l SET expires_at = clock.now + $4 * interval '1 microsecond'
		FROM clock WHERE l.holder = $1 AND l.name = ANY($2::text[]) AND l.expires_at > clock.now
		RETURNING l.name`, replica, names, s.leaseNow(), microseconds(ttl))
	if err == nil {
		var renewed []string
		if renewed, err = pgx.CollectRows(rows, pgx.RowTo[string]); err == nil && len(renewed) > 0 {
			slices.Sort(renewed)
			return renewed, nil
		}
		if err == nil {
			return nil, nil
		}
	}
	return nil, s.fail(fmt.Sprintf("renew source leases of %s", replica), err)
}

// ReleaseSources ends replica's live leases among names. With a zero
// until the sources are free at once (not fetched: another replica may
// take them this cycle); otherwise they stay off limits until until,
// as a source fetched this cycle is not due again before the next.
// until is read on the replica's clock and compared with the
// database's: set it a little before the next cycle's start, by more
// than the clocks may differ.
func (s *Store) ReleaseSources(ctx context.Context, replica string, names []string, until time.Time) error {
	_, err := s.pool.Exec(ctx, `WITH clock AS (SELECT coalesce($3::timestamptz, clock_timestamp()) AS now)
		UPDATE source_leases l SET expires_at = coalesce($4::timestamptz, clock.now)
		FROM clock WHERE l.holder = $1 AND l.name = ANY($2::text[]) AND l.expires_at > clock.now`,
		replica, names, s.leaseNow(), toDB(until))
	if err != nil {
		return s.fail(fmt.Sprintf("release source leases of %s", replica), err)
	}
	return nil
}
