package alert

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

var _ Parted = (*Matrix)(nil)

// MatrixOptions configures a Matrix sink.
type MatrixOptions struct {
	// Homeserver is the client-server API base, https://matrix.example.org.
	Homeserver string
	// Room is the room id, "!abc:example.org".
	Room string
	// Token is the account's access token, sent as a bearer token.
	Token string
	ChatOptions
}

// Matrix sends digests as m.room.message events (m.text with a plain body
// and an HTML formatted_body) with PUT /rooms/{room}/send, whose
// transaction id makes a retried part idempotent: it is the digest id and
// the part's number, and the homeserver drops an event it already has.
type Matrix struct{ chat }

// matrixEvent bounds the two bodies of one event, in bytes as they are
// encoded in JSON: Matrix caps an event at 65,536 bytes, and the rest of
// the event (ids, signatures the server adds) needs room too.
const matrixEvent = 60000

// NewMatrix checks o and returns a Matrix sink.
func NewMatrix(o MatrixOptions) (*Matrix, error) {
	if err := checkChatURL("matrix homeserver", o.Homeserver); err != nil {
		return nil, err
	}
	switch {
	case o.Token == "":
		return nil, errors.New("matrix: token is required")
	case !strings.HasPrefix(o.Room, "!"):
		return nil, errors.New("matrix: room must be a room id such as !abc:example.org")
	}
	base := strings.TrimSuffix(o.Homeserver, "/") + "/_matrix/client/v3/rooms/" + url.PathEscape(o.Room) + "/send/m.room.message/"
	s := &Matrix{chat{name: "matrix " + clean(o.Room), o: o.ChatOptions.withDefaults(), secret: o.Token, format: matrixFormat}}
	s.request = func(ctx context.Context, d Digest, i, _ int, p part) (*http.Request, error) {
		req, err := jsonRequest(ctx, http.MethodPut, base+url.PathEscape(MatrixTxnID(d.ID, i)), matrixMessage{
			MsgType: "m.text", Body: p.text, Format: "org.matrix.custom.html", FormattedBody: p.html,
		})
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+o.Token)
		}
		return req, err
	}
	return s, nil
}

// MatrixTxnID is the transaction id of part i (0-based) of digest id.
func MatrixTxnID(id string, i int) string {
	return id + "." + strconv.Itoa(i+1)
}

type matrixMessage struct {
	MsgType       string `json:"msgtype"`
	Body          string `json:"body"`
	Format        string `json:"format"`
	FormattedBody string `json:"formatted_body"`
}

var matrixFormat = format{
	limit: matrixEvent,
	size:  func(l line) int { return jsonLen(l.text) + jsonLen(l.html) },
	sep:   line{text: "\n", html: "<br>\n"},
	heading: func(title string, i, n int) line {
		h := headingText(title, i, n)
		return line{text: h, html: "<b>" + html.EscapeString(h) + "</b>"}
	},
	topic: func(title string, count int, continued bool) line {
		t := countText(title, count, continued)
		return line{text: "\n" + t, html: "<br>\n<b>" + html.EscapeString(t) + "</b>"}
	},
	item: func(e entryView) line {
		var b strings.Builder
		b.WriteString("• " + e.Title)
		if e.Meta != "" {
			b.WriteString(" · " + e.Meta)
		}
		if e.Link != "" {
			b.WriteString("\n  " + e.Link)
		}
		if e.Snippet != "" {
			b.WriteString("\n  " + e.Snippet)
		}
		return line{text: b.String(), html: htmlItem(e, "<br>")}
	},
	more: func(n int) line { return line{text: moreText(n), html: html.EscapeString(moreText(n))} },
}

// jsonLen is the length of s as a JSON string's contents, encoded
// without HTML escaping: quotes, backslashes and line breaks take two
// bytes, other control characters six.
func jsonLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
			n++
		case c < 0x20:
			n += 5
		}
	}
	return n
}
