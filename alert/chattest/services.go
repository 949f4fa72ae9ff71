package chattest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// slack answers like hooks.slack.com: 200 "ok"; 400 with an error code
// for a bad payload; 404 "no_service" for a wrong token; 429 with
// Retry-After; 500 "internal_error".
func (s *Server) slack(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/services/T0WATCH/B0DESK/"+s.Token {
		http.Error(w, "no_service", http.StatusNotFound)
		return
	}
	var p struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
		UnfurlLinks *bool `json:"unfurl_links"`
		UnfurlMedia *bool `json:"unfurl_media"`
	}
	body, err := decode(r, &p)
	if err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	var texts []string
	total := runes(p.Text)
	for _, b := range p.Blocks {
		if b.Type != "section" || b.Text.Type != "mrkdwn" || b.Text.Text == "" || runes(b.Text.Text) > SlackSection {
			http.Error(w, "invalid_blocks", http.StatusBadRequest)
			return
		}
		texts = append(texts, b.Text.Text)
		total += runes(b.Text.Text)
	}
	switch {
	case p.Text == "" && len(p.Blocks) == 0:
		http.Error(w, "no_text", http.StatusBadRequest)
		return
	case len(p.Blocks) > SlackBlocks:
		http.Error(w, "invalid_blocks", http.StatusBadRequest)
		return
	case total > SlackText:
		http.Error(w, "msg_too_long", http.StatusBadRequest)
		return
	}
	m := Message{Text: strings.Join(texts, "\n"), Title: p.Text, Body: body}
	if ref, ok := s.next(); ok {
		s.record(m, true)
		if ref.RetryAfter > 0 {
			w.Header().Set("Retry-After", secs(ref.RetryAfter))
		}
		if ref.Status == http.StatusTooManyRequests {
			http.Error(w, "rate_limited", ref.Status)
		} else {
			http.Error(w, "internal_error", ref.Status)
		}
		return
	}
	s.record(m, false)
	_, _ = io.WriteString(w, "ok")
}

// discord answers like discord.com/api/webhooks: 204 with no body; 401
// "Invalid Webhook Token" (code 50027); 400 with the field errors (code
// 50035) for content over 2,000 characters; 429 with retry_after in the
// body and the header; 5xx.
func (s *Server) discord(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/api/webhooks/1234567890/") {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
		return
	}
	if r.URL.Path != "/api/webhooks/1234567890/"+s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Invalid Webhook Token", "code": 50027})
		return
	}
	var p struct {
		Content         string `json:"content"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
		Flags int `json:"flags"`
	}
	body, err := decode(r, &p)
	switch {
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Cannot send an empty message", "code": 50006})
		return
	case p.Content == "":
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Cannot send an empty message", "code": 50006})
		return
	case units(p.Content) > DiscordContent:
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035,
			"errors": map[string]any{"content": map[string]any{"_errors": []map[string]string{{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}}}}})
		return
	}
	m := Message{Text: p.Content, Body: body}
	if p.AllowedMentions == nil || len(p.AllowedMentions.Parse) != 0 {
		// Not an error to Discord, but feed text could then ping a channel.
		s.t.Errorf("discord: message allows mentions: %s", body)
	}
	if ref, ok := s.next(); ok {
		s.record(m, true)
		if ref.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", secs(ref.RetryAfter))
			writeJSON(w, ref.Status, map[string]any{"message": "You are being rate limited.", "retry_after": fsecs(ref.RetryAfter), "global": false})
		} else {
			writeJSON(w, ref.Status, map[string]any{"message": "Internal Server Error", "code": 0})
		}
		return
	}
	s.record(m, false)
	w.WriteHeader(http.StatusNoContent)
}

// telegram answers like the Bot API: {"ok":true,"result":{...}}; 401
// Unauthorized for a wrong token; 400 "chat not found", "message is too
// long" or "can't parse entities"; 429 with parameters.retry_after; 5xx.
func (s *Server) telegram(w http.ResponseWriter, r *http.Request) {
	fail := func(code int, desc string, params map[string]any) {
		a := map[string]any{"ok": false, "error_code": code, "description": desc}
		if params != nil {
			a["parameters"] = params
		}
		writeJSON(w, code, a)
	}
	if r.URL.Path != "/bot"+s.Token+"/sendMessage" {
		fail(http.StatusUnauthorized, "Unauthorized", nil)
		return
	}
	if r.Method != http.MethodPost {
		fail(http.StatusBadRequest, "Bad Request: method must be POST", nil)
		return
	}
	var p struct {
		ChatID      string `json:"chat_id"`
		Text        string `json:"text"`
		ParseMode   string `json:"parse_mode"`
		LinkPreview struct {
			IsDisabled bool `json:"is_disabled"`
		} `json:"link_preview_options"`
	}
	body, err := decode(r, &p)
	switch {
	case err != nil:
		fail(http.StatusBadRequest, "Bad Request: "+err.Error(), nil)
		return
	case p.ChatID != s.Chat:
		fail(http.StatusBadRequest, "Bad Request: chat not found", nil)
		return
	case p.Text == "":
		fail(http.StatusBadRequest, "Bad Request: message text is empty", nil)
		return
	case p.ParseMode != "HTML":
		fail(http.StatusBadRequest, "Bad Request: want parse_mode HTML in this test", nil)
		return
	}
	visible, err := telegramEntities(p.Text)
	if err != nil {
		fail(http.StatusBadRequest, "Bad Request: can't parse entities: "+err.Error(), nil)
		return
	}
	if units(visible) > TelegramText {
		fail(http.StatusBadRequest, "Bad Request: message is too long", nil)
		return
	}
	m := Message{Text: p.Text, Body: body}
	if ref, ok := s.next(); ok {
		s.record(m, true)
		if ref.Status == http.StatusTooManyRequests {
			fail(ref.Status, fmt.Sprintf("Too Many Requests: retry after %d", ref.RetryAfter), map[string]any{"retry_after": ref.RetryAfter})
		} else {
			fail(ref.Status, "Internal Server Error", nil)
		}
		return
	}
	s.record(m, false)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": map[string]any{"message_id": len(s.Messages()), "chat": map[string]any{"username": strings.TrimPrefix(s.Chat, "@")}}})
}

// matrix answers like a homeserver's PUT
// /_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}: 200 with
// the event id, the same one again for a transaction id already used
// (and no second event); 401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN; 403
// M_FORBIDDEN for another room; 413 M_TOO_LARGE; 429 M_LIMIT_EXCEEDED
// with retry_after_ms; 5xx.
func (s *Server) matrix(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, msg string, extra map[string]any) {
		a := map[string]any{"errcode": code, "error": msg}
		for k, v := range extra {
			a[k] = v
		}
		writeJSON(w, status, a)
	}
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		fail(http.StatusUnauthorized, "M_MISSING_TOKEN", "Missing access token", nil)
		return
	case auth != "Bearer "+s.Token:
		fail(http.StatusUnauthorized, "M_UNKNOWN_TOKEN", "Unrecognised access token", nil)
		return
	}
	prefix := "/_matrix/client/v3/rooms/" + s.Room + "/send/m.room.message/"
	path := r.URL.Path // decoded: the room id's ! and : come back as sent
	if r.Method != http.MethodPut || !strings.HasPrefix(path, prefix) || len(path) == len(prefix) {
		fail(http.StatusForbidden, "M_FORBIDDEN", "not in room", nil)
		return
	}
	txn := path[len(prefix):]
	var p struct {
		MsgType       string `json:"msgtype"`
		Body          string `json:"body"`
		Format        string `json:"format"`
		FormattedBody string `json:"formatted_body"`
	}
	body, err := decode(r, &p)
	switch {
	case err != nil:
		fail(http.StatusBadRequest, "M_BAD_JSON", err.Error(), nil)
		return
	case len(body) > MatrixEventBytes-1000: // the server adds ids and signatures
		fail(http.StatusRequestEntityTooLarge, "M_TOO_LARGE", "event too large", nil)
		return
	case p.MsgType != "m.text" || p.Body == "" || (p.FormattedBody != "" && p.Format != "org.matrix.custom.html"):
		fail(http.StatusBadRequest, "M_BAD_JSON", "not an m.text message", nil)
		return
	}
	s.mu.Lock()
	ev, seen := s.events[txn]
	if seen {
		s.repeats++
	}
	s.mu.Unlock()
	if seen {
		writeJSON(w, http.StatusOK, map[string]string{"event_id": ev})
		return
	}
	m := Message{Text: p.Body, HTML: p.FormattedBody, TxnID: txn, Body: body}
	if ref, ok := s.next(); ok {
		s.record(m, true)
		if ref.Status == http.StatusTooManyRequests {
			fail(ref.Status, "M_LIMIT_EXCEEDED", "Too many requests", map[string]any{"retry_after_ms": millis(ref.RetryAfter)})
		} else {
			fail(ref.Status, "M_UNKNOWN", "Internal server error", nil)
		}
		return
	}
	s.mu.Lock()
	ev = fmt.Sprintf("$event%d", len(s.events)+1)
	s.events[txn] = ev
	s.accepted = append(s.accepted, m)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"event_id": ev})
}

// ntfy answers like an ntfy server's JSON publishing at its root: 200
// with the message; 401/403 (codes 40101, 40301) for a missing or wrong
// token; 400 (40001) for bad JSON; 413 for a message over 4,096 bytes
// (the real server attaches it as a file instead: never what a digest
// wants); 429 (42901); 5xx.
func (s *Server) ntfy(w http.ResponseWriter, r *http.Request) {
	fail := func(status, code int, msg string) {
		writeJSON(w, status, map[string]any{"code": code, "http": status, "error": msg})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		fail(http.StatusNotFound, 40401, "page not found")
		return
	}
	switch auth := r.Header.Get("Authorization"); {
	case auth == "":
		fail(http.StatusForbidden, 40301, "forbidden")
		return
	case auth != "Bearer "+s.Token:
		fail(http.StatusUnauthorized, 40101, "unauthorized")
		return
	}
	var p struct {
		Topic   string `json:"topic"`
		Title   string `json:"title"`
		Message string `json:"message"`
	}
	body, err := decode(r, &p)
	switch {
	case err != nil || p.Topic != "desk":
		fail(http.StatusBadRequest, 40001, "invalid request: "+fmt.Sprint(err))
		return
	case len(p.Message) > NtfyMessageBytes:
		fail(http.StatusRequestEntityTooLarge, 41301, "message too large for a test: it would be an attachment")
		return
	}
	m := Message{Text: p.Message, Title: p.Title, Body: body}
	if ref, ok := s.next(); ok {
		s.record(m, true)
		if ref.Status == http.StatusTooManyRequests {
			fail(ref.Status, 42901, "limit reached: too many requests")
		} else {
			fail(ref.Status, 50001, "internal server error")
		}
		return
	}
	s.record(m, false)
	writeJSON(w, http.StatusOK, map[string]any{"id": fmt.Sprintf("m%d", len(s.Messages())), "event": "message", "topic": p.Topic, "message": p.Message})
}
