package pgtest

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"
)

// Lazy is a server started by the first test that asks for a database,
// for a package whose tests mostly do not need one (so that running
// them with -run does not pay for initdb). Stop it from TestMain after
// m.Run. The zero value is ready to use.
type Lazy struct {
	once sync.Once
	srv  *Server
	err  error
}

// NewDatabase starts the server if it is not running yet, then returns a
// new database as Server.NewDatabase does. Without the binaries the test
// skips, unless RequireEnv is set, when it fails.
func (l *Lazy) NewDatabase(tb testing.TB) string {
	tb.Helper()
	l.once.Do(func() { l.srv, l.err = Start(context.Background()) })
	switch {
	case l.err == nil:
		return l.srv.NewDatabase(tb)
	case errors.Is(l.err, ErrNotInstalled) && os.Getenv(RequireEnv) != "1":
		tb.Skipf("PostgreSQL tests skipped: %v (set %s=1 to make this a failure)", l.err, RequireEnv)
	default:
		tb.Fatalf("pgtest: %v", l.err)
	}
	return ""
}

// Stop stops the server if one was started.
func (l *Lazy) Stop() error {
	if l.srv == nil {
		return nil
	}
	return l.srv.Stop()
}

// CPUTime is the started server's processor time (see Server.CPUTime).
func (l *Lazy) CPUTime() (time.Duration, error) {
	if l.srv == nil {
		return 0, errors.New("pgtest: no server started")
	}
	return l.srv.CPUTime()
}
