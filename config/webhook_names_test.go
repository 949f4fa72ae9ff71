package config

import (
	"strings"
	"testing"
)

// TestWebhooksOnOneHost: two unnamed webhooks on one host with different
// paths (two channels of one chat server, two routes of one receiver) are
// two sinks; the same URL twice is an error, and the error does not show
// the path, which may hold a token.
func TestWebhooksOnOneHost(t *testing.T) {
	t.Parallel()
	base := "topics:\n  - id: t\n    title: T\n    query: AZAL\nalerts:\n  webhook:\n"
	c, err := Parse([]byte(base+"    - url: https://hooks.example.org/desk-token\n    - url: https://hooks.example.org/night-token\n"), "hooks.yaml", Options{})
	if err != nil {
		t.Fatalf("two webhooks on one host: %v", err)
	}
	if len(c.Alerts.Webhooks) != 2 {
		t.Fatalf("webhooks = %+v, want two", c.Alerts.Webhooks)
	}
	_, err = Parse([]byte(base+"    - url: https://hooks.example.org/desk-token\n    - url: https://hooks.example.org/desk-token\n"), "hooks.yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), "hooks.yaml:8:") || !strings.Contains(err.Error(), "same URL") {
		t.Fatalf("the same URL twice: %v; want an error at line 8", err)
	}
	if strings.Contains(err.Error(), "desk-token") {
		t.Errorf("the error shows the URL's path: %v", err)
	}
}
