package alert

import (
	"context"
	"net/http"
	"strings"
)

var _ Parted = (*Discord)(nil)

// DiscordOptions configures a Discord sink.
type DiscordOptions struct {
	// URL is the channel webhook, https://discord.com/api/webhooks/ID/TOKEN.
	URL string
	ChatOptions
}

// Discord posts digests to a Discord webhook as message content in
// Discord's markdown, at most 2,000 characters a message (Discord's
// limit), with mentions turned off so that feed text cannot ping anyone.
type Discord struct{ chat }

// discordContent is Discord's bound on a message's content, in characters
// (counted here in UTF-16 units, as Discord's clients count them: never
// fewer than the characters).
const discordContent = 2000

// NewDiscord checks o and returns a Discord sink.
func NewDiscord(o DiscordOptions) (*Discord, error) {
	if err := checkChatURL("discord url", o.URL); err != nil {
		return nil, err
	}
	s := &Discord{chat{name: "discord " + withoutLastSegment(o.URL), o: o.ChatOptions.withDefaults(), secret: lastSegment(o.URL), format: discordFormat}}
	s.request = func(ctx context.Context, _ Digest, _, _ int, p part) (*http.Request, error) {
		return jsonRequest(ctx, http.MethodPost, o.URL, discordMessage{
			Content:         p.text,
			AllowedMentions: discordMentions{Parse: []string{}},
			Flags:           discordSuppressEmbeds,
		})
	}
	return s, nil
}

// discordSuppressEmbeds is the message flag that turns off link previews.
const discordSuppressEmbeds = 1 << 2

type discordMessage struct {
	Content         string          `json:"content"`
	AllowedMentions discordMentions `json:"allowed_mentions"`
	Flags           int             `json:"flags"`
}

// discordMentions with an empty Parse list lets no @everyone, @here, role
// or user mention in the content notify anyone.
type discordMentions struct {
	Parse []string `json:"parse"`
}

var discordFormat = format{
	limit: discordContent,
	size:  func(l line) int { return utf16Len(l.text) },
	sep:   line{text: "\n"},
	heading: func(title string, i, n int) line {
		return line{text: "**" + discordEscape(headingText(title, i, n)) + "**"}
	},
	topic: func(title string, count int, continued bool) line {
		return line{text: "\n__**" + discordEscape(countText(title, count, continued)) + "**__"}
	},
	item: func(e entryView) line {
		var b strings.Builder
		b.WriteString("- ")
		if e.Link != "" {
			// <url> inside a masked link keeps Discord from previewing it.
			b.WriteString("[" + discordEscape(e.Title) + "](<" + escapeURL(e.Link, "<>() ") + ">)")
		} else {
			b.WriteString(discordEscape(e.Title))
		}
		if e.Meta != "" {
			b.WriteString(" · *" + discordEscape(e.Meta) + "*")
		}
		if e.Snippet != "" {
			b.WriteString("\n  " + discordEscape(e.Snippet))
		}
		return line{text: b.String()}
	},
	more: func(n int) line { return line{text: discordEscape(moreText(n))} },
}

// discordEscape puts a backslash before every ASCII punctuation mark,
// which Discord's markdown then shows as itself: feed text cannot make
// bold, spoilers, headings, links or a bare URL that previews.
func discordEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune("\\*_~`|>#-[]()<:@", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
