package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/internal/pgtest"
	"github.com/watcher-news/watcher/pgstate"
)

// postgres is the PostgreSQL server of this package's tests, started by
// the first test that needs it (TestMain stops it).
var postgres pgtest.Lazy

// withPassword puts a password into a test database's URL. The test
// server trusts local connections, so the password is never checked:
// it is there to show that no output carries it.
func withPassword(url string) string {
	return strings.Replace(url, "postgres://postgres@", "postgres://postgres:pw-never-shown@", 1)
}

// pgConfig is a configuration over one feed with a PostgreSQL state and
// a webhook, shipped settings otherwise.
func pgConfig(state, feed, hook string) string {
	return "state: " + state + "\nsources:\n  - name: News\n    feed: " + feed + "\n" +
		"topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n" + webhookAlerts(hook, 3)
}

// TestOnceOnPostgres runs check, --once, status, preview and fetch with a
// postgres:// state: a first read alerts nothing, the next run delivers
// the new match once, a third delivers nothing again, the commands read
// what the cycles wrote, no file is made and no output shows the password.
func TestOnceOnPostgres(t *testing.T) {
	t.Parallel()
	url := withPassword(postgres.NewDatabase(t))
	feed := newNewsFeed(t)
	feed.add("1|AZAL resumes flights to Grozny")
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	writeConfig(t, dir, pgConfig(url, feed.url, hookURL))

	var outputs []string
	run := func(args ...string) result {
		t.Helper()
		r := watcher(t, dir, nil, args...)
		outputs = append(outputs, r.stdout, r.stderr)
		if r.code != exitOK {
			t.Fatalf("watcher %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return r
	}
	if r := run("check"); !strings.Contains(r.stdout+r.stderr, "postgres://postgres:xxxxx@127.0.0.1") {
		t.Errorf("check does not name the database (without its password):\n%s%s", r.stdout, r.stderr)
	}
	if r := run("--once"); summaryField(t, r.stderr, "sent") != "0" {
		t.Errorf("first read sent something:\n%s", r.stderr)
	}
	feed.add("2|AZAL orders new aircraft", "3|Weather in Baku")
	if r := run("--once"); summaryField(t, r.stderr, "new") != "2" || summaryField(t, r.stderr, "sent") != "1" {
		t.Errorf("second run: want new=2 sent=1:\n%s", r.stderr)
	}
	run("--once")
	items, ids, _ := hook.decode(t)
	if len(ids) != 1 || len(items) != 1 || items[0].URL != feed.link("2") {
		t.Errorf("webhook got digests %v with items %+v; want one digest with story 2", ids, items)
	}

	if r := run("status"); !strings.Contains(r.stdout, "News") || !strings.Contains(r.stdout, "127.0.0.1") {
		t.Errorf("status does not show the source and the database:\n%s", r.stdout)
	}
	if r := run("preview"); !strings.Contains(r.stdout, "AZAL orders new aircraft") {
		t.Errorf("preview does not show the digest delivered last:\n%s%s", r.stdout, r.stderr)
	}
	if row := lineWith(run("fetch", "News").stdout, feed.link("2")); !strings.HasPrefix(row, "seen ") {
		t.Errorf("fetch row of story 2 = %q, want seen", row)
	}

	if _, err := os.Stat(filepath.Join(dir, "watcher.db")); err == nil {
		t.Error("a bbolt file was made beside a postgres:// state")
	}
	for _, out := range outputs {
		if strings.Contains(out, "pw-never-shown") {
			t.Fatalf("the password appears in the output:\n%s", out)
		}
	}
	// The cycles' work is in the database itself.
	db, err := pgstate.Open(context.Background(), url, pgstate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Stats(context.Background())
	if err != nil || st.Seen != 3 {
		t.Errorf("database holds %d seen keys (%v), want 3", st.Seen, err)
	}
}

// TestPostgresUnreachable checks a database that does not answer fails
// the run with exit 1, naming the database but not the password.
func TestPostgresUnreachable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url := "postgres://watcher:pw-never-shown@127.0.0.1:" + freePort(t) + "/watcher?sslmode=disable&connect_timeout=2"
	feed := newNewsFeed(t)
	writeConfig(t, dir, pgConfig(url, feed.url, "http://127.0.0.1:1/hook"))
	for _, args := range [][]string{{"--once"}, {"status"}} {
		r := watcher(t, dir, nil, args...)
		if r.code != exitFailed {
			t.Errorf("watcher %s: exit %d, want %d\n%s", args[0], r.code, exitFailed, r.stderr)
		}
		if !strings.Contains(r.stderr, "watcher:xxxxx@127.0.0.1") || strings.Contains(r.stderr+r.stdout, "pw-never-shown") {
			t.Errorf("watcher %s: want the database named without its password:\n%s", args[0], r.stderr)
		}
	}
}

// TestDaemonOnPostgres runs the daemon on a postgres:// state: its cycles
// deliver a new match once, and `watcher status` reads the database while
// the daemon runs, without waiting for it.
func TestDaemonOnPostgres(t *testing.T) {
	t.Parallel()
	url := postgres.NewDatabase(t)
	feed := newNewsFeed(t)
	feed.add("1|AZAL resumes flights to Grozny")
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	// A one-second schedule, so that the test sees several cycles.
	writeConfig(t, dir, "schedule: \"@every 1s\"\n"+pgConfig(url, feed.url, hookURL))
	d := startDaemon(t, dir)
	d.waitFor(t, 30*time.Second, func(l string) bool { return strings.Contains(l, "cycle done") })
	feed.add("2|AZAL orders new aircraft")
	d.waitFor(t, 30*time.Second, func(l string) bool { return strings.Contains(l, "cycle done") && strings.Contains(l, "sent=1") })
	r := watcher(t, dir, nil, "status")
	if r.code != exitOK || !strings.Contains(r.stdout, "News") {
		t.Errorf("status beside the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	d.waitFor(t, 30*time.Second, func(l string) bool { return strings.Contains(l, "cycle done") })
	d.stop(t)
	if items, _, _ := hook.decode(t); len(items) != 1 || items[0].URL != feed.link("2") {
		t.Errorf("webhook got %+v; want story 2 once", items)
	}
}

// TestAloneRefusedBesideReplicas: a watcher run without --replica on a
// database whose replicas are in a cycle does not fetch or send beside
// them: it waits for them, then fails naming them and saying what to do.
// Once they are done it runs.
func TestAloneRefusedBesideReplicas(t *testing.T) {
	t.Parallel()
	url := postgres.NewDatabase(t)
	feed := newNewsFeed(t)
	feed.add("1|AZAL resumes flights to Grozny")
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	writeConfig(t, dir, pgConfig(url, feed.url, hookURL))
	db, err := pgstate.Open(context.Background(), url, pgstate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A replica's cycle, held by the test.
	l, err := db.LockCycle(context.Background(), "r7", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r := watcher(t, dir, nil, "--once")
	if r.code != exitFailed || !strings.Contains(r.stderr, "replica r7") || !strings.Contains(r.stderr, "--replica NAME") {
		t.Errorf("--once beside a replica: exit %d, want %d naming the replica and --replica:\n%s", r.code, exitFailed, r.stderr)
	}
	if n := feed.requests(); n != 0 {
		t.Errorf("the feed was fetched %d times by the refused run", n)
	}
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Errorf("--once after the replica's cycle: exit %d\n%s", r.code, r.stderr)
	}
	if _, ids, _ := hook.decode(t); len(ids) != 0 {
		t.Errorf("the first read sent %d digests", len(ids))
	}
}
