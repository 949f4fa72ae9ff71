package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"
)

var _ Parted = (*Telegram)(nil)

// TelegramOptions configures a Telegram sink.
type TelegramOptions struct {
	// API is the Bot API server, such as https://api.telegram.org.
	API string
	// Token is the bot's token; it goes in the request path and never in
	// a name, log line or error.
	Token string
	// Chat is the chat id or @channel username to post to.
	Chat string
	ChatOptions
}

// Telegram posts digests with the Bot API's sendMessage, in its HTML
// parse mode, at most 4,096 characters a message (the Bot API's limit).
type Telegram struct{ chat }

// telegramText bounds a message's text. Telegram counts the text left
// after the HTML is parsed, in UTF-16 units; the HTML itself is measured
// here, which is never less.
const telegramText = 4096

// NewTelegram checks o and returns a Telegram sink.
func NewTelegram(o TelegramOptions) (*Telegram, error) {
	if err := checkChatURL("telegram api", o.API); err != nil {
		return nil, err
	}
	switch {
	case o.Token == "":
		return nil, errors.New("telegram: token is required")
	case strings.ContainsAny(o.Token, "/?#% "):
		return nil, errors.New("telegram: token must not contain /, ?, #, % or spaces")
	case o.Chat == "":
		return nil, errors.New("telegram: chat is required")
	}
	endpoint := strings.TrimSuffix(o.API, "/") + "/bot" + o.Token + "/sendMessage"
	s := &Telegram{chat{name: "telegram " + clean(o.Chat), o: o.ChatOptions.withDefaults(), secret: o.Token, format: telegramFormat}}
	s.request = func(ctx context.Context, _ Digest, _, _ int, p part) (*http.Request, error) {
		return jsonRequest(ctx, http.MethodPost, endpoint, telegramMessage{
			ChatID: o.Chat, Text: p.text, ParseMode: "HTML",
			LinkPreview: telegramPreview{IsDisabled: true},
		})
	}
	s.accepted = telegramOK
	return s, nil
}

type telegramMessage struct {
	ChatID      string          `json:"chat_id"`
	Text        string          `json:"text"`
	ParseMode   string          `json:"parse_mode"`
	LinkPreview telegramPreview `json:"link_preview_options"`
}

type telegramPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

// telegramOK checks a 2xx answer says "ok": true, as every Bot API
// answer does when the method succeeded.
func telegramOK(body []byte) error {
	var a struct {
		OK          bool   `json:"ok"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("answer is not a Bot API response: %w", err)
	}
	if !a.OK {
		return fmt.Errorf("not sent: %s", clean(a.Description))
	}
	return nil
}

var telegramFormat = format{
	limit: telegramText,
	size:  func(l line) int { return utf16Len(l.text) },
	sep:   line{text: "\n"},
	heading: func(title string, i, n int) line {
		return line{text: "<b>" + html.EscapeString(headingText(title, i, n)) + "</b>"}
	},
	topic: func(title string, count int, continued bool) line {
		return line{text: "\n<b>" + html.EscapeString(countText(title, count, continued)) + "</b>"}
	},
	item: func(e entryView) line { return line{text: htmlItem(e, "\n")} },
	more: func(n int) line { return line{text: html.EscapeString(moreText(n))} },
}

// htmlItem renders an item in the HTML Telegram and Matrix share: the
// title linked, the source and time in italics, the snippet; every string
// escaped, so feed text cannot add tags.
func htmlItem(e entryView, br string) string {
	var b strings.Builder
	b.WriteString("• ")
	if e.Link != "" {
		b.WriteString(`<a href="` + html.EscapeString(e.Link) + `">` + html.EscapeString(e.Title) + "</a>")
	} else {
		b.WriteString(html.EscapeString(e.Title))
	}
	if e.Meta != "" {
		b.WriteString(" · <i>" + html.EscapeString(e.Meta) + "</i>")
	}
	if e.Snippet != "" {
		b.WriteString(br + html.EscapeString(e.Snippet))
	}
	return b.String()
}
