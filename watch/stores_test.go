package watch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/internal/pgtest"
	"github.com/watcher-news/watcher/pgstate"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// postgres is the PostgreSQL server of these tests, started by the first
// test that runs on it.
var postgres pgtest.Lazy

func TestMain(m *testing.M) {
	code := m.Run()
	if err := postgres.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// storeKind names a state store a test env runs on.
type storeKind string

const (
	boltStore storeKind = "bbolt"
	pgStore   storeKind = "postgres"
)

// envMaker builds an env (newEnv's arguments) on one kind of store.
type envMaker func(t *testing.T, cfgYAML string) *env

// onEachStore runs test once on a bbolt file and once on a PostgreSQL
// database (a fresh one, on the test server), each as a subtest: the
// cycle must mean the same on both.
func onEachStore(t *testing.T, test func(t *testing.T, newEnv envMaker)) {
	for _, kind := range []storeKind{boltStore, pgStore} {
		t.Run(string(kind), func(t *testing.T) {
			test(t, func(t *testing.T, cfgYAML string) *env {
				t.Helper()
				return newEnvOn(t, kind, "  timeout: 5s\n", cfgYAML)
			})
		})
	}
}

// stateFor is the state key of a new env: a file in dir, or the URL of a
// new database.
func stateFor(t *testing.T, kind storeKind, dir string) string {
	t.Helper()
	if kind == pgStore {
		return postgres.NewDatabase(t)
	}
	return filepath.Join(dir, "watcher.db")
}

// openTestStore opens the state cfg names on the fake clock, as
// cmd/watcher opens it on the real one, and closes it when the test ends.
func openTestStore(t *testing.T, cfg *config.Config, now func() time.Time) watch.Store {
	t.Helper()
	var store watch.Store
	if cfg.StatePostgres() {
		db, err := pgstate.Open(context.Background(), cfg.State, pgstate.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		store = watch.NewPGStore(context.Background(), db)
	} else {
		s, err := state.Open(cfg.State, state.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		store = s
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}
