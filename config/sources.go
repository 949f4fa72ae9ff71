package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/andybalholm/cascadia"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// sources decodes the sources list and checks names are unique.
func (d *decoder) sources(key string, n *yaml.Node, dst *[]Source) {
	firstLine := map[string]int{}
	if n != nil && n.Kind == yaml.SequenceNode {
		*dst = slices.Grow(*dst, len(n.Content)) // 100,000 sources: no regrowing
	}
	d.sequence(n, key, func(key string, item *yaml.Node) {
		s := d.source(key, item)
		if s.Name == "" {
			return
		}
		if line, dup := firstLine[s.Name]; dup {
			d.errorAt(s.Line, key+".name", "duplicate source name %q (first at line %d)", s.Name, line)
		} else {
			firstLine[s.Name] = s.Line
		}
		*dst = append(*dst, s)
	})
}

// source decodes and checks one source entry.
func (d *decoder) source(key string, n *yaml.Node) Source {
	s := Source{Line: n.Line}
	n = resolve(n)
	d.mapping(n, key, fields{
		"name":     d.str(&s.Name),
		"feed":     d.httpURL(&s.Feed),
		"page":     d.httpURL(&s.Page),
		"links":    d.selector(&s.Links),
		"fulltext": d.boolean(&s.Fulltext),
		"lang":     d.lang(&s.Lang),
		"interval": d.duration(&s.Interval, true),
		"jitter":   d.duration(&s.Jitter, false),
		"telegram": d.channel(&s.Telegram),
		"base":     d.httpURL(&s.Base),
	})
	if !d.entry(n, key) {
		return Source{}
	}
	d.required(n, key, map[string]string{"name": s.Name})
	feed, page, tg := has(n, "feed"), has(n, "page"), has(n, "telegram")
	switch {
	case !feed && !page && !tg:
		d.errorf(n, key, "needs a feed or a page URL, or a telegram channel")
	case feed && page:
		d.errorf(n, key, "has both feed and page; give exactly one")
	case tg && (feed || page):
		d.errorf(valueNode(n, "telegram"), key+".telegram", "give a telegram channel or a feed or page URL, not both")
	case has(n, "base") && !tg:
		d.errorf(valueNode(n, "base"), key+".base", "only applies to telegram sources")
	case tg && (has(n, "links") || s.Fulltext):
		d.errorf(n, key, "links and fulltext do not apply to telegram sources (a post's text is on the channel page)")
	case page && !has(n, "links"):
		d.errorf(n, key+".links", "required with page: a CSS selector for the article links")
	case feed && has(n, "links"):
		d.errorf(valueNode(n, "links"), key+".links", "only applies to page sources")
	case page && s.Fulltext:
		d.errorf(valueNode(n, "fulltext"), key+".fulltext", "only applies to feed sources (page sources always fetch articles)")
	case has(n, "jitter") && !has(n, "interval"):
		d.errorf(valueNode(n, "jitter"), key+".jitter", "only applies with interval")
	case s.Interval > 0 && s.Jitter >= s.Interval:
		d.errorf(valueNode(n, "jitter"), key+".jitter", "must be shorter than interval (%s)", s.Interval)
	}
	return s
}

// httpURL decodes an absolute http or https URL into dst.
func (d *decoder) httpURL(dst *string) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		if err := checkHTTPURL(strings.TrimSpace(s)); err != nil {
			d.errorf(n, key, "%v", err)
			return
		}
		*dst = strings.TrimSpace(s)
	}
}

// checkHTTPURL checks s is an absolute http(s) URL with a host. Its
// errors leave the URL out, as a webhook URL may carry a token.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return fmt.Errorf("invalid URL: %w", err)
	}
	switch {
	case s == "":
		return errors.New("required")
	case u.Scheme == "":
		return errors.New("must be an absolute URL starting with http:// or https://")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("scheme must be http or https (got %q)", u.Scheme)
	case u.Hostname() == "":
		return errors.New("URL has no host")
	}
	return nil
}

// selector decodes a CSS selector, compiled as colly will compile it.
func (d *decoder) selector(dst *string) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		s = strings.TrimSpace(s)
		if _, err := cascadia.Compile(s); err != nil {
			d.errorf(n, key, "invalid CSS selector %q%s", raw(n), detail(n, s, err))
			return
		}
		*dst = s
	}
}

// lang decodes a BCP 47 language tag such as "ru" or "az-Latn".
func (d *decoder) lang(dst *string) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		if _, err := language.Parse(strings.TrimSpace(s)); err != nil {
			d.errorf(n, key, "not a language tag such as en, ru or az (got %q)", raw(n))
			return
		}
		*dst = strings.TrimSpace(s)
	}
}

// SourceHosts returns the host:port of every source URL, sorted and
// without repeats, with the scheme's default port filled in. The crawler
// allows these through its private-network guard.
func (c *Config) SourceHosts() []string {
	var hosts []string
	for _, s := range c.Sources {
		u, err := url.Parse(s.URL())
		if err != nil || u.Hostname() == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		hosts = append(hosts, net.JoinHostPort(strings.ToLower(u.Hostname()), port))
	}
	slices.Sort(hosts)
	return slices.Compact(hosts)
}

// channelName is a Telegram username as Telegram allows them: letters,
// digits and underscores, starting with a letter (new ones take at least
// five characters; a few older and auctioned ones are shorter).
var channelName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{2,31}$`)

// channel decodes a public Telegram channel: its username, with or
// without the @, or its t.me link (https://t.me/name or t.me/s/name).
func (d *decoder) channel(dst *string) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		name := TelegramChannel(s)
		if !channelName.MatchString(name) {
			d.errorf(n, key, "not a public channel username such as rian_ru or @rian_ru (got %q)", raw(n))
			return
		}
		*dst = name
	}
}

// TelegramChannel returns the channel username written as "name",
// "@name", "t.me/name", "https://t.me/s/name" or the like, without
// checking it is a valid username.
func TelegramChannel(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"https://", "http://", "www.", "t.me/", "telegram.me/", "s/", "@"} {
		s = strings.TrimPrefix(s, p)
	}
	name, _, _ := strings.Cut(s, "/")
	name, _, _ = strings.Cut(name, "?")
	return name
}
