package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadDigest: the top-level digest and templates apply to every sink
// without its own; a sink's own replace them whole (digest: {} means a
// digest per crawl); template paths are relative to the file.
func TestLoadDigest(t *testing.T) {
	c, err := Load("testdata/good_digest.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	top := c.Digest
	if top == nil || top.Schedule != "0 8 * * *" || strings.Join(top.Immediate, ",") != "azal-compensation" ||
		top.QuietHours == nil || top.QuietHours.FromMinute != 22*60 || top.QuietHours.ToMinute != 7*60+30 || top.Line != 13 {
		t.Fatalf("digest = %+v", top)
	}
	abs, _ := filepath.Abs("testdata/templates/desk.txt.tmpl")
	rel := filepath.Join("testdata", "templates", "desk.txt.tmpl")
	if c.Templates == nil || (c.Templates.Text != rel && c.Templates.Text != abs) || c.Templates.HTML != "" {
		t.Errorf("templates = %+v, want text %s", c.Templates, rel)
	}
	hookDigest, hookTmpl := c.PolicyFor(c.Alerts.Webhooks[0].SinkPolicy)
	if hookDigest == nil || hookDigest.Schedule != "" || len(hookDigest.Immediate) != 0 || hookDigest.QuietHours != nil || hookTmpl != c.Templates {
		t.Errorf("webhook with digest: {} = %+v, %+v; want a digest per crawl and the top-level templates", hookDigest, hookTmpl)
	}
	if d, tm := c.PolicyFor(c.Alerts.Emails[0].SinkPolicy); d != top || tm != c.Templates {
		t.Errorf("email without its own = %+v, %+v; want the top-level ones", d, tm)
	}
	night, nightTmpl := c.PolicyFor(c.Alerts.Emails[1].SinkPolicy)
	if night.Schedule != "30 6 * * 1-5" || strings.Join(night.Immediate, ",") != "sputnik-detainees" || night.QuietHours != nil {
		t.Errorf("night desk digest = %+v", night)
	}
	if nightTmpl.HTML != filepath.Join("testdata", "templates", "broken.html.tmpl") {
		t.Errorf("night desk templates = %+v", nightTmpl)
	}
}

// TestLoadDigestErrors: every problem of the digest and templates keys,
// with its line, and the template parser's own file and line.
func TestLoadDigestErrors(t *testing.T) {
	opts := testOptions()
	// The real check (alert.ValidateTemplate) cannot be imported here;
	// this one stands in as ValidateQuery's does, reporting the template's
	// own file and line as the real parser does.
	opts.ValidateTemplate = func(kind, path string) error {
		if strings.HasSuffix(path, "broken.html.tmpl") {
			return errors.New("template: " + path + ":2: unexpected \"}\" in end")
		}
		return nil
	}
	_, err := Load("testdata/bad_digest.yaml", opts)
	want := []string{
		`testdata/bad_digest.yaml:6: digest.schedule: invalid cron schedule "every morning": expected exactly 5 fields, found 2: [every morning] (use 5 fields such as "0 8 * * *")`,
		`testdata/bad_digest.yaml:7: digest.immediate[1]: no topic has id "azl"`,
		`testdata/bad_digest.yaml:8: digest.quiet_hours.from: expected a time of day such as 22:00 (got "22h")`,
		`testdata/bad_digest.yaml:9: digest.often: unknown key`,
		`testdata/bad_digest.yaml:11: templates.text: read template: stat testdata/templates/missing.txt.tmpl: no such file or directory`,
		`testdata/bad_digest.yaml:16: alerts.webhook[0].digest.quiet_hours.to: must differ from from (07:00): a window of no time, or of all day, is not quiet hours`,
		`testdata/bad_digest.yaml:17: alerts.webhook[0].digest.immediate[0]: no topic has id "nope"`,
		`testdata/bad_digest.yaml:18: alerts.webhook[0].templates: a webhook sink is not templated: templates apply to email and to standard output`,
		`testdata/bad_digest.yaml:18: alerts.webhook[0].templates.css: unknown key`,
		`testdata/bad_digest.yaml:18: alerts.webhook[0].templates.html: template: testdata/templates/broken.html.tmpl:2: unexpected "}" in end`,
	}
	got := splitErrors(err)
	if len(got) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v", len(got), len(want), err)
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i].Error() != want[i] {
			t.Errorf("error %d:\n got: %s\nwant: %s", i, got[i], want[i])
		}
	}
}

// TestQuietHoursContains: a window across midnight, and one within a day,
// in the configured zone; From is inside, To is not.
func TestQuietHoursContains(t *testing.T) {
	baku := time.FixedZone("Baku", 4*3600)
	night := &QuietHours{FromMinute: 22 * 60, ToMinute: 7 * 60}
	lunch := &QuietHours{FromMinute: 12 * 60, ToMinute: 13 * 60}
	for _, tc := range []struct {
		name string
		q    *QuietHours
		at   string // UTC
		want bool
	}{
		{"night starts at from", night, "2025-07-01T18:00:00Z", true}, // 22:00 in Baku
		{"before night", night, "2025-07-01T17:59:00Z", false},
		{"after midnight", night, "2025-07-01T22:30:00Z", true},
		{"night ends at to", night, "2025-07-02T03:00:00Z", false}, // 07:00 in Baku
		{"lunch", lunch, "2025-07-01T08:30:00Z", true},
		{"after lunch", lunch, "2025-07-01T09:00:00Z", false},
		{"no quiet hours", nil, "2025-07-01T20:00:00Z", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tc.at)
			if got := tc.q.Contains(at, baku); got != tc.want {
				t.Errorf("Contains(%s) = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
}

// TestDigestRedactedRoundTrip: Redacted keeps the digest keys, a sink's
// empty digest: {} included (it means a digest per crawl, not the
// top-level schedule).
func TestDigestRedactedRoundTrip(t *testing.T) {
	c, err := Load("testdata/good_digest.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse([]byte(c.Redacted()), "redacted.yaml", testOptions())
	if err != nil {
		t.Fatalf("redacted output does not load: %v\n%s", err, c.Redacted())
	}
	if again.Digest == nil || again.Digest.Schedule != c.Digest.Schedule || *again.Digest.QuietHours != *c.Digest.QuietHours {
		t.Errorf("digest = %+v, want %+v", again.Digest, c.Digest)
	}
	if d := again.Alerts.Webhooks[0].Digest; d == nil || d.Schedule != "" {
		t.Errorf("webhook digest = %+v, want digest: {} kept", d)
	}
	if len(again.DigestPolicies()) != len(c.DigestPolicies()) {
		t.Errorf("%d digest keys, want %d", len(again.DigestPolicies()), len(c.DigestPolicies()))
	}
}
