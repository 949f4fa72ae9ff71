package config

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// StatePostgres reports whether the state key names a PostgreSQL
// database (postgres:// or postgresql://) rather than a bbolt file.
func (c *Config) StatePostgres() bool { return IsPostgresURL(c.State) }

// IsPostgresURL reports whether s is a postgres:// or postgresql:// URL.
func IsPostgresURL(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

// RedactState returns the state key with any password in it replaced by
// "xxxxx" (in the user part or a password= parameter), for messages and
// logs. A file path comes back unchanged.
func RedactState(s string) string {
	if !IsPostgresURL(s) {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(PostgreSQL URL)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// state decodes the state key: a bbolt file path, or a PostgreSQL URL
// (postgres://user@host/db?sslmode=...), checked here so that a typo is
// reported at its line rather than when the first cycle connects. No
// message quotes the value, which may hold a password.
func (d *decoder) state(dst *string) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		s = strings.TrimSpace(s)
		*dst = s
		if problem := stateProblem(s); problem != "" {
			d.errorf(n, key, "%s", problem)
		}
	}
}

// stateProblem says what is wrong with a state value, or "".
func stateProblem(s string) string {
	if s == "" {
		return "must name a file or a postgres:// URL"
	}
	scheme, _, isURL := strings.Cut(s, "://")
	if !isURL {
		return ""
	}
	if !IsPostgresURL(s) {
		return "scheme " + quoteScheme(scheme) + " is not supported (use a file path, or postgres://user@host/database)"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		// url's errors quote the whole string, password and all.
		return "not a valid PostgreSQL URL (expected postgres://user@host/database?sslmode=...)"
	case u.Host == "" && !u.Query().Has("host"):
		return "PostgreSQL URL names no host (expected postgres://user@host/database)"
	case strings.Trim(u.Path, "/") == "" && !u.Query().Has("dbname"):
		return "PostgreSQL URL names no database (expected postgres://user@host/database)"
	}
	return ""
}

// quoteScheme quotes a scheme for a message, short and without what follows it.
func quoteScheme(s string) string {
	if len(s) > 20 {
		s = s[:20] + "…"
	}
	return `"` + s + `"`
}
