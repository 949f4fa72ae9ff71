package config

import (
	"strings"
	"testing"
)

// TestSyntaxErrorsHaveLines: the problems go-yaml reports without a
// position (bytes that are not UTF-8, control characters, an alias to no
// anchor) still name their line. Built in code, not testdata files, since
// the bad bytes are the point and editors would "fix" them.
func TestSyntaxErrorsHaveLines(t *testing.T) {
	t.Parallel()
	const head = "sources:\n  - name: tass.ru\n    feed: https://tass.ru/rss/v2.xml\ntopics:\n  - id: azal\n    title: AZAL\n"
	tests := []struct {
		name string
		data string
		want string
	}{
		{"invalid utf-8", head + "    query: \"AZAL \xff\xfe\"\n", "bad.yaml:7: yaml: the file is not valid UTF-8 (save it as UTF-8)"},
		{"windows-1251", head + "    query: \xc0\xc7\xc0\xcb\n", "bad.yaml:7: yaml: the file is not valid UTF-8 (save it as UTF-8)"},
		{"control character", head + "    query: AZAL\x01\n", "bad.yaml:7: yaml: control character U+0001 is not allowed"},
		{"escape character", "state: x.db\n" + head + "    query: \x1b[1mAZAL\n", "bad.yaml:8: yaml: control character U+001B is not allowed"},
		{"unknown anchor", head + "    query: AZAL\n    exclude: [*no_such, *nope]\n", "bad.yaml:8: yaml: unknown anchor 'no_such' referenced"},
		{"unknown anchor after a longer one", "x: &common_long 1\n" + head + "    query: *common\n", "bad.yaml:8: yaml: unknown anchor 'common' referenced"},
		{"excessive depth", head + "    query: AZAL\nfetch: " + strings.Repeat("[", 10001) + "\n", "bad.yaml:8: yaml: exceeded max depth of 10000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.data), "bad.yaml", Options{})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}

// TestPlainTextPortDefault: tls: none without a port gets port 25, as the
// mailer does, not 587, which the mailer refuses without STARTTLS.
func TestPlainTextPortDefault(t *testing.T) {
	t.Parallel()
	data := "topics:\n  - id: t\n    title: T\n    query: x\nalerts:\n  email:\n    - to: [desk@example.org]\n      from: w@example.org\n      smtp: { host: relay.example.org, tls: none }\n"
	c, err := Parse([]byte(data), "none.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Alerts.Emails[0].SMTP.Port; got != 25 {
		t.Errorf("port = %d, want 25", got)
	}
}
