// Package config loads watcher's YAML configuration: strictly (an unknown
// key, a wrong type or a bad value is an error), with positions (every
// error names the file, line and key path) and all at once (every problem
// in the file is reported, not only the first).
//
// Any value may use ${NAME}, replaced after parsing by the environment
// variable NAME (so a value with YAML syntax in it cannot break the file);
// $$ stands for a literal $. Secrets may instead come from a file named
// by secret_file or password_file, relative to the configuration file.
// Secrets never appear in errors or in Redacted.
//
// It imports nothing from the project; cmd and watch map a *Config onto
// each package's own options.
//
// The yaml tags on the types below name the file's keys and shape the
// output of Redacted. Decoding does not use them: the file is read by
// walking the yaml.Node tree, so that every value keeps its line.
package config

import (
	"strings"
	"time"
)

// Config is the effective configuration: defaults overlaid by the file.
type Config struct {
	// File is the path or name the configuration was read from.
	File string `yaml:"-"`
	// State is the bbolt file path (a relative path is relative to the
	// working directory), or a postgres:// URL naming a PostgreSQL
	// database (see StatePostgres).
	State string `yaml:"state"`
	// Schedule is a cron spec accepted by cron.ParseStandard.
	Schedule string `yaml:"schedule"`
	// Timezone is the IANA zone named in the file, or empty.
	Timezone string `yaml:"timezone,omitempty"`
	// Location is the zone the schedule runs in: Timezone loaded, or
	// time.Local when Timezone is empty.
	Location *time.Location `yaml:"-"`
	// Backfill is how old an item of a newly added source may be and still alert.
	Backfill time.Duration `yaml:"backfill"`
	// Retention is how long seen items and sent digests are remembered.
	Retention time.Duration `yaml:"retention"`
	// UserAgent overrides the HTTP User-Agent when not empty.
	UserAgent string   `yaml:"user_agent,omitempty"`
	Fetch     Fetch    `yaml:"fetch"`
	Delivery  Delivery `yaml:"delivery"`
	Sources   []Source `yaml:"sources"`
	Topics    []Topic  `yaml:"topics"`
	Alerts    Alerts   `yaml:"alerts"`
	// Digest, when set, is the digest policy of every sink without its
	// own; nil: a digest per crawl.
	Digest *DigestPolicy `yaml:"digest,omitempty"`
	// Templates, when set, replace the built-in templates for every sink
	// without its own.
	Templates *Templates `yaml:"templates,omitempty"`
	// digests are every digest key of the file (DigestPolicies).
	digests []*DigestPolicy
	// HTTP is the daemon's listener; off while HTTP.Listen is empty.
	HTTP HTTP `yaml:"http,omitempty"`
	// MetricsFile, when set, is where each run writes its metrics in the
	// Prometheus text format, for node_exporter's textfile collector.
	MetricsFile string `yaml:"metrics_file,omitempty"`

	// RunAtStart: the daemon runs a first cycle as soon as it has
	// started, rather than waiting for the schedule's first tick.
	RunAtStart bool `yaml:"run_at_start"`
	// Health says when failing sources are named in the digests.
	Health Health `yaml:"health"`
}

// Fetch holds the limits and politeness settings for crawling.
type Fetch struct {
	Timeout        time.Duration `yaml:"timeout"`         // per request once sent: connect, first byte, body
	ConnectTimeout time.Duration `yaml:"connect_timeout"` // per connection
	MaxBody        int64         `yaml:"max_body"`        // bytes per response
	MaxItems       int           `yaml:"max_items"`       // items kept per feed
	MaxArticles    int           `yaml:"max_articles"`    // article pages per source per run
	Concurrency    int           `yaml:"concurrency"`     // requests in flight, all hosts
	PerHost        int           `yaml:"per_host"`        // requests in flight to one host
	HostDelay      time.Duration `yaml:"host_delay"`      // pause between any two requests to one host
	PageDelay      time.Duration `yaml:"page_delay"`      // pause before each article page of one host
	Budget         time.Duration `yaml:"budget"`          // whole crawl of a cycle; 0: fits the schedule
	Robots         bool          `yaml:"robots"`          // obey robots.txt
	MaxBackoff     time.Duration `yaml:"max_backoff"`     // cap on backing off a failing source
}

// Health says when a failing source is reported in the digests.
type Health struct {
	// ReportAfter is how long a source must have failed before the next
	// digest names it (once), and then its recovery (once).
	ReportAfter time.Duration `yaml:"report_after"`
}

// Delivery holds the retry settings for sending digests.
type Delivery struct {
	MaxAttempts int           `yaml:"max_attempts"` // per digest and sink, then parked
	Timeout     time.Duration `yaml:"timeout"`      // per send
}

// Source is one configured outlet: a feed, an HTML listing page whose
// article links are selected by Links, or a public Telegram channel read
// through its web preview.
type Source struct {
	Name string `yaml:"name"`
	Feed string `yaml:"feed,omitempty"`
	Page string `yaml:"page,omitempty"`
	// Telegram is a public channel's username, without the @; Base is
	// where its web preview is served (empty: TelegramBase).
	Telegram string `yaml:"telegram,omitempty"`
	Base     string `yaml:"base,omitempty"`
	Links    string `yaml:"links,omitempty"`
	Lang     string `yaml:"lang,omitempty"`
	Fulltext bool   `yaml:"fulltext,omitempty"`
	// Interval, when set, is how often the source is read: cycles in
	// between skip it. Jitter spreads the reads of sources with the same
	// interval: each waits up to Jitter longer, by a fixed amount of its own.
	Interval time.Duration `yaml:"interval,omitempty"`
	Jitter   time.Duration `yaml:"jitter,omitempty"`
	// Line is the line of the source's entry in the file.
	Line int `yaml:"-"`
}

// TelegramBase is where Telegram serves public channels' web previews.
const TelegramBase = "https://t.me"

// URL returns the source's feed or page URL, whichever is set, or for a
// Telegram channel the address of its web preview.
func (s Source) URL() string {
	switch {
	case s.Feed != "":
		return s.Feed
	case s.Telegram != "":
		return TelegramPreview(s.Base, s.Telegram)
	}
	return s.Page
}

// TelegramPreview is the web preview address of a channel: base (empty
// for TelegramBase) followed by /s/ and the channel's username.
func TelegramPreview(base, channel string) string {
	if base == "" {
		base = TelegramBase
	}
	return strings.TrimRight(base, "/") + "/s/" + channel
}

// Topic is one tracked story: a query, and queries that exclude items.
type Topic struct {
	ID       string   `yaml:"id"`
	Title    string   `yaml:"title"`
	Query    string   `yaml:"query"`
	Exclude  []string `yaml:"exclude,omitempty"`
	MinTerms int      `yaml:"min_terms,omitempty"`
	// Follow, when set, delivers related items too (see Follow).
	Follow *Follow `yaml:"follow,omitempty"`
	// Line, QueryLine and ExcludeLines locate the topic's entry, its
	// query and each exclude in the file, so that errors found later
	// (when the matcher compiles the topic) can name the line.
	Line         int   `yaml:"-"`
	QueryLine    int   `yaml:"-"`
	ExcludeLines []int `yaml:"-"`
}

// Alerts lists where digests go. With none, digests go to standard output.
type Alerts struct {
	Webhooks []Webhook `yaml:"webhook,omitempty"`
	Emails   []Email   `yaml:"email,omitempty"`
	// The chat sinks; see chat.go.
	Slack    []Slack    `yaml:"slack,omitempty"`
	Discord  []Discord  `yaml:"discord,omitempty"`
	Telegram []Telegram `yaml:"telegram,omitempty"`
	Matrix   []Matrix   `yaml:"matrix,omitempty"`
	Ntfy     []Ntfy     `yaml:"ntfy,omitempty"`
}

// Webhook is an HTTP endpoint that receives digests. Secret, when set,
// comes from the file, the environment or secret_file; it signs requests.
// Name defaults to "webhook " followed by the URL's host.
type Webhook struct {
	Name   string `yaml:"name"`
	URL    string `yaml:"url"`
	Secret string `yaml:"secret,omitempty"`
	Line   int    `yaml:"-"`
	// SinkPolicy holds the digest schedule and templates of this sink.
	SinkPolicy `yaml:",inline"`
	// Named is true when the file gave the name: digests waiting for
	// the sink then follow the name, whatever its URL becomes.
	Named bool `yaml:"-"`
	// Topics, when set, are the ids of the only topics this sink
	// receives; TopicLines holds the line of each.
	Topics     []string `yaml:"topics,omitempty"`
	TopicLines []int    `yaml:"-"`
}

// Email is a mailbox set that receives digests over SMTP.
// Name defaults to "email " followed by the recipients.
type Email struct {
	Name    string   `yaml:"name"`
	To      []string `yaml:"to"`
	From    string   `yaml:"from"`
	Subject string   `yaml:"subject,omitempty"`
	SMTP    SMTP     `yaml:"smtp"`
	Line    int      `yaml:"-"`
	// SinkPolicy holds the digest schedule and templates of this sink.
	SinkPolicy `yaml:",inline"`
	// Named is true when the file gave the name: digests waiting for
	// the sink then follow the name, whatever its recipients become.
	Named bool `yaml:"-"`
	// Topics and TopicLines are as for Webhook.
	Topics     []string `yaml:"topics,omitempty"`
	TopicLines []int    `yaml:"-"`
}

// SMTP is a mail server to submit to. TLS is "starttls" (required; the
// default), "tls" (implicit TLS), "opportunistic" (STARTTLS when offered;
// the default for a relay on localhost) or "none". Port defaults to 587, or 465 with implicit TLS.
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username,omitempty"`
	Password string `yaml:"password,omitempty"`
	TLS      string `yaml:"tls"`
}

// Options adjusts how a file is loaded. The zero value is ready to use.
type Options struct {
	// Getenv looks up ${VAR} references; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
	// ValidateQuery, when set, is called for every topic query and
	// exclude; its error is reported at that value's line.
	ValidateQuery func(q string) error
	// ValidateTemplate, when set, is called for every template file
	// (kind "html" or "text", its absolute path); its error, which should
	// name the template's file and line, is reported at the key's line.
	ValidateTemplate func(kind, path string) error
}

// defaults returns the configuration a file is laid over.
func defaults() *Config {
	return &Config{
		State:     "watcher.db",
		Schedule:  "*/30 * * * *",
		Retention: 90 * 24 * time.Hour,
		Fetch: Fetch{
			Timeout:        30 * time.Second,
			ConnectTimeout: 10 * time.Second,
			MaxBody:        10 << 20,
			MaxItems:       500,
			MaxArticles:    50,
			Concurrency:    16,
			PerHost:        2,
			PageDelay:      500 * time.Millisecond,
			Robots:         true,
			MaxBackoff:     6 * time.Hour,
		},
		Delivery: Delivery{MaxAttempts: 10, Timeout: 30 * time.Second},

		RunAtStart: true,
		Health:     Health{ReportAfter: 6 * time.Hour},
	}
}
