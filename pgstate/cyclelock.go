package pgstate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The cycle lock keeps watchers that were not named replicas from running
// cycles beside each other, or beside replicas, on one database. Watchers
// alone take it exclusively, as each takes the bbolt file's lock for its
// cycle: two of them on one database take turns instead of both fetching
// every source and both sending every digest. Replicas take it shared:
// they run side by side, sharing the work through leases, but never
// beside a watcher alone, which would fetch and send what they do. Like
// the sender lock it is a session-level advisory lock on a connection of
// its own, freed by the server when its holder dies.

// cycleLock is the advisory lock key of cycles ("cycle" in ASCII).
const cycleLock int64 = 0x6379636c65

// cycleAppPrefix marks a cycle's lock connection in pg_stat_activity,
// so that a watcher kept waiting can name the one it waits for.
const cycleAppPrefix = "watcher cycle "

// ErrCycleBusy is wrapped by LockCycle when the wait ran out.
var ErrCycleBusy = errors.New("another watcher is running a cycle on this database")

// CycleLock is a held cycle lock.
type CycleLock struct {
	conn *pgx.Conn
}

// LockCycle takes the cycle lock, exclusively for a watcher alone
// (replica ""), shared for a replica, waiting up to wait for it.
func (s *Store) LockCycle(ctx context.Context, replica string, wait time.Duration) (*CycleLock, error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	who := "(alone)"
	fn := "pg_try_advisory_lock"
	if replica != "" {
		who, fn = "replica "+replica, "pg_try_advisory_lock_shared"
	}
	cfg.RuntimeParams["application_name"] = cycleAppPrefix + who
	cfg.RuntimeParams["tcp_keepalives_idle"] = "5"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "5"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, s.fail("connect for the cycle lock", err)
	}
	deadline := time.Now().Add(wait)
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT "+fn+"($1)", cycleLock).Scan(&got); err != nil {
			_ = conn.Close(ctx)
			return nil, s.fail("take the cycle lock", err)
		}
		if got {
			return &CycleLock{conn: conn}, nil
		}
		if !time.Now().Before(deadline) {
			holders := s.cycleHolders(ctx, conn)
			_ = conn.Close(ctx)
			if replica == "" {
				return nil, fmt.Errorf("state %s: %w (%s), still after %s: run one watcher alone on a database at a time, or each of several with its own --replica NAME", s.where, ErrCycleBusy, holders, wait)
			}
			return nil, fmt.Errorf("state %s: %w without --replica (%s), still after %s: replicas do not run beside a watcher alone; give it a --replica NAME too", s.where, ErrCycleBusy, holders, wait)
		}
		t := time.NewTimer(min(250*time.Millisecond, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			_ = conn.Close(context.WithoutCancel(ctx))
			return nil, context.Cause(ctx)
		case <-t.C:
		}
	}
}

// cycleHolders names the watchers holding the cycle lock, for an error.
func (s *Store) cycleHolders(ctx context.Context, conn *pgx.Conn) string {
	rows, err := conn.Query(ctx, `SELECT a.application_name FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND l.classid::bigint = $1::bigint >> 32 AND l.objid::bigint = $1::bigint & 4294967295
		ORDER BY 1`, cycleLock)
	if err != nil {
		return "held"
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(names) == 0 {
		return "held"
	}
	for i, n := range names {
		names[i] = "watcher " + strings.TrimPrefix(n, cycleAppPrefix)
	}
	return "held by " + strings.Join(names, ", ")
}

// Release gives the lock up and closes its connection. The unlock is
// explicit so that the lock is free when Release returns; the server
// ends a closed session a moment later.
func (l *CycleLock) Release(ctx context.Context) error {
	_, err := l.conn.Exec(ctx, "SELECT pg_advisory_unlock_all()")
	if closeErr := l.conn.Close(ctx); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("release the cycle lock: %w", err)
	}
	return nil
}
