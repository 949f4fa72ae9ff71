package config

import (
	"testing"
	"time"
)

// opsBase is a minimal valid file the daemon settings are added to.
const opsBase = "sources:\n  - name: a\n    feed: https://example.org/rss\ntopics:\n  - id: t\n    title: T\n    query: x\n"

// TestDaemonSettings: run_at_start and health.report_after default to the
// documented values (a first cycle at start; 6h) and can be set.
func TestDaemonSettings(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(opsBase), "ops.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.RunAtStart || c.Health.ReportAfter != 6*time.Hour {
		t.Errorf("defaults: run_at_start %v, health.report_after %s; want true, 6h", c.RunAtStart, c.Health.ReportAfter)
	}
	c, err = Parse([]byte(opsBase+"run_at_start: false\nhealth:\n  report_after: 90m\n"), "ops.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.RunAtStart || c.Health.ReportAfter != 90*time.Minute {
		t.Errorf("set: run_at_start %v, health.report_after %s; want false, 1h30m", c.RunAtStart, c.Health.ReportAfter)
	}
}

// TestDaemonSettingsErrors: bad values name their line and key.
func TestDaemonSettingsErrors(t *testing.T) {
	t.Parallel()
	data := opsBase + "run_at_start: soon\nhealth:\n  report_after: 0s\n  report_every: 1h\n"
	_, err := Parse([]byte(data), "ops.yaml", Options{})
	want := []string{
		"ops.yaml:8: run_at_start: expected true or false (got \"soon\")",
		"ops.yaml:10: health.report_after: must be greater than 0",
		"ops.yaml:11: health.report_every: unknown key",
	}
	got := splitErrors(err)
	if err == nil || len(got) != len(want) {
		t.Fatalf("errors:\n%v\nwant %q", err, want)
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("error %d:\n got: %s\nwant: %s", i, got[i], want[i])
		}
	}
}

// TestSinkNamed: a sink's name given in the file is its identity; one
// derived from its address is marked as such.
func TestSinkNamed(t *testing.T) {
	t.Parallel()
	data := opsBase + "alerts:\n  webhook:\n    - url: https://hooks.example.org/a\n    - name: desk\n      url: https://hooks.example.org/b\n" +
		"  email:\n    - to: [desk@example.org]\n      from: w@example.org\n      smtp: { host: smtp.example.org }\n"
	c, err := Parse([]byte(data), "ops.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Alerts.Webhooks; w[0].Named || w[0].Name != "webhook hooks.example.org" || !w[1].Named || w[1].Name != "desk" {
		t.Errorf("webhooks = %+v", w)
	}
	if e := c.Alerts.Emails[0]; e.Named {
		t.Errorf("email = %+v, want Named false", e)
	}
}
