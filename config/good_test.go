package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLoadMinimal checks that a file with one source and one topic gets
// every documented default.
func TestLoadMinimal(t *testing.T) {
	c, err := Load("testdata/good_minimal.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := Fetch{
		Timeout: 30 * time.Second, ConnectTimeout: 10 * time.Second, MaxBody: 10 << 20,
		MaxItems: 500, MaxArticles: 50, Concurrency: 16, PerHost: 2,
		PageDelay: 500 * time.Millisecond, Robots: true, MaxBackoff: 6 * time.Hour,
	}
	if c.Fetch != want {
		t.Errorf("fetch = %+v, want %+v", c.Fetch, want)
	}
	if c.Delivery != (Delivery{MaxAttempts: 10, Timeout: 30 * time.Second}) {
		t.Errorf("delivery = %+v, want 10 attempts, 30s", c.Delivery)
	}
	if c.State != "watcher.db" || c.Schedule != "*/30 * * * *" || c.Location != time.Local ||
		c.Backfill != 0 || c.Retention != 2160*time.Hour || c.UserAgent != "" {
		t.Errorf("top level = state %q, schedule %q, location %v, backfill %s, retention %s, user agent %q",
			c.State, c.Schedule, c.Location, c.Backfill, c.Retention, c.UserAgent)
	}
	if c.File != "testdata/good_minimal.yaml" {
		t.Errorf("File = %q", c.File)
	}
	wantSrc := Source{Name: "tass.ru", Feed: "https://tass.ru/rss/v2.xml", Line: 2}
	if len(c.Sources) != 1 || c.Sources[0] != wantSrc {
		t.Errorf("sources = %+v, want [%+v]", c.Sources, wantSrc)
	}
	if len(c.Alerts.Webhooks)+len(c.Alerts.Emails) != 0 {
		t.Errorf("alerts = %+v, want none", c.Alerts)
	}
}

// TestLoadFull checks that every key of a complete file lands in its
// field, with ${VAR} and $$ expanded, *_file read relative to the file,
// and the positions of topics kept.
func TestLoadFull(t *testing.T) {
	c, err := Load("testdata/good_full.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.State != "/var/lib/watcher/watcher.db" || c.Schedule != "@every 15m" || c.Location.String() != "Asia/Baku" ||
		c.Backfill != 48*time.Hour || c.Retention != 720*time.Hour || c.UserAgent != "watcher/1.0 (+https://example.org/watcher)" {
		t.Errorf("top level = %+v", c)
	}
	wantFetch := Fetch{
		Timeout: 45 * time.Second, ConnectTimeout: 5 * time.Second, MaxBody: 2_000_000,
		MaxItems: 200, MaxArticles: 0, Concurrency: 4, PerHost: 1,
		HostDelay: 2 * time.Second, PageDelay: 3 * time.Second, Budget: 10 * time.Minute, Robots: false, MaxBackoff: time.Hour,
	}
	if c.Fetch != wantFetch {
		t.Errorf("fetch = %+v, want %+v", c.Fetch, wantFetch)
	}
	if c.Delivery != (Delivery{MaxAttempts: 3, Timeout: 20 * time.Second}) {
		t.Errorf("delivery = %+v", c.Delivery)
	}
	wantSources := []Source{
		{Name: "report.az", Feed: "https://report.az/rss/", Fulltext: true, Lang: "az", Line: 24},
		{Name: "e1.ru", Page: "http://www.e1.ru:8080/text/", Links: "a[href*='/text/incidents/'], a.story", Lang: "ru", Interval: 2 * time.Hour, Jitter: 10 * time.Minute, Line: 28},
	}
	if !slices.Equal(c.Sources, wantSources) {
		t.Errorf("sources = %+v\nwant %+v", c.Sources, wantSources)
	}
	wantTopics := []Topic{
		{ID: "yekaterinburg-case", Title: "The Yekaterinburg case", Query: "Екатеринбург* AND Сафаров*",
			Exclude: []string{"футбол"}, MinTerms: 2, Line: 35, QueryLine: 37, ExcludeLines: []int{38}},
		{ID: "sputnik-detainees", Title: "The Sputnik Azerbaijan detainees", Query: "Картавых OR Kartavykh",
			Exclude: []string{"спорт", "price: 100$"}, Line: 40, QueryLine: 42, ExcludeLines: []int{44, 45}},
	}
	if !reflect.DeepEqual(c.Topics, wantTopics) {
		t.Errorf("topics = %+v\nwant %+v", c.Topics, wantTopics)
	}
	checkFullAlerts(t, c.Alerts)
}

// checkFullAlerts checks the alerts of good_full.yaml.
func checkFullAlerts(t *testing.T, a Alerts) {
	t.Helper()
	wantHooks := []Webhook{
		{Name: "webhook hooks.example.org", URL: "https://hooks.example.org/T000/B000/XXXX", Secret: "whs-from-env", Line: 48},
		{Name: "local", URL: "http://127.0.0.1:9000/hook", Secret: "hook-file-secret", Line: 50, Named: true},
	}
	if !slices.Equal(a.Webhooks, wantHooks) {
		t.Errorf("webhooks = %+v\nwant %+v", a.Webhooks, wantHooks)
	}
	wantEmails := []Email{
		{Name: "email desk@example.org,Night Desk <night@example.org>",
			To: []string{"desk@example.org", "Night Desk <night@example.org>"}, From: "watcher@example.org", Subject: "[watcher]",
			SMTP: SMTP{Host: "smtp.example.org", Port: 2525, Username: "watcher", Password: "smtp-from-env", TLS: "starttls"}, Line: 54},
		{Name: "editor", To: []string{"editor@example.org"}, From: "watcher@example.org",
			SMTP: SMTP{Host: "mail.example.org", Port: 465, Password: "hook-file-secret", TLS: "tls"}, Line: 58, Named: true},
	}
	if !reflect.DeepEqual(a.Emails, wantEmails) {
		t.Errorf("emails = %+v\nwant %+v", a.Emails, wantEmails)
	}
}

// TestSourceHosts checks the SSRF allowance lists each host once, with
// the scheme's default port.
func TestSourceHosts(t *testing.T) {
	c, err := Load("testdata/good_full.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"report.az:443", "www.e1.ru:8080"}
	if got := c.SourceHosts(); !slices.Equal(got, want) {
		t.Errorf("SourceHosts() = %v, want %v", got, want)
	}
}

// TestRedactedRoundTrip checks Redacted's output is itself a valid
// configuration that loads to the same settings (secrets aside).
func TestRedactedRoundTrip(t *testing.T) {
	for _, name := range []string{"good_minimal", "good_full"} {
		t.Run(name, func(t *testing.T) {
			c, err := Load("testdata/"+name+".yaml", testOptions())
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse([]byte(c.Redacted()), "redacted.yaml", testOptions())
			if err != nil {
				t.Fatalf("redacted output does not load: %v\n%s", err, c.Redacted())
			}
			if again.Fetch != c.Fetch || again.Delivery != c.Delivery || again.Schedule != c.Schedule ||
				again.Location.String() != c.Location.String() || again.Retention != c.Retention {
				t.Errorf("settings changed: %+v\nwant %+v", again, c)
			}
			if !reflect.DeepEqual(names(again), names(c)) {
				t.Errorf("sources/topics/alerts = %v, want %v", names(again), names(c))
			}
		})
	}
}

// names lists the names of c's sources, topics and alerts, in order.
func names(c *Config) []string {
	var out []string
	for _, s := range c.Sources {
		out = append(out, s.Name, s.URL())
	}
	for _, tp := range c.Topics {
		out = append(out, tp.ID, tp.Query)
	}
	for _, w := range c.Alerts.Webhooks {
		out = append(out, w.Name)
	}
	for _, e := range c.Alerts.Emails {
		out = append(out, e.Name)
	}
	return out
}

// TestAliasBomb checks that a small file whose aliases expand to a huge
// one is refused with one clear error instead of being walked whole.
func TestAliasBomb(t *testing.T) {
	_, err := Load("testdata/alias_bomb.yaml", testOptions())
	if err == nil {
		t.Fatal("alias bomb loaded, want an error")
	}
	errs := splitErrors(err)
	var bombs int
	for _, e := range errs {
		if strings.Contains(e.Error(), "testdata/alias_bomb.yaml:5: too many values: aliases expand this file by more than 100000 values") {
			bombs++
		}
	}
	if bombs != 1 || len(errs) > 400 {
		t.Errorf("got %d errors, %d about too many values; want exactly 1 such, and the walk stopped:\n%.500s", len(errs), bombs, err)
	}
}
