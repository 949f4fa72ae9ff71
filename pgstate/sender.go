package pgstate

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// The sender lock lets one replica at a time assemble and deliver
// digests. It is a session-level advisory lock (pg_try_advisory_lock) on
// a connection of its own, not a lease row, because a killed holder's
// connection closes with its process and the server releases the lock
// at once: the next replica takes over on its next try, with no lease to
// wait out and no clock involved. The cost is that the lock lives
// exactly as long as that connection: the holder checks it (Check)
// before each send, a connection pooler must run in session mode, and a
// holder whose machine vanishes without closing its socket is noticed
// by TCP keepalives, which the connection asks the server to send every
// few seconds (below), instead of hours later.

// senderLock is the advisory lock key of the sender ("sender" in ASCII);
// advisory locks are per database, so installations sharing a server
// do not contend.
const senderLock int64 = 0x73656e646572

// senderAppPrefix marks the sender's connection in pg_stat_activity, so
// SenderHolder can name the replica.
const senderAppPrefix = "watcher sender "

// ErrSenderLost is wrapped by Sender.Check when the lock's connection is
// gone, and with it the lock: stop sending.
var ErrSenderLost = errors.New("sender lock lost")

// Sender is the held sender lock.
type Sender struct {
	mu      sync.Mutex // a pgx.Conn takes one call at a time
	conn    *pgx.Conn
	replica string
	where   string
}

// AcquireSender tries once to take the sender lock for replica. It
// returns nil and no error when another replica holds it.
func (s *Store) AcquireSender(ctx context.Context, replica string) (*Sender, error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = senderAppPrefix + replica
	// Server-side keepalives on this session: a holder gone without a
	// FIN (machine lost) is dropped, and its lock freed, in about
	// 5 + 3×5 seconds instead of the system default of two hours.
	cfg.RuntimeParams["tcp_keepalives_idle"] = "5"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "5"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, s.fail("connect for the sender lock", err)
	}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", senderLock).Scan(&got); err != nil {
		_ = conn.Close(ctx)
		return nil, s.fail("take the sender lock", err)
	}
	if !got {
		_ = conn.Close(ctx)
		return nil, nil
	}
	return &Sender{conn: conn, replica: replica, where: s.where}, nil
}

// Check confirms the lock is still held, by a round trip on its
// connection; an error wraps ErrSenderLost.
func (l *Sender) Check(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.conn.Ping(ctx); err != nil {
		return fmt.Errorf("check sender lock of %s in state %s: %w: %w", l.replica, l.where, ErrSenderLost, err)
	}
	return nil
}

// Release gives the lock up, then closes its connection. The unlock is
// explicit so that the lock is free when Release returns; the server
// ends a closed session a moment later.
func (l *Sender) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var unlocked bool
	err := l.conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", senderLock).Scan(&unlocked)
	if closeErr := l.conn.Close(ctx); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("release sender lock of %s in state %s: %w", l.replica, l.where, err)
	}
	return nil
}

// SenderHolder names the replica holding the sender lock, and false if
// none does. A bigint advisory key shows in pg_locks as its high and low
// 32 bits (classid, objid) with objsubid 1.
func (s *Store) SenderHolder(ctx context.Context) (string, bool, error) {
	var app string
	err := s.pool.QueryRow(ctx, `SELECT a.application_name FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND l.classid::bigint = $1::bigint >> 32 AND l.objid::bigint = $1::bigint & 4294967295`, senderLock).Scan(&app)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, s.fail("look up the sender lock's holder", err)
	}
	return app[min(len(senderAppPrefix), len(app)):], true, nil
}
