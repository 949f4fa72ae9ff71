package alert

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"
)

const (
	testUser = "desk"
	testPass = "pa55-w0rd-xyz"
)

func newTestEmail(t *testing.T, o EmailOptions) *Email {
	t.Helper()
	e, err := NewEmail(o)
	if err != nil {
		t.Fatalf("NewEmail: %v", err)
	}
	return e
}

func TestEmailDelivers(t *testing.T) {
	tests := []struct {
		name     string
		mode     smtpMode
		tls      string
		auth     bool
		wantUser string
	}{
		{"starttls with auth", startTLSSMTP, "starttls", true, testUser},
		{"implicit tls with auth", implicitTLSSMTP, "tls", true, testUser},
		{"local relay without tls", plainSMTP, "none", false, ""},
		{"opportunistic, relay offers starttls", startTLSSMTP, "opportunistic", true, testUser},
		{"opportunistic, local relay offers no tls", plainSMTP, "opportunistic", true, testUser},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be := &smtpBackend{}
			if tc.auth {
				be.user, be.pass = testUser, testPass
			}
			port, clientTLS := startSMTP(t, be, tc.mode)
			o := EmailOptions{
				To: []string{"desk@example.org", "Night Editor <night@example.org>"}, From: "watcher@example.org",
				Host: "127.0.0.1", Port: port, TLS: tc.tls, TLSConfig: clientTLS, Timeout: 10 * time.Second,
			}
			if tc.auth {
				o.Username, o.Password = testUser, testPass
			}
			if err := newTestEmail(t, o).Send(t.Context(), testDigest()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := be.messages()
			if len(msgs) != 1 {
				t.Fatalf("server got %d messages, want 1", len(msgs))
			}
			env := msgs[0]
			if env.user != tc.wantUser || (tc.auth && env.pass != testPass) {
				t.Errorf("AUTH PLAIN got user %q pass %q", env.user, env.pass)
			}
			if env.from != "watcher@example.org" || strings.Join(env.to, ",") != "desk@example.org,night@example.org" {
				t.Errorf("envelope from %q to %v", env.from, env.to)
			}
			checkMessage(t, env.data)
		})
	}
}

// checkMessage parses a received message as a mail client would.
func checkMessage(t *testing.T, data []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, data)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject %q: %v", h.Get("Subject"), err)
	}
	if want := Subject(testDigest()); subject != want {
		t.Errorf("Subject = %q, want %q", subject, want)
	}
	for key, want := range map[string]string{
		"Message-Id":          "<d-20250701-0930@watcher>",
		"X-Watcher-Digest-Id": "d-20250701-0930",
		"From":                "<watcher@example.org>",
		"User-Agent":          "watcher",
	} {
		if got := h.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 2 || to[1].Name != "Night Editor" {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	parts := alternativeParts(t, msg)
	text := strings.ReplaceAll(parts["text/plain"], "\r\n", "\n")
	if strings.TrimSpace(text) != strings.TrimSpace(RenderText(testDigest())) {
		t.Errorf("text part differs from RenderText:\n%s", text)
	}
	html := parts["text/html"]
	if !strings.Contains(html, "&lt;script&gt;") || strings.Contains(html, "<script>") {
		t.Errorf("HTML part does not escape the <script> title")
	}
	if strings.Contains(html, `href="javascript:`) || !strings.Contains(html, "link (not opened): javascript:") {
		t.Errorf("HTML part links the javascript: URL")
	}
	if !strings.Contains(html, `<a href="https://www.interfax.ru/russia/1000001">Суд в Екатеринбурге`) {
		t.Errorf("HTML part lacks the Russian item linked")
	}
}

// alternativeParts checks the body is multipart/alternative and returns
// its parts, transfer-decoded, by media type.
func alternativeParts(t *testing.T, msg *mail.Message) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if pp["charset"] != "UTF-8" && pp["charset"] != "utf-8" {
			t.Errorf("%s part charset = %q", pt, pp["charset"])
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("read %s part: %v", pt, err)
		}
		parts[pt] = string(body)
	}
	if len(parts) != 2 || parts["text/plain"] == "" || parts["text/html"] == "" {
		t.Fatalf("parts = %v, want text/plain and text/html", mapKeys(parts))
	}
	return parts
}

func mapKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestEmailSubjectPrefix(t *testing.T) {
	be := &smtpBackend{}
	port, _ := startSMTP(t, be, plainSMTP)
	e := newTestEmail(t, EmailOptions{To: []string{"desk@example.org"}, From: "w@example.org",
		Subject: "[desk]", Host: "127.0.0.1", Port: port, TLS: "none"})
	if err := e.Send(t.Context(), testDigest()); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(be.messages()[0].data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if want := "[desk] " + Subject(testDigest()); subject != want {
		t.Errorf("Subject = %q, want %q", subject, want)
	}
}
