package config

import (
	"net/url"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Slack is a Slack incoming webhook. The URL is the secret (its last
// path segment is the token): give it in the file, from the environment
// or with url_file. Name defaults to "slack " and the URL without its
// last segment.
type Slack struct {
	Name       string   `yaml:"name"`
	URL        string   `yaml:"url"`
	Topics     []string `yaml:"topics,omitempty"`
	Line       int      `yaml:"-"`
	TopicLines []int    `yaml:"-"`
	// Named is true when the file gave the name (see Webhook.Named).
	Named bool `yaml:"-"`
	// SinkPolicy holds the digest schedule and templates of this sink.
	SinkPolicy `yaml:",inline"`
}

// Discord is a Discord channel webhook; like Slack's, its URL ends in the
// token. Name defaults to "discord " and the URL without its last segment.
type Discord struct {
	Name       string   `yaml:"name"`
	URL        string   `yaml:"url"`
	Topics     []string `yaml:"topics,omitempty"`
	Line       int      `yaml:"-"`
	TopicLines []int    `yaml:"-"`
	// Named is true when the file gave the name (see Webhook.Named).
	Named bool `yaml:"-"`
	// SinkPolicy holds the digest schedule and templates of this sink.
	SinkPolicy `yaml:",inline"`
}

// Telegram is a chat, group or channel a bot posts to with the Bot API's
// sendMessage. API is the Bot API server, https://api.telegram.org unless
// set (a local Bot API server, or a test). Name defaults to
// "telegram " and the chat.
type Telegram struct {
	Name       string   `yaml:"name"`
	Token      string   `yaml:"token"`
	Chat       string   `yaml:"chat"`
	API        string   `yaml:"api"`
	Topics     []string `yaml:"topics,omitempty"`
	Line       int      `yaml:"-"`
	TopicLines []int    `yaml:"-"`
	// Named is true when the file gave the name (see Webhook.Named).
	Named bool `yaml:"-"`
	// SinkPolicy holds the digest schedule and templates of this sink.
	SinkPolicy `yaml:",inline"`
}

// Matrix is a room an account posts m.room.message events to, with its
// access token. Name defaults to "matrix " and the room.
type Matrix struct {
	Name       string   `yaml:"name"`
	Homeserver string   `yaml:"homeserver"`
	Room       string   `yaml:"room"`
	Token      string   `yaml:"token"`
	Topics     []string `yaml:"topics,omitempty"`
	Line       int      `yaml:"-"`
	TopicLines []int    `yaml:"-"`
	// Named is true when the file gave the name (see Webhook.Named).
	Named bool `yaml:"-"`
	// SinkPolicy holds the digest schedule and templates of this sink.
	SinkPolicy `yaml:",inline"`
}

// Ntfy is an ntfy topic: URL is the server and topic, such as
// https://ntfy.sh/desk. Token, when set, is an access token for a
// protected topic. Name defaults to "ntfy " and the URL's host and path.
type Ntfy struct {
	Name       string   `yaml:"name"`
	URL        string   `yaml:"url"`
	Token      string   `yaml:"token,omitempty"`
	Topics     []string `yaml:"topics,omitempty"`
	Line       int      `yaml:"-"`
	TopicLines []int    `yaml:"-"`
	// Named is true when the file gave the name (see Webhook.Named).
	Named bool `yaml:"-"`
	// SinkPolicy holds the digest schedule and templates of this sink.
	SinkPolicy `yaml:",inline"`
}

// DefaultTelegramAPI is the Bot API server used when api is not set.
const DefaultTelegramAPI = "https://api.telegram.org"

// slack decodes and checks one slack entry.
func (d *decoder) slack(key string, n *yaml.Node) Slack {
	s := Slack{Line: n.Line}
	n = resolve(n)
	var urlFile string
	d.mapping(n, key, d.untemplated("slack", &s.SinkPolicy, fields{
		"name":     d.str(&s.Name),
		"url":      d.httpURL(&s.URL),
		"url_file": d.str(&urlFile),
		"topics":   d.stringList(&s.Topics, &s.TopicLines),
	}))
	if !d.entry(n, key) {
		return s
	}
	d.secretURL(n, key, &s.URL, urlFile)
	d.required(n, key, map[string]string{"url": s.URL})
	s.Named = s.Name != ""
	if s.Name == "" && s.URL != "" {
		s.Name = "slack " + withoutToken(s.URL)
	}
	return s
}

// discord decodes and checks one discord entry.
func (d *decoder) discord(key string, n *yaml.Node) Discord {
	s := Discord{Line: n.Line}
	n = resolve(n)
	var urlFile string
	d.mapping(n, key, d.untemplated("discord", &s.SinkPolicy, fields{
		"name":     d.str(&s.Name),
		"url":      d.httpURL(&s.URL),
		"url_file": d.str(&urlFile),
		"topics":   d.stringList(&s.Topics, &s.TopicLines),
	}))
	if !d.entry(n, key) {
		return s
	}
	d.secretURL(n, key, &s.URL, urlFile)
	d.required(n, key, map[string]string{"url": s.URL})
	s.Named = s.Name != ""
	if s.Name == "" && s.URL != "" {
		s.Name = "discord " + withoutToken(s.URL)
	}
	return s
}

// telegram decodes and checks one telegram entry.
func (d *decoder) telegram(key string, n *yaml.Node) Telegram {
	t := Telegram{API: DefaultTelegramAPI, Line: n.Line}
	n = resolve(n)
	var tokenFile string
	d.mapping(n, key, d.untemplated("telegram", &t.SinkPolicy, fields{
		"name":       d.str(&t.Name),
		"token":      d.rawStr(&t.Token),
		"token_file": d.str(&tokenFile),
		"chat":       d.str(&t.Chat),
		"api":        d.httpURL(&t.API),
		"topics":     d.stringList(&t.Topics, &t.TopicLines),
	}))
	if !d.entry(n, key) {
		return t
	}
	d.secretFile(n, key, "token", &t.Token, tokenFile)
	d.required(n, key, map[string]string{"token": t.Token, "chat": t.Chat})
	if strings.ContainsAny(t.Token, "/?#% ") {
		// The token goes into the request path: these would change it.
		d.errorf(valueNode(n, "token"), key+".token", "must not contain /, ?, #, %% or spaces")
	}
	t.Named = t.Name != ""
	if t.Name == "" && t.Chat != "" {
		t.Name = "telegram " + t.Chat
	}
	return t
}

// matrix decodes and checks one matrix entry.
func (d *decoder) matrix(key string, n *yaml.Node) Matrix {
	m := Matrix{Line: n.Line}
	n = resolve(n)
	var tokenFile string
	d.mapping(n, key, d.untemplated("matrix", &m.SinkPolicy, fields{
		"name":       d.str(&m.Name),
		"homeserver": d.httpURL(&m.Homeserver),
		"room":       d.str(&m.Room),
		"token":      d.rawStr(&m.Token),
		"token_file": d.str(&tokenFile),
		"topics":     d.stringList(&m.Topics, &m.TopicLines),
	}))
	if !d.entry(n, key) {
		return m
	}
	d.secretFile(n, key, "token", &m.Token, tokenFile)
	d.required(n, key, map[string]string{"homeserver": m.Homeserver, "room": m.Room, "token": m.Token})
	if m.Room != "" && !strings.HasPrefix(m.Room, "!") {
		d.errorf(valueNode(n, "room"), key+".room", "must be a room id such as \"!abc:example.org\" (got %q)", raw(valueNode(n, "room")))
	}
	m.Named = m.Name != ""
	if m.Name == "" && m.Room != "" {
		m.Name = "matrix " + m.Room
	}
	return m
}

// ntfy decodes and checks one ntfy entry.
func (d *decoder) ntfy(key string, n *yaml.Node) Ntfy {
	s := Ntfy{Line: n.Line}
	n = resolve(n)
	var tokenFile string
	d.mapping(n, key, d.untemplated("ntfy", &s.SinkPolicy, fields{
		"name":       d.str(&s.Name),
		"url":        d.httpURL(&s.URL),
		"token":      d.rawStr(&s.Token),
		"token_file": d.str(&tokenFile),
		"topics":     d.stringList(&s.Topics, &s.TopicLines),
	}))
	if !d.entry(n, key) {
		return s
	}
	d.secretFile(n, key, "token", &s.Token, tokenFile)
	d.required(n, key, map[string]string{"url": s.URL})
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err == nil && strings.Trim(u.Path, "/") == "" {
			d.errorf(valueNode(n, "url"), key+".url", "must name a topic, such as https://ntfy.sh/desk")
		}
	}
	s.Named = s.Name != ""
	if s.Name == "" && s.URL != "" {
		s.Name = "ntfy " + hostPath(s.URL)
	}
	return s
}

// secretURL fills *dst from url_file, checking that url and url_file are
// not both given and that the file holds an http(s) URL.
func (d *decoder) secretURL(n *yaml.Node, key string, dst *string, file string) {
	if file == "" && !has(n, "url_file") {
		return
	}
	var s string
	d.secretFile(n, key, "url", &s, file)
	if s == "" {
		return
	}
	if err := checkHTTPURL(s); err != nil {
		d.errorf(valueNode(n, "url_file"), key+".url_file", "%v", err)
		return
	}
	*dst = s
}

// withoutToken returns a webhook URL's host and path less its last
// segment, where Slack and Discord put the token.
func withoutToken(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	dir := path.Dir(strings.TrimSuffix(u.Path, "/"))
	if dir == "/" || dir == "." {
		return u.Host
	}
	return u.Host + dir
}

// hostPath returns a URL's host and path, without user info or query.
func hostPath(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Host + strings.TrimSuffix(u.Path, "/")
}
