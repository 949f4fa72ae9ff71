package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadStatePostgres checks a postgres:// state selects PostgreSQL,
// keeps the URL for the store, and that neither Redacted nor
// RedactState shows its password.
func TestLoadStatePostgres(t *testing.T) {
	c, err := Load("testdata/state_postgres.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !c.StatePostgres() {
		t.Errorf("StatePostgres() = false for %q", RedactState(c.State))
	}
	if !strings.Contains(c.State, "s3cret-pw") {
		t.Errorf("State lost its password; the store needs it to connect")
	}
	for name, out := range map[string]string{"Redacted": c.Redacted(), "RedactState": RedactState(c.State)} {
		if strings.Contains(out, "s3cret-pw") {
			t.Errorf("%s shows the password:\n%s", name, out)
		}
		if !strings.Contains(out, "watcher:xxxxx@db.example.org:5432/watcher") {
			t.Errorf("%s lost the rest of the URL:\n%s", name, out)
		}
	}
	c, err = Load("testdata/good_minimal.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.StatePostgres() || c.State != "watcher.db" {
		t.Errorf("default state = %q (postgres %v), want the bbolt file watcher.db", c.State, c.StatePostgres())
	}
}

// TestLoadStateErrors checks each bad state value is reported at its
// line, and that no message quotes a password.
func TestLoadStateErrors(t *testing.T) {
	tests := []struct {
		name, state, want string
	}{
		{"no host", "postgres:///watcher", "PostgreSQL URL names no host (expected postgres://user@host/database)"},
		{"no database", "postgresql://watcher:hunter2@db.example.org", "PostgreSQL URL names no database (expected postgres://user@host/database)"},
		{"bad escape", "postgres://watcher:hun%zzter2@db/watcher", "not a valid PostgreSQL URL (expected postgres://user@host/database?sslmode=...)"},
		{"other scheme", "mysql://watcher:hunter2@db/watcher", `scheme "mysql" is not supported (use a file path, or postgres://user@host/database)`},
		{"empty", `""`, "must name a file or a postgres:// URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			body := "topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\nstate: " + tc.state + "\n"
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, testOptions())
			if err == nil {
				t.Fatalf("state %s: no error", tc.state)
			}
			if want := path + ":5: state: " + tc.want; err.Error() != want {
				t.Errorf("got  %s\nwant %s", err, want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun%zz") {
				t.Errorf("error shows the password: %s", err)
			}
		})
	}
}
