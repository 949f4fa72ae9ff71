package config

import (
	"strings"
	"testing"
)

// Secret values used by the testdata/secrets files. The environment one
// is full of YAML syntax and an unexpanded reference, to show that it is
// taken as it is and cannot break or re-enter the file.
const (
	envSecret   = `s3cr:t #{x}' "q ${HOME} $$ - [1]`
	envPassword = "pw-env-7Hq!"
	fileSecret  = "file-token-Zx9"
	litPassword = "lit-K2p"
	urlToken    = "hook-path-token"
)

// secretOptions loads with the secret environment.
func secretOptions() Options {
	env := map[string]string{"WEBHOOK_SECRET": envSecret, "SMTP_PASSWORD": envPassword}
	return Options{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
}

// TestSecretsLoadExactly checks secrets arrive unchanged from the
// environment, a file and the file itself, and Redacted shows none of them.
func TestSecretsLoadExactly(t *testing.T) {
	c, err := Load("testdata/secrets/valid.yaml", secretOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.Alerts.Webhooks[0].Secret, c.Alerts.Webhooks[1].Secret,
		c.Alerts.Emails[0].SMTP.Password, c.Alerts.Emails[1].SMTP.Password}
	want := []string{envSecret, fileSecret, envPassword, litPassword + "$pw"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("secret %d = %q, want %q", i, got[i], want[i])
		}
	}
	out := c.Redacted()
	for _, s := range []string{envSecret, fileSecret, envPassword, litPassword, urlToken} {
		if strings.Contains(out, s) {
			t.Errorf("Redacted() shows %q:\n%s", s, out)
		}
	}
	if n := strings.Count(out, redacted); n != 6 {
		t.Errorf("Redacted() has %d %s markers, want 6 (2 secrets, 2 passwords, 2 URL paths):\n%s", n, redacted, out)
	}
}

// TestSecretsNotInErrors puts secrets next to, and inside, bad values and
// checks that every error is reported without showing any of them.
func TestSecretsNotInErrors(t *testing.T) {
	_, err := Load("testdata/secrets/errors.yaml", secretOptions())
	if err == nil {
		t.Fatal("errors.yaml loaded, want errors")
	}
	msg := err.Error()
	for _, s := range []string{envSecret, "s3cr", fileSecret, envPassword, litPassword, urlToken} {
		if strings.Contains(msg, s) {
			t.Errorf("errors show %q:\n%s", s, msg)
		}
	}
	// The file's problems must all have been found, or the check above
	// would prove nothing.
	for _, key := range []string{
		":1: schedule: invalid cron schedule \"${WEBHOOK_SECRET}\"",
		":2: timezone: unknown time zone \"${SMTP_PASSWORD}\"",
		":6: sources[0].links: invalid CSS selector \"${WEBHOOK_SECRET}\"\n",
		":13: alerts.webhook[0].url: scheme must be http or https",
		":18: alerts.webhook[1].secret_file: give secret or secret_file, not both",
		":22: alerts.email[0].smtp.port: expected a whole number (got \"${SMTP_PASSWORD}\")",
		":22: alerts.email[0].smtp.tls: must be starttls, tls, opportunistic or none (got \"${SMTP_PASSWORD}\")",
		":25: alerts.email[1].smtp.password: unterminated ${",
		":28: alerts.email[2].smtp.password_file: give password or password_file, not both",
	} {
		if !strings.Contains(msg, key) {
			t.Errorf("errors lack %q:\n%s", key, msg)
		}
	}
	if n := len(splitErrors(err)); n != 9 {
		t.Errorf("got %d errors, want 9:\n%s", n, msg)
	}
}
