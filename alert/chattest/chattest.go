// Package chattest runs local servers that speak the chat services' APIs
// as the chat sinks use them (a Slack incoming webhook, a Discord webhook,
// the Telegram Bot API's sendMessage, a Matrix homeserver's send event,
// ntfy's JSON publishing), for tests over real sockets. Each checks what
// the real service checks (method, path and token, content type, the JSON
// shape, the size limit), answers in that service's format, and can be
// told to refuse the next requests with a rate limit or a server error,
// answered as the service answers them.
//
// It imports nothing from the project, so any package's tests may use it.
package chattest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// Message is one message a server accepted or refused.
type Message struct {
	// Text is what the service shows: Slack's blocks joined by newlines,
	// Discord's content, Telegram's text, Matrix's body, ntfy's message.
	Text string
	// HTML is Matrix's formatted_body.
	HTML string
	// Title is ntfy's title; Slack's notification text.
	Title string
	// TxnID is Matrix's transaction id.
	TxnID string
	// Body is the request body as sent.
	Body []byte
}

// Refusal is how a server answers one request it is told to refuse.
type Refusal struct {
	// Status is 429 (a rate limit) or a 5xx.
	Status int
	// RetryAfter is the wait the answer asks for, in seconds, in the
	// service's own way: Retry-After for Slack, retry_after in the body
	// (and the header) for Discord, parameters.retry_after for Telegram,
	// retry_after_ms for Matrix. ntfy says nothing.
	RetryAfter int
}

// Server is one service's endpoint.
type Server struct {
	// Service is "slack", "discord", "telegram", "matrix" or "ntfy".
	Service string
	// Token is what the service expects: the webhook token (Slack,
	// Discord), the bot token (Telegram), the access token (Matrix,
	// ntfy).
	Token string
	// Room and Chat are Matrix's room id and Telegram's chat.
	Room, Chat string

	srv      *httptest.Server
	t        testing.TB
	mu       sync.Mutex
	accepted []Message
	refused  []Message
	queue    []Refusal
	pass     int               // requests to let through before after
	after    *Refusal          // refusal once pass requests went through
	events   map[string]string // Matrix: txn id to event id
	repeats  int               // Matrix: PUTs of a txn id already sent
}

// Limits the services put on one message, as they count them.
const (
	SlackBlocks      = 50
	SlackSection     = 3000
	SlackText        = 40000
	DiscordContent   = 2000
	TelegramText     = 4096
	MatrixEventBytes = 65536
	NtfyMessageBytes = 4096
)

func start(t testing.TB, s *Server, h http.HandlerFunc) *Server {
	s.t = t
	s.events = map[string]string{}
	s.srv = httptest.NewServer(h)
	t.Cleanup(s.srv.Close)
	return s
}

// NewSlack starts a Slack incoming webhook.
func NewSlack(t testing.TB) *Server {
	s := &Server{Service: "slack", Token: "slack-hook-token-5e1"}
	return start(t, s, s.slack)
}

// NewDiscord starts a Discord channel webhook.
func NewDiscord(t testing.TB) *Server {
	s := &Server{Service: "discord", Token: "discord-hook-token-d15"}
	return start(t, s, s.discord)
}

// NewTelegram starts a Bot API server for one bot posting to one chat.
func NewTelegram(t testing.TB) *Server {
	s := &Server{Service: "telegram", Token: "123456:tg-bot-token-7e1", Chat: "@azal_desk"}
	return start(t, s, s.telegram)
}

// NewMatrix starts a homeserver with one room the token may post to.
func NewMatrix(t testing.TB) *Server {
	s := &Server{Service: "matrix", Token: "syt_mx-access-token-3a7", Room: "!desk:example.org"}
	return start(t, s, s.matrix)
}

// NewNtfy starts an ntfy server with one topic, "desk", protected by a
// token.
func NewNtfy(t testing.TB) *Server {
	s := &Server{Service: "ntfy", Token: "tk_ntfy-token-9b2"}
	return start(t, s, s.ntfy)
}

// URL is the server's base URL: Telegram's api, Matrix's homeserver.
func (s *Server) URL() string { return s.srv.URL }

// HookURL is the URL a sink posts to: the Slack or Discord webhook with
// its token, or the ntfy topic.
func (s *Server) HookURL() string {
	switch s.Service {
	case "slack":
		return s.srv.URL + "/services/T0WATCH/B0DESK/" + s.Token
	case "discord":
		return s.srv.URL + "/api/webhooks/1234567890/" + s.Token
	case "ntfy":
		return s.srv.URL + "/desk"
	}
	return s.srv.URL
}

// RefuseNext makes the next requests, one each, get these answers.
func (s *Server) RefuseNext(r ...Refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, r...)
}

// Messages returns the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.accepted...)
}

// Refused returns the well-formed messages refused on request, in order.
func (s *Server) Refused() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.refused...)
}

// Repeats counts Matrix PUTs of a transaction id already accepted: the
// homeserver answered them with the first event and posted nothing.
func (s *Server) Repeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.repeats
}

// next pops the refusal for this request, if one is queued.
func (s *Server) next() (Refusal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.after != nil {
		if s.pass > 0 {
			s.pass--
			return Refusal{}, false
		}
		r := *s.after
		s.after = nil
		return r, true
	}
	if len(s.queue) == 0 {
		return Refusal{}, false
	}
	r := s.queue[0]
	s.queue = s.queue[1:]
	return r, true
}

func (s *Server) record(m Message, refused bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if refused {
		s.refused = append(s.refused, m)
	} else {
		s.accepted = append(s.accepted, m)
	}
}

// decode reads a JSON body strictly into v: an unknown field is a
// mistake the test should see, though the services ignore most.
func decode(r *http.Request, v any) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, fmt.Errorf("content type %q, want application/json", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("decode body: %w", err)
	}
	return body, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func runes(s string) int  { return utf8.RuneCountInString(s) }
func units(s string) int  { return len(utf16.Encode([]rune(s))) }
func secs(n int) string   { return strconv.Itoa(n) }
func millis(n int) int    { return n * 1000 }
func fsecs(n int) float64 { return float64(n) }

// Close shuts the server down, so that a test can see a sink fail to
// connect.
func (s *Server) Close() { s.srv.Close() }

// AcceptThenRefuse lets the next n requests through and refuses the one
// after with r.
func (s *Server) AcceptThenRefuse(n int, r Refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pass = n
	s.after = &r
}
