package pgstate

import (
	"context"
	"fmt"
	"time"
)

// ReserveHost reserves the next request slot for host, gap after the
// slot before it, and returns how long to wait before the request may
// start (zero when the host is free). Every replica reserves through the
// same row, so a host's pace holds across replicas; the row lock makes
// concurrent reservations queue, each getting the slot after the last.
// One round trip per request: for the per-host delays of seconds that
// politeness asks, not for a high-rate limiter.
func (s *Store) ReserveHost(ctx context.Context, host string, gap time.Duration) (time.Duration, error) {
	var waitMicros int64
	err := s.pool.QueryRow(ctx, `WITH clock AS (SELECT coalesce($2::timestamptz, clock_timestamp()) AS now)
		INSERT INTO host_slots AS h (host, next_at)
		SELECT $1, clock.now + $3 * interval '1 microsecond' FROM clock
		ON CONFLICT (host) DO UPDATE
			SET next_at = greatest(h.next_at, (SELECT now FROM clock)) + $3 * interval '1 microsecond'
		RETURNING (extract(epoch FROM h.next_at - (SELECT now FROM clock)) * 1000000)::bigint - $3`,
		host, s.leaseNow(), microseconds(gap)).Scan(&waitMicros)
	if err != nil {
		return 0, s.fail(fmt.Sprintf("reserve a request slot for host %q", host), err)
	}
	return time.Duration(max(waitMicros, 0)) * time.Microsecond, nil
}
