package alert

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

var _ Parted = (*Ntfy)(nil)

// NtfyOptions configures an ntfy sink.
type NtfyOptions struct {
	// URL is the server and topic, https://ntfy.sh/desk.
	URL string
	// Token, when set, is an access token for a protected topic.
	Token string
	ChatOptions
}

// Ntfy publishes digests to an ntfy topic as JSON (the server's root
// takes {"topic", "title", "message"}), in plain text: ntfy's phone apps
// show markdown as written, and they make links of bare URLs themselves.
// A message holds at most 4,096 bytes (ntfy turns a longer one into an
// attachment).
type Ntfy struct{ chat }

const ntfyMessage = 4096

// NewNtfy checks o and returns an ntfy sink.
func NewNtfy(o NtfyOptions) (*Ntfy, error) {
	if err := checkChatURL("ntfy url", o.URL); err != nil {
		return nil, err
	}
	u, _ := url.Parse(o.URL) // checked above
	p := strings.Trim(u.Path, "/")
	if p == "" {
		return nil, errors.New("ntfy url: must name a topic, such as https://ntfy.sh/desk")
	}
	topic := p[strings.LastIndexByte(p, '/')+1:]
	root := *u
	// The query stays: ntfy takes an access token as ?auth= too.
	root.Path, root.RawPath, root.Fragment = "/"+strings.TrimSuffix(p, topic), "", ""
	s := &Ntfy{chat{name: "ntfy " + u.Host + "/" + p, o: o.ChatOptions.withDefaults(), secret: o.Token, format: ntfyFormat}}
	s.request = func(ctx context.Context, d Digest, i, n int, pt part) (*http.Request, error) {
		req, err := jsonRequest(ctx, http.MethodPost, root.String(), ntfyPublish{
			Topic: topic, Title: headingText(chatTitle(d), i, n), Message: strings.TrimLeft(pt.text, "\n"),
		})
		if err == nil && o.Token != "" {
			req.Header.Set("Authorization", "Bearer "+o.Token)
		}
		return req, err
	}
	return s, nil
}

type ntfyPublish struct {
	Topic   string `json:"topic"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// ntfyFormat is plain text: the heading goes in the title, so it takes
// no room in the message.
var ntfyFormat = format{
	limit:   ntfyMessage,
	size:    func(l line) int { return byteLen(l.text) },
	sep:     line{text: "\n"},
	heading: func(string, int, int) line { return line{} },
	topic: func(title string, count int, continued bool) line {
		return line{text: "\n" + countText(title, count, continued)}
	},
	item: func(e entryView) line {
		var b strings.Builder
		b.WriteString("• " + e.Title)
		if e.Meta != "" {
			b.WriteString(" · " + e.Meta)
		}
		if e.Link != "" {
			b.WriteString("\n" + e.Link)
		}
		if e.Snippet != "" {
			b.WriteString("\n" + e.Snippet)
		}
		return line{text: b.String()}
	},
	more: func(n int) line { return line{text: moreText(n)} },
}
