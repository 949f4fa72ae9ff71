package config

import (
	"testing"
	"time"
)

// TestShippedConfig loads the repository's config.yaml, which must stay
// valid as the topics are tuned.
func TestShippedConfig(t *testing.T) {
	c, err := Load("../config.yaml", Options{Getenv: noEnv})
	if err != nil {
		t.Fatalf("shipped config: %v", err)
	}
	if len(c.Sources) < 10 {
		t.Errorf("got %d sources, want the shipped list (at least 10)", len(c.Sources))
	}
	if len(c.Topics) == 0 {
		t.Error("got no topics")
	}
	if c.Retention != 2160*time.Hour || c.Fetch.MaxBody != 10<<20 {
		t.Errorf("retention %s, max_body %d: want 2160h and 10MiB", c.Retention, c.Fetch.MaxBody)
	}
	if len(c.Alerts.Webhooks)+len(c.Alerts.Emails) != 0 {
		t.Errorf("got alerts %+v, want none (digests to stdout)", c.Alerts)
	}
}

// noEnv is an environment with nothing set.
func noEnv(string) (string, bool) { return "", false }
