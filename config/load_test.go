package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// testEnv is the environment the testdata files are loaded with.
var testEnv = map[string]string{
	"WEBHOOK_SECRET": "whs-from-env",
	"SMTP_PASSWORD":  "smtp-from-env",
	"SMTP_PORT":      "2525",
}

// testOptions loads with testEnv and a query check that stands in for the
// matcher's parser: it rejects unbalanced parentheses.
func testOptions() Options {
	return Options{
		Getenv: func(k string) (string, bool) { v, ok := testEnv[k]; return v, ok },
		ValidateQuery: func(q string) error {
			if strings.Count(q, "(") != strings.Count(q, ")") {
				return errors.New("unbalanced parentheses")
			}
			return nil
		},
	}
}

// TestLoadErrors loads each bad file in testdata and checks it reports
// exactly the expected errors, in order, each as an *Error.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		want []string // each error's text, less the "testdata/" prefix
	}{
		{name: "aliases", want: []string{
			"aliases.yaml:1: smtp: unknown key",
			"aliases.yaml:7: sources[1].name: duplicate source name \"tass.ru\" (first at line 4)",
			"aliases.yaml:9: topics[0].exclude[0]: expected a single value, got a mapping",
		}},
		{name: "bad_email", want: []string{
			"bad_email.yaml:10: alerts.email[0].to[1]: invalid email address: mail: missing '@' or angle-addr",
			"bad_email.yaml:11: alerts.email[0].from: required",
			"bad_email.yaml:12: alerts.email[0].smtp.host: required",
			"bad_email.yaml:12: alerts.email[0].smtp.tls: must be starttls, tls, opportunistic or none (got \"ssl\")",
			"bad_email.yaml:12: alerts.email[0].smtp.port: must be at most 65535 (got 70000)",
			"bad_email.yaml:13: alerts.email[1].to: at least one address is required",
			"bad_email.yaml:13: alerts.email[1].smtp: required",
			"bad_email.yaml:14: alerts.email[1].from: invalid email address: mail: no angle-addr",
			"bad_email.yaml:15: alerts.email[2].to: at least one address is required",
		}},
		{name: "bad_transport", want: []string{
			"bad_transport.yaml:12: alerts.email[0].smtp.tls: port 587 is for STARTTLS: use tls: starttls, or port 465 for tls: tls (got \"tls\")",
			"bad_transport.yaml:18: alerts.email[1].smtp.tls: port 465 is for implicit TLS: use tls: tls, or port 587 for tls: starttls (got \"starttls\")",
			"bad_transport.yaml:24: alerts.email[2].smtp.username: set with tls: none: the password would cross the network in clear (use starttls, tls or opportunistic)",
		}},
		{name: "bad_query", want: []string{
			"bad_query.yaml:7: topics[0].query: unbalanced parentheses",
			"bad_query.yaml:10: topics[0].exclude[1]: unbalanced parentheses",
			"bad_query.yaml:14: topics[1].exclude[0]: unbalanced parentheses",
		}},
		{name: "bad_selector_lang", want: []string{
			"bad_selector_lang.yaml:4: sources[0].links: invalid CSS selector \"a[href*=\": unexpected EOF in attribute selector",
			"bad_selector_lang.yaml:7: sources[1].lang: not a language tag such as en, ru or az (got \"russian language\")",
		}},
		{name: "bad_sizes", want: []string{
			"bad_sizes.yaml:2: fetch.max_body: expected a size such as 10MiB, 500KB or 4096 (got \"10 megabytes\")",
		}},
		{name: "bad_urls", want: []string{
			"bad_urls.yaml:3: sources[0].feed: scheme must be http or https (got \"ftp\")",
			"bad_urls.yaml:5: sources[1].feed: must be an absolute URL starting with http:// or https://",
			"bad_urls.yaml:7: sources[2].page: URL has no host",
			"bad_urls.yaml:10: sources[3].feed: invalid URL: invalid character \" \" in host name",
			"bad_urls.yaml:17: alerts.webhook[0].url: scheme must be http or https (got \"gopher\")",
		}},
		{name: "duplicates", want: []string{
			"duplicates.yaml:4: sources[1].name: duplicate source name \"tass.ru\" (first at line 2)",
			"duplicates.yaml:10: topics[1].id: duplicate topic id \"azal\" (first at line 7)",
			"duplicates.yaml:13: topics[2].id: \"Bad_ID\" must be lower-case letters, digits and -, starting with a letter or digit",
			"duplicates.yaml:16: topics[2].title: key repeated (first at line 14)",
			"duplicates.yaml:22: alerts: two alerts named \"desk\" (first at line 19); give one a different name",
		}},
		{name: "empty", want: []string{
			"empty.yaml: topics: at least one topic is required",
		}},
		{name: "multi_doc", want: []string{
			"multi_doc.yaml:2: more than one YAML document (remove the extra ---)",
		}},
		{name: "multi_error", want: []string{
			"multi_error.yaml:1: schedule: invalid cron schedule \"every half hour\": expected exactly 5 fields, found 3: [every half hour] (use 5 fields such as \"*/30 * * * *\", or \"@every 30m\")",
			"multi_error.yaml:2: retention: expected a duration such as 30s, 10m or 6h (got \"forever\")",
			"multi_error.yaml:4: fetch.per_host: must be at least 1 (got -2)",
			"multi_error.yaml:7: sources[0].feed: scheme must be http or https (got \"htp\")",
			"multi_error.yaml:8: sources[1].links: required with page: a CSS selector for the article links",
			"multi_error.yaml:11: topics[0].id: \"Yekaterinburg\" must be lower-case letters, digits and -, starting with a letter or digit",
			"multi_error.yaml:13: topics[0].query: unbalanced parentheses",
			"multi_error.yaml:17: alerts.webhook[0].secret: environment variable MISSING_SECRET is not set",
			"multi_error.yaml:19: alerts.email[0].to[0]: invalid email address: mail: missing '@' or angle-addr",
			"multi_error.yaml:21: alerts.email[0].smtp.tls: must be starttls, tls, opportunistic or none (got \"ssl\")",
			"multi_error.yaml:22: alerts.pager: unknown key",
		}},
		{name: "negative", want: []string{
			"negative.yaml:1: backfill: must not be negative (got -1h0m0s)",
			"negative.yaml:2: retention: must be greater than 0",
			"negative.yaml:4: fetch.timeout: must not be negative (got -30s)",
			"negative.yaml:5: fetch.max_body: expected a size such as 10MiB, 500KB or 4096 (got \"-1MiB\")",
			"negative.yaml:6: fetch.max_items: must be at least 1 (got 0)",
			"negative.yaml:7: fetch.max_articles: must be at least 0 (got -1)",
			"negative.yaml:8: fetch.concurrency: must be at least 1 (got -4)",
			"negative.yaml:9: fetch.per_host: must be at least 1 (got 0)",
			"negative.yaml:10: fetch.host_delay: must not be negative (got -1s)",
			"negative.yaml:12: delivery.max_attempts: must be at least 1 (got 0)",
			"negative.yaml:13: delivery.timeout: must be greater than 0",
		}},
		// A retention under a week, or under a day plus the longest a
		// source goes unread plus a day, could forget a key a source
		// still lists: its item would be sent again.
		{name: "short_retention", want: []string{
			"short_retention.yaml:1: retention: 12h0m0s is shorter than the minimum of 168h0m0s: a key a source still lists is refreshed once a day, and a shorter memory could forget it and send its item again",
		}},
		{name: "retention_gap", want: []string{
			"retention_gap.yaml:1: retention: 200h0m0s is shorter than 240h0m0s, a day plus the interval and jitter of source \"weekly-digest\" (192h0m0s) plus a day: a source unread that long could have its keys forgotten and its items sent again",
		}},
		{name: "repeated_key", want: []string{
			"repeated_key.yaml:5: state: key repeated (first at line 1)",
		}},
		{name: "schedule_timezone", want: []string{
			"schedule_timezone.yaml:1: schedule: invalid cron schedule \"*/30 * * *\": expected exactly 5 fields, found 4: [*/30 * * *] (use 5 fields such as \"*/30 * * * *\", or \"@every 30m\")",
			"schedule_timezone.yaml:2: timezone: unknown time zone \"Europe/Atlantis\"",
		}},
		{name: "secret_files", want: []string{
			"secret_files.yaml:11: alerts.webhook[0].secret_file: read secret: open testdata/missing-secret.txt: no such file or directory",
			"secret_files.yaml:15: alerts.webhook[1].secret_file: give secret or secret_file, not both",
			"secret_files.yaml:18: alerts.webhook[2].secret_file: read secret testdata: not a regular file",
			"secret_files.yaml:25: alerts.email[0].smtp.password_file: give password or password_file, not both",
		}},
		{name: "source_shape", want: []string{
			"source_shape.yaml:2: sources[0]: has both feed and page; give exactly one",
			"source_shape.yaml:6: sources[1]: needs a feed or a page URL, or a telegram channel",
			"source_shape.yaml:8: sources[2].links: required with page: a CSS selector for the article links",
			"source_shape.yaml:13: sources[3].fulltext: only applies to feed sources (page sources always fetch articles)",
			"source_shape.yaml:16: sources[4].links: only applies to page sources",
			"source_shape.yaml:17: sources[5].name: required",
		}},
		{name: "syntax", want: []string{
			"syntax.yaml:3: yaml: did not find expected ',' or ']'",
		}},
		{name: "topic_required", want: []string{
			"topic_required.yaml:5: topics[0].title: required",
			"topic_required.yaml:7: topics[1].id: required",
			"topic_required.yaml:8: topics[1].query: required",
			"topic_required.yaml:12: topics[2].min_terms: must be at least 0 (got -1)",
			"topic_required.yaml:13: topics[3]: empty entry",
		}},
		{name: "undefined_var", want: []string{
			"undefined_var.yaml:1: state: environment variable WATCHER_STATE_DIR is not set",
			"undefined_var.yaml:8: topics[0].query: unterminated ${ (write $$ for a literal $)",
			"undefined_var.yaml:12: alerts.webhook[0].secret: environment variable NOT_SET_SECRET is not set",
			"undefined_var.yaml:15: alerts.webhook[1].secret: invalid environment variable reference: names are letters, digits and _ (write $$ for a literal $)",
		}},
		{name: "unknown_keys", want: []string{
			"unknown_keys.yaml:1: sorces: unknown key",
			"unknown_keys.yaml:5: fetch.max_bodyy: unknown key",
			"unknown_keys.yaml:9: sources[0].fultext: unknown key",
			"unknown_keys.yaml:14: topics[0].exclude_terms: unknown key",
			"unknown_keys.yaml:19: alerts.email[0].smtp.pass: unknown key",
		}},
		{name: "wrong_types", want: []string{
			"wrong_types.yaml:1: state: expected a single value, got a list",
			"wrong_types.yaml:3: fetch.concurrency: expected a whole number (got \"many\")",
			"wrong_types.yaml:4: fetch.robots: expected true or false (got \"maybe\")",
			"wrong_types.yaml:5: fetch.timeout: expected a duration such as 30s, 10m or 6h (got \"30\")",
			"wrong_types.yaml:6: delivery: expected a mapping, got a single value",
			"wrong_types.yaml:8: sources: expected a list, got a mapping",
			"wrong_types.yaml:12: topics[0].query: expected a single value, got a mapping",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", tc.name+".yaml")
			c, err := Load(path, testOptions())
			if err == nil {
				t.Fatalf("Load(%s) = %+v, want errors", path, c)
			}
			got := splitErrors(err)
			if len(got) != len(tc.want) {
				t.Errorf("got %d errors, want %d:\n%v", len(got), len(tc.want), err)
			}
			for i := 0; i < len(got) && i < len(tc.want); i++ {
				if want := "testdata/" + tc.want[i]; got[i].Error() != want {
					t.Errorf("error %d:\n got: %s\nwant: %s", i, got[i], want)
				}
				if e, ok := errors.AsType[*Error](got[i]); !ok || e.File != path {
					t.Errorf("error %d is %T with file %v, want *Error naming %s", i, got[i], e, path)
				}
			}
		})
	}
}

// splitErrors returns the errors joined in err, or err alone.
func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
