package alert

import (
	"context"
	"net/http"
	"strings"
)

var _ Parted = (*Slack)(nil)

// SlackOptions configures a Slack sink.
type SlackOptions struct {
	// URL is the incoming webhook, https://hooks.slack.com/services/...;
	// its last segment is the token.
	URL string
	ChatOptions
}

// Slack posts digests to a Slack incoming webhook as Block Kit messages:
// one section block per line, in mrkdwn. A message holds at most 50
// blocks of at most 3,000 characters and 40,000 characters in all (Slack's
// limits); a longer digest goes in several messages.
type Slack struct{ chat }

// Slack's bounds on one message, in characters.
const (
	slackSection = 3000
	slackMessage = 40000
	slackBlocks  = 50
)

// NewSlack checks o and returns a Slack sink.
func NewSlack(o SlackOptions) (*Slack, error) {
	if err := checkChatURL("slack url", o.URL); err != nil {
		return nil, err
	}
	s := &Slack{chat{name: "slack " + withoutLastSegment(o.URL), o: o.ChatOptions.withDefaults(), secret: lastSegment(o.URL), format: slackFormat}}
	s.request = func(ctx context.Context, _ Digest, _, _ int, p part) (*http.Request, error) {
		return jsonRequest(ctx, http.MethodPost, o.URL, slackMessageBody(p))
	}
	return s, nil
}

var slackFormat = format{
	limit: slackMessage, lineLimit: slackSection, maxLines: slackBlocks,
	size: func(l line) int { return runeLen(l.text) },
	heading: func(title string, i, n int) line {
		return line{text: "*" + slackEscape(headingText(title, i, n)) + "*"}
	},
	topic: func(title string, count int, continued bool) line {
		return line{text: "*" + slackEscape(countText(title, count, continued)) + "*"}
	},
	item: func(e entryView) line {
		var b strings.Builder
		if e.Link != "" {
			b.WriteString("<" + escapeURL(e.Link, "|<> ") + "|" + slackEscape(e.Title) + ">")
		} else {
			b.WriteString(slackEscape(e.Title))
		}
		if e.Meta != "" {
			b.WriteString("\n" + slackEscape(e.Meta))
		}
		if e.Snippet != "" {
			b.WriteString("\n" + slackEscape(e.Snippet))
		}
		return line{text: b.String()}
	},
	more: func(n int) line { return line{text: slackEscape(moreText(n))} },
}

// slackEscape escapes the three characters mrkdwn gives meaning to:
// with them escaped, feed text cannot make a link or a mention
// (<!channel>). Slack has no escape for * _ ~; they may style text, no more.
func slackEscape(s string) string { return slackEscaper.Replace(s) }

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

type slackBlock struct {
	Type string    `json:"type"`
	Text slackText `json:"text"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackMessageBody is one message: the heading as the notification text,
// each line a section block; link previews off, since a digest lists many.
func slackMessageBody(p part) any {
	blocks := make([]slackBlock, len(p.lines))
	for i, l := range p.lines {
		blocks[i] = slackBlock{Type: "section", Text: slackText{Type: "mrkdwn", Text: l.text}}
	}
	return struct {
		Text        string       `json:"text"`
		Blocks      []slackBlock `json:"blocks"`
		UnfurlLinks bool         `json:"unfurl_links"`
		UnfurlMedia bool         `json:"unfurl_media"`
	}{Text: strings.Trim(p.lines[0].text, "*"), Blocks: blocks}
}

// escapeURL percent-encodes the characters in chars (and any control
// character) so that a URL cannot end the markup around it early.
func escapeURL(u, chars string) string {
	var b strings.Builder
	for _, r := range u {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(chars, r) {
			b.WriteString("%" + strings.ToUpper(hex2(byte(r))))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// lastSegment returns the last path segment of a URL: the token of a
// Slack or Discord webhook, hidden from errors.
func lastSegment(raw string) string {
	p := strings.TrimSuffix(raw, "/")
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}
