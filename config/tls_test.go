package config

import "testing"

// TestDefaultTLS: STARTTLS is required by default, except for a relay on
// this machine, where it is used when offered.
func TestDefaultTLS(t *testing.T) {
	tests := []struct{ host, want string }{
		{"smtp.example.org", "starttls"},
		{"192.0.2.10", "starttls"},
		{"127.0.0.1", "opportunistic"},
		{"127.0.0.2", "opportunistic"},
		{"localhost", "opportunistic"},
		{"::1", "opportunistic"},
		{"[::1]", "opportunistic"},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			data := "sources:\n  - name: a\n    feed: https://example.org/rss\ntopics:\n  - id: t\n    title: T\n    query: x\n" +
				"alerts:\n  email:\n    - to: [desk@example.org]\n      from: watcher@example.org\n      smtp: { host: \"" + tc.host + "\", port: 2525 }\n"
			c, err := Parse([]byte(data), "tls.yaml", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Alerts.Emails[0].SMTP.TLS; got != tc.want {
				t.Errorf("tls = %q, want %q", got, tc.want)
			}
		})
	}
}
