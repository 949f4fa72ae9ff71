package alert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// envelope is one message the test SMTP server accepted.
type envelope struct {
	from string
	to   []string
	data []byte
	user string // AUTH PLAIN username, "" without AUTH
	pass string
}

// smtpBackend records what clients send. reject, when set for a stage
// ("rcpt", "data"), is the reply that stage gets instead of OK.
type smtpBackend struct {
	user, pass string
	reject     map[string]*smtp.SMTPError

	mu   sync.Mutex
	msgs []envelope
}

func (b *smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSession{be: b}, nil
}

func (b *smtpBackend) messages() []envelope {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]envelope(nil), b.msgs...)
}

type smtpSession struct {
	be  *smtpBackend
	env envelope
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.be.user || pass != s.be.pass {
			return smtp.ErrAuthFailed
		}
		s.env.user, s.env.pass = user, pass
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.be.user != "" && s.env.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.env.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if e := s.be.reject["rcpt"]; e != nil {
		return e
	}
	s.env.to = append(s.env.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if e := s.be.reject["data"]; e != nil {
		return e
	}
	s.env.data = data
	s.be.mu.Lock()
	s.be.msgs = append(s.be.msgs, s.env)
	s.be.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.env = envelope{user: s.env.user, pass: s.env.pass} }
func (s *smtpSession) Logout() error { return nil }

// smtpMode is how the test server speaks TLS.
type smtpMode int

const (
	plainSMTP smtpMode = iota
	startTLSSMTP
	implicitTLSSMTP
)

// startSMTP serves be on 127.0.0.1:0 and returns the port and a TLS
// config that trusts the server's freshly made certificate.
func startSMTP(t *testing.T, be *smtpBackend, mode smtpMode) (int, *tls.Config) {
	t.Helper()
	serverTLS, clientTLS := selfSigned(t)
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case plainSMTP:
		srv.AllowInsecureAuth = true // a local relay; the client sends credentials only to localhost
	case startTLSSMTP:
		srv.TLSConfig = serverTLS
	case implicitTLSSMTP:
		l = tls.NewListener(l, serverTLS)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	_, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	return p, clientTLS
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a
// client config whose only trusted root is that certificate.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "watcher test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool}
}
