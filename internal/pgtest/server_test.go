package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

var server *Server

func TestMain(m *testing.M) { os.Exit(Main(m, &server)) }

// TestServer checks what the other packages rely on: the server listens
// on loopback, runs as someone other than root, and each test's database
// is its own and empty.
func TestServer(t *testing.T) {
	ctx := context.Background()
	var urls []string
	for range 2 {
		urls = append(urls, server.NewDatabase(t))
	}
	for i, url := range urls {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatalf("connect to %s: %v", url, err)
		}
		defer conn.Close(ctx)
		var listen, fsync string
		if err := conn.QueryRow(ctx, "SELECT current_setting('listen_addresses'), current_setting('fsync')").Scan(&listen, &fsync); err != nil {
			t.Fatal(err)
		}
		if listen != "127.0.0.1" || fsync != "off" {
			t.Errorf("listen_addresses=%q fsync=%q, want 127.0.0.1 and off", listen, fsync)
		}
		if i == 0 {
			if _, err := conn.Exec(ctx, "CREATE TABLE only_here (x int)"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'").Scan(&n); err != nil || n != 0 {
			t.Errorf("second database sees %d tables of the first (%v)", n, err)
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", server.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "Uid:" && fields[1] == "0" {
			t.Errorf("postgres runs as root: %s", line)
		}
	}
}

// TestNotInstalled: without the binaries Start says so, and a server
// standing for the missing one skips the tests that ask it for a
// database.
func TestNotInstalled(t *testing.T) {
	t.Setenv(BinEnv, t.TempDir())
	s, err := Start(context.Background())
	if !errors.Is(err, ErrNotInstalled) {
		_ = s.Stop()
		t.Fatalf("Start with an empty %s = %v, want ErrNotInstalled", BinEnv, err)
	}
	var sub *testing.T
	t.Run("database", func(t *testing.T) {
		sub = t
		(&Server{missing: err}).NewDatabase(t)
		t.Error("NewDatabase returned without a server")
	})
	if !sub.Skipped() {
		t.Error("a test asking a missing server for a database was not skipped")
	}
}

// TestLeftoversRemoved: a directory whose owner died (its lock free) is
// removed by the next Start; one whose owner lives (this package's
// server) is not.
func TestLeftoversRemoved(t *testing.T) {
	dead, err := os.MkdirTemp("", dirPattern)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := lockDir(dead)
	if err != nil {
		t.Fatal(err)
	}
	_ = lock.Close() // as the kernel does when the owner dies
	removeLeftovers()
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("a dead run's directory is still there (%v)", err)
		_ = os.RemoveAll(dead)
	}
	if server.missing != nil {
		return
	}
	if _, err := os.Stat(server.dir); err != nil {
		t.Errorf("the running server's directory was removed: %v", err)
	}
}

// TestCPUTime: the server's processor time is counted, and grows with
// work it is given.
func TestCPUTime(t *testing.T) {
	if server.missing != nil {
		t.Skip(server.missing)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, server.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	before, err := server.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	// Some tens of milliseconds of work at least, on any machine.
	if _, err := conn.Exec(ctx, "SELECT count(*) FROM generate_series(1, 3000000)"); err != nil {
		t.Fatal(err)
	}
	after, err := server.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("CPU time %s before a query, %s after: want it to grow", before, after)
	}
}
