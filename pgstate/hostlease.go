package pgstate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Host leases keep each host with one replica at a time. A replica
// claims a host before the host's sources (ClaimHosts, then
// ClaimSources for the sources of the hosts it got), so every source of
// a host is read by the same replica in a cycle and the host's
// politeness (requests in flight, pauses, the slow-down of a struggling
// host) is kept by one process, as it is by a watcher alone. A replica
// gives its hosts back when its crawl ends (ReleaseHosts), with any
// Retry-After pause the host asked for, which the next claimant takes
// over; a killed replica's hosts come free when the lease runs out, as
// its sources do.

// HostClaim is a host leased to a replica, with the pause (Retry-After)
// its previous holder handed over, or the zero time.
type HostClaim struct {
	Host        string
	PausedUntil time.Time
}

// ClaimHosts leases to replica, for ttl, at most limit (0: no limit) of
// hosts that no live lease holds, those free longest first, and returns
// them in host order. Hosts another replica is claiming at this instant
// are skipped, not waited for (FOR UPDATE SKIP LOCKED). A host already
// leased to replica is not returned again.
func (s *Store) ClaimHosts(ctx context.Context, replica string, hosts []string, ttl time.Duration, limit int) ([]HostClaim, error) {
	if replica == "" || ttl <= 0 || limit < 0 {
		return nil, fmt.Errorf("claim hosts in state %s: replica %q, lease %s, limit %d: want a name, a positive lease and a limit of 0 or more", s.where, replica, ttl, limit)
	}
	if len(hosts) == 0 {
		return nil, nil
	}
	claimed, err := claimLeases(ctx, s, hostLeases, replica, hosts, ttl, limit,
		", CASE WHEN l.paused_until > (SELECT now FROM clock) THEN l.paused_until END",
		func(r pgx.CollectableRow) (HostClaim, error) {
			var c HostClaim
			var paused *time.Time
			err := r.Scan(&c.Host, &paused)
			c.PausedUntil = fromDB(paused)
			return c, err
		})
	slices.SortFunc(claimed, func(a, b HostClaim) int { return strings.Compare(a.Host, b.Host) })
	return claimed, err
}

// ReleaseHosts frees at once the hosts replica still holds among
// released, each recording the pause it carries (the zero time: none),
// for the next replica that claims it.
func (s *Store) ReleaseHosts(ctx context.Context, replica string, released []HostClaim) error {
	if len(released) == 0 {
		return nil
	}
	hosts := make([]string, len(released))
	paused := make([]*time.Time, len(released))
	for i, c := range released {
		hosts[i], paused[i] = c.Host, toDB(c.PausedUntil)
	}
	_, err := s.pool.Exec(ctx, `WITH clock AS (SELECT coalesce($3::timestamptz, clock_timestamp()) AS now),
		r AS (SELECT * FROM unnest($2::text[], $4::timestamptz[]) AS r(host, paused_until))
		UPDATE host_leases l SET expires_at = clock.now, paused_until = r.paused_until
		FROM clock, r WHERE l.host = r.host AND l.holder = $1 AND l.expires_at > clock.now`,
		replica, hosts, s.leaseNow(), paused)
	if err != nil {
		return s.fail(fmt.Sprintf("release host leases of %s", replica), err)
	}
	return nil
}
