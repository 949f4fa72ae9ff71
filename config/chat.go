package config

import (
	"net/url"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ChatSink is what every chat sink's entry holds besides where it posts: its
// name, the topics it takes, where the file gives it, and its digest
// schedule. Each kind embeds it; decoder.chat decodes it.
type ChatSink struct {
	Name       string   `yaml:"name"`
	Topics     []string `yaml:"topics,omitempty"`
	Line       int      `yaml:"-"`
	TopicLines []int    `yaml:"-"`
	// Named is true when the file gave the name (see Webhook.Named).
	Named bool `yaml:"-"`
	// SinkPolicy holds the digest schedule of this sink.
	SinkPolicy `yaml:",inline"`
}

// Slack is a Slack incoming webhook. The URL is the secret (its last
// path segment is the token): give it in the file, from the environment
// or with url_file. Name defaults to "slack " and the URL without its
// last segment.
type Slack struct {
	ChatSink `yaml:",inline"`
	URL      string `yaml:"url"`
}

// Discord is a Discord channel webhook; like Slack's, its URL ends in the
// token. Name defaults to "discord " and the URL without its last segment.
type Discord struct {
	ChatSink `yaml:",inline"`
	URL      string `yaml:"url"`
}

// Telegram is a chat, group or channel a bot posts to with the Bot API's
// sendMessage. API is the Bot API server, https://api.telegram.org unless
// set (a local Bot API server, or a test). Name defaults to
// "telegram " and the chat.
type Telegram struct {
	ChatSink `yaml:",inline"`
	Token    string `yaml:"token"`
	Chat     string `yaml:"chat"`
	API      string `yaml:"api"`
}

// Matrix is a room an account posts m.room.message events to, with its
// access token. Name defaults to "matrix " and the room.
type Matrix struct {
	ChatSink   `yaml:",inline"`
	Homeserver string `yaml:"homeserver"`
	Room       string `yaml:"room"`
	Token      string `yaml:"token"`
}

// Ntfy is an ntfy topic: URL is the server and topic, such as
// https://ntfy.sh/desk. Token, when set, is an access token for a
// protected topic. Name defaults to "ntfy " and the URL's host and path.
type Ntfy struct {
	ChatSink `yaml:",inline"`
	URL      string `yaml:"url"`
	Token    string `yaml:"token,omitempty"`
}

// DefaultTelegramAPI is the Bot API server used when api is not set.
const DefaultTelegramAPI = "https://api.telegram.org"

// chat decodes one chat sink entry of the given kind: the keys every kind
// takes into c, and the kind's own with fs. It returns the entry's node
// and whether it is a whole entry; the caller then checks the kind's own
// keys and names the sink with nameBy.
func (d *decoder) chat(kind, key string, n *yaml.Node, c *ChatSink, fs fields) (*yaml.Node, bool) {
	c.Line = n.Line
	n = resolve(n)
	fs["name"] = d.str(&c.Name)
	fs["topics"] = d.stringList(&c.Topics, &c.TopicLines)
	d.mapping(n, key, d.untemplated(kind, &c.SinkPolicy, fs))
	return n, d.entry(n, key)
}

// nameBy records whether the file named the sink, and names it otherwise
// by its kind and what it posts to (by, which holds no secret), when
// that is known.
func (c *ChatSink) nameBy(kind, by string) {
	c.Named = c.Name != ""
	if c.Name == "" && by != "" {
		c.Name = kind + " " + by
	}
}

// slack decodes and checks one slack entry.
func (d *decoder) slack(key string, n *yaml.Node) Slack {
	var s Slack
	s.ChatSink, s.URL = d.tokenURL("slack", key, n)
	return s
}

// discord decodes and checks one discord entry.
func (d *decoder) discord(key string, n *yaml.Node) Discord {
	var s Discord
	s.ChatSink, s.URL = d.tokenURL("discord", key, n)
	return s
}

// tokenURL decodes a sink whose webhook URL ends in its token (Slack's,
// Discord's), given in the file or with url_file.
func (d *decoder) tokenURL(kind, key string, n *yaml.Node) (ChatSink, string) {
	var c ChatSink
	var link, urlFile string
	n, ok := d.chat(kind, key, n, &c, fields{
		"url":      d.httpURL(&link),
		"url_file": d.str(&urlFile),
	})
	if ok {
		d.secretURL(n, key, &link, urlFile)
		d.required(n, key, map[string]string{"url": link})
		c.nameBy(kind, withoutToken(link))
	}
	return c, link
}

// telegram decodes and checks one telegram entry.
func (d *decoder) telegram(key string, n *yaml.Node) Telegram {
	t := Telegram{API: DefaultTelegramAPI}
	var tokenFile string
	n, ok := d.chat("telegram", key, n, &t.ChatSink, fields{
		"token":      d.rawStr(&t.Token),
		"token_file": d.str(&tokenFile),
		"chat":       d.str(&t.Chat),
		"api":        d.httpURL(&t.API),
	})
	if !ok {
		return t
	}
	d.secretFile(n, key, "token", &t.Token, tokenFile)
	d.required(n, key, map[string]string{"token": t.Token, "chat": t.Chat})
	if strings.ContainsAny(t.Token, "/?#% ") {
		// The token goes into the request path: these would change it.
		d.errorf(valueNode(n, "token"), key+".token", "must not contain /, ?, #, %% or spaces")
	}
	t.nameBy("telegram", t.Chat)
	return t
}

// matrix decodes and checks one matrix entry.
func (d *decoder) matrix(key string, n *yaml.Node) Matrix {
	var m Matrix
	var tokenFile string
	n, ok := d.chat("matrix", key, n, &m.ChatSink, fields{
		"homeserver": d.httpURL(&m.Homeserver),
		"room":       d.str(&m.Room),
		"token":      d.rawStr(&m.Token),
		"token_file": d.str(&tokenFile),
	})
	if !ok {
		return m
	}
	d.secretFile(n, key, "token", &m.Token, tokenFile)
	d.required(n, key, map[string]string{"homeserver": m.Homeserver, "room": m.Room, "token": m.Token})
	if m.Room != "" && !strings.HasPrefix(m.Room, "!") {
		d.errorf(valueNode(n, "room"), key+".room", "must be a room id such as \"!abc:example.org\" (got %q)", raw(valueNode(n, "room")))
	}
	m.nameBy("matrix", m.Room)
	return m
}

// ntfy decodes and checks one ntfy entry.
func (d *decoder) ntfy(key string, n *yaml.Node) Ntfy {
	var s Ntfy
	var tokenFile string
	n, ok := d.chat("ntfy", key, n, &s.ChatSink, fields{
		"url":        d.httpURL(&s.URL),
		"token":      d.rawStr(&s.Token),
		"token_file": d.str(&tokenFile),
	})
	if !ok {
		return s
	}
	d.secretFile(n, key, "token", &s.Token, tokenFile)
	d.required(n, key, map[string]string{"url": s.URL})
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err == nil && strings.Trim(u.Path, "/") == "" {
			d.errorf(valueNode(n, "url"), key+".url", "must name a topic, such as https://ntfy.sh/desk")
		}
	}
	s.nameBy("ntfy", hostPath(s.URL))
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
