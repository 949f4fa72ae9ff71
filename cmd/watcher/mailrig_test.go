package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// mailRig is a real SMTP server on 127.0.0.1 with STARTTLS (a certificate
// of its own, which a client trusts through the file certFile) and AUTH
// PLAIN for one user. It records every message and every password tried.
type mailRig struct {
	host     string
	port     int
	certFile string
	user     string
	pass     string

	mu       sync.Mutex
	messages [][]byte
	tried    []string // passwords clients offered
}

func newMailRig(t *testing.T, user, pass string) *mailRig {
	m := &mailRig{user: user, pass: pass}
	cert, pemBytes := selfSigned(t)
	m.certFile = filepath.Join(t.TempDir(), "smtp-ca.pem")
	writeFile(t, m.certFile, string(pemBytes))
	srv := smtp.NewServer(mailBackend{m})
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	addr := l.Addr().(*net.TCPAddr)
	m.host, m.port = addr.IP.String(), addr.Port
	return m
}

// alertYAML is the email alert block for this server.
func (m *mailRig) alertYAML(password string) string {
	return "  email:\n    - to: [desk@example.org]\n      from: watcher@example.org\n      smtp:\n        host: " + m.host +
		"\n        port: " + strconv.Itoa(m.port) + "\n        username: " + m.user + "\n        " + password + "\n        tls: starttls\n"
}

func (m *mailRig) received() ([][]byte, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.messages...), append([]string(nil), m.tried...)
}

// selfSigned makes a certificate for 127.0.0.1 and returns it with its
// PEM, which is also the CA a client must trust.
func selfSigned(t *testing.T) (tls.Certificate, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "watcher test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

type mailBackend struct{ m *mailRig }

func (b mailBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailSession{m: b.m}, nil
}

type mailSession struct {
	m      *mailRig
	authed bool
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.m.mu.Lock()
		s.m.tried = append(s.m.tried, pass)
		s.m.mu.Unlock()
		if user != s.m.user || pass != s.m.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (s *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	s.m.messages = append(s.m.messages, data)
	s.m.mu.Unlock()
	return nil
}

func (s *mailSession) Reset() {}

func (s *mailSession) Logout() error { return nil }
