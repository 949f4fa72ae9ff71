package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/internal/pgtest"
	"github.com/watcher-news/watcher/pgstate"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// The end-to-end suite runs on either store. WATCHER_TEST_STATE=postgres
// gives every configuration a test writes (writeConfig, writeConfigAt) a
// database of its own as its state, in place of the bbolt file it names;
// unset, or "bbolt", the configurations keep their files. A test whose
// state is a postgres:// URL already keeps it; one about the file itself
// (its lock, its bytes) calls fileStateOnly, which skips it in the
// PostgreSQL pass.
const testStateEnv = "WATCHER_TEST_STATE"

// errSkipPass is the cause of a PostgreSQL pass skipped whole.
var errSkipPass = errors.New("the PostgreSQL pass of the end-to-end suite is skipped")

// onPostgres is true in the PostgreSQL pass; TestMain sets it.
var onPostgres bool

// setTestStore reads WATCHER_TEST_STATE. The PostgreSQL pass needs a
// server: a pass that cannot start one fails rather than skipping every
// test (or running them on files).
func setTestStore() error {
	switch v := os.Getenv(testStateEnv); v {
	case "", "bbolt":
	case "postgres":
		if err := pgtest.Installed(); err != nil && os.Getenv(pgtest.RequireEnv) != "1" {
			// A machine without the server binaries (make test on a
			// fresh machine) skips the pass as a whole, saying so; CI,
			// which installs them, sets the variable and fails instead.
			return fmt.Errorf("%w: %w (apt-get install postgresql, or set %s=1 to fail instead)", errSkipPass, err, pgtest.RequireEnv)
		}
		onPostgres = true
		if err := os.Setenv(pgtest.RequireEnv, "1"); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s=%q: want bbolt or postgres", testStateEnv, v)
	}
	return nil
}

// testDatabases holds the database of each configuration directory in the
// PostgreSQL pass, so that a test rewriting its configuration keeps its
// state, as it would keep the file beside it.
var testDatabases struct {
	sync.Mutex
	byDir map[string]string
}

// databaseFor returns dir's database, made on first use and dropped when
// the test ends.
func databaseFor(t testing.TB, dir string) string {
	t.Helper()
	dir = filepath.Clean(dir)
	testDatabases.Lock()
	url, ok := testDatabases.byDir[dir]
	testDatabases.Unlock()
	if ok {
		return url
	}
	url = postgres.NewDatabase(t)
	testDatabases.Lock()
	if testDatabases.byDir == nil {
		testDatabases.byDir = map[string]string{}
	}
	testDatabases.byDir[dir] = url
	testDatabases.Unlock()
	t.Cleanup(func() {
		testDatabases.Lock()
		delete(testDatabases.byDir, dir)
		testDatabases.Unlock()
		// A state file beside a configuration naming a database means a
		// run read another configuration: the test was not on PostgreSQL.
		if files, _ := filepath.Glob(filepath.Join(dir, "*.db")); len(files) > 0 {
			t.Errorf("the PostgreSQL pass left bbolt state files %v", files)
		}
	})
	return url
}

// stateLine is a top-level state key.
var stateLine = regexp.MustCompile(`(?m)^state:[^\n]*$`)

// onTestStore returns cfg, the configuration to be written into dir,
// with its state on the pass's store: in the PostgreSQL pass a state key
// naming a file becomes dir's database, on the same line (tests check
// messages by line). A postgres:// state stays, and so does a
// configuration without a state key, on the default file: only the
// tests of commands that read no state (check, match, sources,
// test-sink) write one, and TestReplicaNeedsPostgres, about the default.
func onTestStore(t testing.TB, dir, cfg string) string {
	t.Helper()
	m := stateLine.FindString(cfg)
	if !onPostgres || m == "" {
		return cfg
	}
	v := strings.Trim(strings.TrimSpace(strings.TrimPrefix(m, "state:")), `"'`)
	if config.IsPostgresURL(v) {
		return cfg
	}
	return stateLine.ReplaceAllLiteralString(cfg, "state: "+databaseFor(t, dir))
}

// writeConfig writes a configuration file into dir, its state on the
// pass's store.
func writeConfig(t testing.TB, dir, cfg string) {
	t.Helper()
	writeConfigAt(t, filepath.Join(dir, "config.yaml"), cfg)
}

// writeConfigAt is writeConfig for a file of another name; the
// configurations of one directory share one state.
func writeConfigAt(t testing.TB, path, cfg string) {
	t.Helper()
	writeFile(t, path, onTestStore(t, filepath.Dir(path), cfg))
}

// configuredState is the state key of dir's config.yaml as written,
// watcher.db when it has none.
func configuredState(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "config.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Only the state key is read: the rest may name variables this
	// process does not have.
	var top struct {
		State string `yaml:"state"`
	}
	if err := yaml.Unmarshal(data, &top); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if s := strings.TrimSpace(top.State); s != "" {
		return s
	}
	return "watcher.db"
}

// stateOf is the state of dir's configuration as the watcher run in dir
// resolves it: a postgres:// URL, or the file's path.
func stateOf(t testing.TB, dir string) string {
	t.Helper()
	s := configuredState(t, dir)
	if config.IsPostgresURL(s) || filepath.IsAbs(s) {
		return s
	}
	return filepath.Join(dir, s)
}

// stateShown is how the watcher names the state of dir's configuration
// (in "state …" of `watcher status`): the file as the configuration
// writes it, or the database without its password.
func stateShown(t testing.TB, dir string) string {
	t.Helper()
	s := configuredState(t, dir)
	if config.IsPostgresURL(s) {
		return pgstate.Redact(s)
	}
	return s
}

// openTestStore opens the state of dir's configuration, whichever store
// it is, with now as its clock (nil: the real one), and closes it when
// the test ends. A file must not be held by a running watcher.
func openTestStore(t testing.TB, dir string, now func() time.Time) watch.Store {
	t.Helper()
	return openStateAt(t, stateOf(t, dir), now)
}

// openStateAt opens the state s names (a file or a postgres:// URL).
func openStateAt(t testing.TB, s string, now func() time.Time) watch.Store {
	t.Helper()
	var store watch.Store
	if config.IsPostgresURL(s) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db, err := pgstate.Open(ctx, s, pgstate.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		store = watch.NewPGStore(context.Background(), db)
	} else {
		st, err := state.Open(s, state.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		store = st
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// fileStateOnly skips t in the PostgreSQL pass, for a test about the
// bbolt file itself (why says what of it), which that pass would run on
// the file again.
func fileStateOnly(t testing.TB, why string) {
	t.Helper()
	if onPostgres {
		t.Skip("about the bbolt state file: " + why)
	}
}
