package pgstate

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The schema is the SQL files in migrations/, named NNNN_what.sql and
// applied in order. A file, once released, is never edited: a change is a
// new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key under which a watcher migrates:
// replicas started together queue on it, and the first applies what is
// missing while the others wait, then find nothing left to do. The number
// is arbitrary but fixed ("watcher" in ASCII).
const migrationLock int64 = 0x77617463686572

// migration is one schema file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded files in version order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: name must start with a version number and _", e.Name())
		}
		raw, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(raw)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migration files %s and %s share version %d", out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

// SchemaVersion is the newest schema this release knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies the migrations the database lacks, all in one
// transaction under the advisory lock (PostgreSQL's DDL is
// transactional): a watcher killed mid-way leaves the schema as it was.
// It returns the versions it applied. A database of a newer schema than
// this release knows is refused, and one whose applied file names differ
// from ours (another lineage) too.
func migrate(ctx context.Context, tx pgx.Tx) (applied []int, err error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
		return nil, fmt.Errorf("wait for the migration lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done, err := appliedMigrations(ctx, tx)
	if err != nil {
		return nil, err
	}
	known := make(map[int]string, len(ms))
	for _, m := range ms {
		known[m.version] = m.name
	}
	for v, name := range done {
		switch mine, ok := known[v]; {
		case !ok:
			return nil, fmt.Errorf("database has schema migration %d (%s), newer than this watcher's %d: it was migrated by a newer release", v, name, SchemaVersion())
		case mine != name:
			return nil, fmt.Errorf("database's schema migration %d is %s, this watcher's is %s", v, name, mine)
		}
	}
	for _, m := range ms {
		if _, ok := done[m.version]; ok {
			continue
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return nil, fmt.Errorf("apply schema migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
			return nil, fmt.Errorf("record schema migration %s: %w", m.name, err)
		}
		applied = append(applied, m.version)
	}
	return applied, nil
}

func appliedMigrations(ctx context.Context, tx pgx.Tx) (map[int]string, error) {
	rows, err := tx.Query(ctx, "SELECT version, name FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	done := map[int]string{}
	var v int
	var name string
	_, err = pgx.ForEachRow(rows, []any{&v, &name}, func() error { done[v] = name; return nil })
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return done, nil
}
