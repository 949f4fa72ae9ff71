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
	"time"
)

// Config is the effective configuration: defaults overlaid by the file.
type Config struct {
	// File is the path or name the configuration was read from.
	File string `yaml:"-"`
	// State is the bbolt file path; a relative path is relative to the
	// working directory.
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

// Delivery holds the retry settings for sending digests.
type Delivery struct {
	MaxAttempts int           `yaml:"max_attempts"` // per digest and sink, then parked
	Timeout     time.Duration `yaml:"timeout"`      // per send
}

// Source is one configured outlet: a feed, or an HTML listing page whose
// article links are selected by Links.
type Source struct {
	Name     string `yaml:"name"`
	Feed     string `yaml:"feed,omitempty"`
	Page     string `yaml:"page,omitempty"`
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

// URL returns the source's feed or page URL, whichever is set.
func (s Source) URL() string {
	if s.Feed != "" {
		return s.Feed
	}
	return s.Page
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
}

// Webhook is an HTTP endpoint that receives digests. Secret, when set,
// comes from the file, the environment or secret_file; it signs requests.
// Name defaults to "webhook " followed by the URL's host.
type Webhook struct {
	Name   string `yaml:"name"`
	URL    string `yaml:"url"`
	Secret string `yaml:"secret,omitempty"`
	Line   int    `yaml:"-"`
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
	}
}
