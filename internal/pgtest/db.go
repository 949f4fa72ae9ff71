package pgtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Main starts a server for a package's tests, runs them and stops it: call
// it from TestMain as os.Exit(pgtest.Main(m, &server)). Without the
// binaries *srv still gets a Server, whose NewDatabase skips the test,
// unless RequireEnv is set, when Main fails at once.
func Main(m *testing.M, srv **Server) int {
	// Listing tests (go test -list, as the Makefile's fuzz loop does)
	// needs no server.
	flag.Parse()
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		*srv = &Server{missing: errors.New("listing tests only")}
		return m.Run()
	}
	s, err := Start(context.Background())
	switch {
	case err == nil:
	case errors.Is(err, ErrNotInstalled) && os.Getenv(RequireEnv) != "1":
		s = &Server{missing: err}
	default:
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if errors.Is(err, ErrNotInstalled) {
			fmt.Fprintf(os.Stderr, "pgtest: %s=1, so the PostgreSQL tests may not skip\n", RequireEnv)
		}
		return 1
	}
	*srv = s
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// dbCounter numbers the databases NewDatabase makes. It is package-wide
// so that two servers in one binary never need to agree.
var dbCounter atomic.Int64

// NewDatabase creates an empty database (from template0, so nothing a
// previous test left in template1 leaks in) for this test alone, drops it
// when the test ends, and returns its connection string. Pools opened on
// it must be closed first: register their Close with t.Cleanup after
// calling NewDatabase, so they run before the drop.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	if s == nil {
		tb.Fatal("pgtest: no server; call pgtest.Main from TestMain")
	}
	if s.missing != nil {
		tb.Skipf("PostgreSQL tests skipped: %v (set %s=1 to make this a failure)", s.missing, RequireEnv)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbCounter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends sessions a test left open (a killed child's).
		if _, err := s.admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.URL(name)
}
