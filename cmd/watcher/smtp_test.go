package main

import (
	"fmt"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// message is one mail as the SMTP server read it, with what it answered.
type message struct {
	messageID, digestID string
	rejected            error // nil: accepted
}

// smtpServer is a real SMTP server in-process on 127.0.0.1. It reads and
// parses every message, then accepts or rejects it as answer says.
type smtpServer struct {
	addr   string
	mu     sync.Mutex
	msgs   []message
	answer func(n int) error // n counts messages from 0; nil accepts
}

func newSMTPServer(t *testing.T, answer func(n int) error) *smtpServer {
	s := &smtpServer{answer: answer}
	srv := smtp.NewServer(smtpBackend{s: s, t: t})
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) setAnswer(answer func(n int) error) {
	s.mu.Lock()
	s.answer = answer
	s.mu.Unlock()
}

func (s *smtpServer) messages() []message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]message(nil), s.msgs...)
}

// alerts is the alerts section that sends mail to this server.
func (s *smtpServer) alerts(maxAttempts int) string {
	host, port, _ := strings.Cut(s.addr, ":")
	return fmt.Sprintf("delivery:\n  max_attempts: %d\n  timeout: 5s\nalerts:\n  email:\n"+
		"    - to: [desk@example.org]\n      from: watcher@example.org\n      smtp: { host: %s, port: %s, tls: none }\n",
		maxAttempts, host, port)
}

type smtpBackend struct {
	s *smtpServer
	t *testing.T
}

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return smtpSession(b), nil }

type smtpSession smtpBackend

func (smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (smtpSession) Reset()                               {}
func (smtpSession) Logout() error                        { return nil }

func (ss smtpSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		ss.t.Errorf("smtp: unreadable message: %v", err)
		return err
	}
	_, _ = io.Copy(io.Discard, m.Body)
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := message{messageID: m.Header.Get("Message-Id"), digestID: m.Header.Get("X-Watcher-Digest-Id")}
	msg.rejected = s.answer(len(s.msgs))
	s.msgs = append(s.msgs, msg)
	return msg.rejected
}

// Replies a mail server gives when it cannot take a message now, and when
// it will never take it.
var (
	smtpTempFail = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	smtpPermFail = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"}
)
