package pgstate

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

func appliedVersions(t *testing.T, url string) []int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestMigrateConcurrently starts three replicas on one empty database at
// once: the schema is applied once (a second CREATE TABLE would fail the
// loser's Open), and every replica can use it.
func TestMigrateConcurrently(t *testing.T) {
	url := server.NewDatabase(t)
	var wg sync.WaitGroup
	stores := make([]*Store, 3)
	errs := make([]error, 3)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), url, Options{MaxConns: 2}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Open: %v", i, err)
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	want := SchemaVersion()
	if got := appliedVersions(t, url); len(got) != want || got[len(got)-1] != want {
		t.Errorf("schema_migrations holds %v, want each of 1..%d once", got, want)
	}
	for i, s := range stores {
		if _, err := s.Sources(context.Background()); err != nil {
			t.Errorf("replica %d on the migrated schema: %v", i, err)
		}
	}
}

// TestMigrateIdempotent reopens a migrated database: nothing is applied
// again, and what was stored stays.
func TestMigrateIdempotent(t *testing.T) {
	url := server.NewDatabase(t)
	s := openURL(t, url, newClock())
	mustCommit(t, s, batchOf("apa", 3))
	_ = s.Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var before int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&before); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := migrate(ctx, tx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, %v; want nothing", applied, err)
	}
	_ = tx.Rollback(ctx)
	s = openURL(t, url, newClock())
	if got := seenSet(t, s, "apa", keys("apa", 0, 3)); len(got) != 3 {
		t.Errorf("%d of 3 seen keys after reopening", len(got))
	}
}

// TestMigrateRefusesNewer: a database migrated by a newer release is
// not touched by an older one.
func TestMigrateRefusesNewer(t *testing.T) {
	url := server.NewDatabase(t)
	_ = openURL(t, url, nil).Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')"); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, url, Options{})
	if err == nil {
		_ = s.Close()
		t.Fatal("Open accepted a database of a newer schema")
	}
	if want := "schema migration 999 (0999_future.sql), newer than this watcher's"; !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
}

func TestOpenRedactsPassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://watcher:hunter2@127.0.0.1:1/db?connect_timeout=1", Options{})
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "watcher:xxxxx@127.0.0.1:1/db") {
		t.Errorf("error = %q, want the URL with its password redacted", err)
	}
}
