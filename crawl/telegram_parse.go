package crawl

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/watcher-news/watcher/item"
)

// maxPostTitle is how long, in runes, a post's title may be: a post has
// no title of its own, so its first line or sentence stands for one.
const maxPostTitle = 120

// telegramPage is what one web preview page holds.
type telegramPage struct {
	items  []item.Item
	oldest int // the smallest post id on the page, 0 if none
}

// parseTelegram reads the posts of a channel's web preview page. Each
// .tgme_widget_message with a data-post="channel/id" is one post; service
// messages ("Channel photo updated") are not news and are left out.
func parseTelegram(body []byte, source string) (telegramPage, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return telegramPage{}, fmt.Errorf("read HTML: %w", err)
	}
	posts := doc.Find(".tgme_widget_message[data-post]")
	if posts.Length() == 0 && doc.Find(".tgme_channel_history").Length() == 0 {
		return telegramPage{}, ErrNotAChannel
	}
	var page telegramPage
	posts.Each(func(_ int, m *goquery.Selection) {
		channel, id, ok := postRef(m.AttrOr("data-post", ""))
		if !ok {
			return
		}
		if page.oldest == 0 || id < page.oldest {
			page.oldest = id
		}
		if m.HasClass("service_message") {
			return
		}
		page.items = append(page.items, postItem(m, source, channel, id))
	})
	return page, nil
}

// postRef splits a data-post value ("baku_wire/4183").
func postRef(ref string) (channel string, id int, ok bool) {
	channel, num, ok := strings.Cut(strings.TrimSpace(ref), "/")
	id, err := strconv.Atoi(num)
	if !ok || err != nil || id <= 0 || channel == "" {
		return "", 0, false
	}
	return channel, id, true
}

// postItem makes an item of one post. Its identity is the post's
// canonical link, whatever host served the page (a username is case-
// insensitive, so it is lower-cased); its URL is the link the page gives.
func postItem(m *goquery.Selection, source, channel string, id int) item.Item {
	canonical := DefaultTelegramBase + "/" + strings.ToLower(channel) + "/" + strconv.Itoa(id)
	it := item.Item{Source: source, GUID: canonical, URL: canonical}
	date := m.Find("a.tgme_widget_message_date").First()
	if href := absolute(nil, date.AttrOr("href", "")); href != "" {
		it.URL = href
	}
	if t, err := time.Parse(time.RFC3339, date.Find("time[datetime]").AttrOr("datetime", "")); err == nil {
		it.Published = t
	}
	bubble := m.Find(".tgme_widget_message_bubble").First()
	// A reply quotes the post it answers inside .tgme_widget_message_reply:
	// that text is not this post's.
	text := bubble.Find(".tgme_widget_message_text").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.ParentsFiltered(".tgme_widget_message_reply, .tgme_widget_message_link_preview").Length() == 0
	}).First()
	if len(text.Nodes) > 0 {
		it.Body = cut(postText(text.Nodes[0]), maxBody)
	}
	it.Title = postTitle(it.Body)
	if it.Title == "" {
		it.Title = mediaLabel(bubble, id)
	}
	it.Summary = cut(postContext(bubble), maxSummary)
	return it
}

// postContext is what a post shows besides its text: who it was
// forwarded from, and the preview of the page it links to.
func postContext(bubble *goquery.Selection) string {
	var parts []string
	if from := squash(bubble.Find(".tgme_widget_message_forwarded_from_name").First().Text()); from != "" {
		parts = append(parts, "Forwarded from "+from)
	}
	lp := bubble.Find(".tgme_widget_message_link_preview").First()
	for _, class := range []string{".link_preview_site_name", ".link_preview_title", ".link_preview_description"} {
		if s := squash(lp.Find(class).First().Text()); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// mediaLabel names a post that has no text: a poll by its question, a
// file by its name, otherwise the kind of media.
func mediaLabel(bubble *goquery.Selection, id int) string {
	if q := squash(bubble.Find(".tgme_widget_message_poll_question").First().Text()); q != "" {
		return postTitle("Poll: " + q)
	}
	if d := squash(bubble.Find(".tgme_widget_message_document_title").First().Text()); d != "" {
		return postTitle("File: " + d)
	}
	switch {
	case bubble.Find(".tgme_widget_message_grouped_wrap").Length() > 0:
		return "Album"
	case bubble.Find(".tgme_widget_message_video_player, .tgme_widget_message_roundvideo_player").Length() > 0:
		return "Video"
	case bubble.Find(".tgme_widget_message_photo_wrap").Length() > 0:
		return "Photo"
	case bubble.Find(".tgme_widget_message_sticker_wrap").Length() > 0:
		return "Sticker"
	case bubble.Find(".tgme_widget_message_voice_player, .tgme_widget_message_audio_player").Length() > 0:
		return "Audio"
	case bubble.Find(".message_media_not_supported").Length() > 0:
		return "Post the web preview does not show (open it in Telegram)"
	}
	return "Post " + strconv.Itoa(id)
}

// postText turns a post's text element into plain text: <br> and block
// elements end lines, runs of white space in a line become one space,
// and blank lines become one. Emoji come through as their characters
// (<i class="emoji"><b>⚡️</b></i>: the image is only a style), links
// as their text.
func postText(n *html.Node) string {
	var b strings.Builder
	writePostText(&b, n)
	var lines []string
	blank := true // at the start, and after a blank line
	for line := range strings.SplitSeq(strings.ToValidUTF8(b.String(), "\uFFFD"), "\n") {
		line = squash(line)
		if line == "" {
			if !blank {
				lines = append(lines, "")
			}
			blank = true
			continue
		}
		lines = append(lines, line)
		blank = false
	}
	if blank && len(lines) > 0 {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// writePostText writes the text under n, with a newline for each <br> and
// around each block element.
func writePostText(b *strings.Builder, n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			b.WriteString(c.Data)
		case c.Type != html.ElementNode:
		case c.DataAtom == atom.Br:
			b.WriteByte('\n')
		case c.DataAtom == atom.Script || c.DataAtom == atom.Style:
		case c.DataAtom == atom.Blockquote || c.DataAtom == atom.Pre || c.DataAtom == atom.Div || c.DataAtom == atom.P:
			b.WriteByte('\n')
			writePostText(b, c)
			b.WriteByte('\n')
		default:
			writePostText(b, c)
		}
	}
}

// postTitle is the first line of a post's text, shortened when long: to
// its first sentence if that is long enough to say something, else at a
// word boundary, with an ellipsis.
func postTitle(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	if utf8.RuneCountInString(line) <= maxPostTitle {
		return line
	}
	if end := sentenceEnd(line, maxPostTitle); end > 0 {
		return line[:end]
	}
	short := cutRunes(line, maxPostTitle-1) // a space at its end marks a whole word
	if i := strings.LastIndexByte(short, ' '); i > len(short)/2 {
		short = short[:i]
	}
	return strings.TrimRight(short, " ,;:-–—") + "…"
}

// sentenceEnd returns the byte offset just past the first sentence of s
// that is at least 30 runes long and fits in limit runes, or 0.
func sentenceEnd(s string, limit int) int {
	runes := 0
	for i, r := range s {
		runes++
		if runes > limit {
			return 0
		}
		if runes >= 30 && strings.ContainsRune(".!?…", r) && strings.HasPrefix(s[i+utf8.RuneLen(r):], " ") {
			return i + utf8.RuneLen(r)
		}
	}
	return 0
}

// squash trims s and makes every run of white space in it one space.
func squash(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
