package alert

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestEmailFailures(t *testing.T) {
	tempRcpt := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	permRcpt := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	tempData := &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "queue full"}
	permData := &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"}
	tests := []struct {
		name      string
		reject    map[string]*smtp.SMTPError
		password  string
		trust     bool
		mode      smtpMode
		tls       string
		wantErr   string
		retryable bool
	}{
		{"451 at rcpt", map[string]*smtp.SMTPError{"rcpt": tempRcpt}, testPass, true, startTLSSMTP, "starttls", `451 "4.3.0 try again later"`, true},
		{"550 at rcpt", map[string]*smtp.SMTPError{"rcpt": permRcpt}, testPass, true, startTLSSMTP, "starttls", `550 "5.1.1 no such mailbox"`, false},
		{"452 at data", map[string]*smtp.SMTPError{"data": tempData}, testPass, true, startTLSSMTP, "starttls", `452 "4.3.1 queue full"`, true},
		{"554 at data", map[string]*smtp.SMTPError{"data": permData}, testPass, true, implicitTLSSMTP, "tls", `554 "5.6.0 content rejected"`, false},
		{"wrong password", nil, "wrong-" + testPass, true, startTLSSMTP, "starttls", "535", false},
		{"untrusted certificate", nil, testPass, false, startTLSSMTP, "starttls", "certificate", false},
		{"untrusted certificate implicit", nil, testPass, false, implicitTLSSMTP, "tls", "certificate", false},
		{"no starttls offered", nil, testPass, true, plainSMTP, "starttls", "STARTTLS", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be := &smtpBackend{user: testUser, pass: testPass, reject: tc.reject}
			port, clientTLS := startSMTP(t, be, tc.mode)
			if !tc.trust {
				clientTLS = &tls.Config{}
			}
			e := newTestEmail(t, EmailOptions{To: []string{"desk@example.org"}, From: "w@example.org",
				Host: "127.0.0.1", Port: port, TLS: tc.tls, TLSConfig: clientTLS,
				Username: testUser, Password: tc.password, Timeout: 10 * time.Second})
			err := e.Send(t.Context(), testDigest())
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if !strings.HasPrefix(err.Error(), "send to email desk@example.org: ") || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %q, want one naming the sink and %q", err, tc.wantErr)
			}
			if Retryable(err) != tc.retryable {
				t.Errorf("Retryable = %v, want %v (%v)", Retryable(err), tc.retryable, err)
			}
			if strings.Contains(err.Error(), testPass) {
				t.Errorf("error shows the password: %v", err)
			}
			if n := len(be.messages()); n != 0 {
				t.Errorf("server accepted %d messages", n)
			}
		})
	}
}

func TestEmailConnectionFailures(t *testing.T) {
	refused := func(t *testing.T) int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return port
	}
	silent := func(t *testing.T) int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { c.Close() }) // accept, then never greet
			}
		}()
		return l.Addr().(*net.TCPAddr).Port
	}
	hangUp := func(t *testing.T) int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		return l.Addr().(*net.TCPAddr).Port
	}
	tests := []struct {
		name string
		port func(*testing.T) int
	}{
		{"connection refused", refused},
		{"server never greets", silent},
		{"server hangs up", hangUp},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmail(t, EmailOptions{To: []string{"desk@example.org"}, From: "w@example.org",
				Host: "127.0.0.1", Port: tc.port(t), TLS: "none", Timeout: 300 * time.Millisecond})
			err := e.Send(t.Context(), testDigest())
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if !Retryable(err) {
				t.Errorf("not retryable: %v", err)
			}
		})
	}
}

func TestEmailCancelledContext(t *testing.T) {
	be := &smtpBackend{}
	port, _ := startSMTP(t, be, plainSMTP)
	e := newTestEmail(t, EmailOptions{To: []string{"desk@example.org"}, From: "w@example.org",
		Host: "127.0.0.1", Port: port, TLS: "none"})
	ctx, cancel := contextCancelledSoon(t)
	cancel()
	err := e.Send(ctx, testDigest())
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("Send with a cancelled context = %v", err)
	}
	if !Retryable(err) {
		t.Errorf("a cancelled send is not retryable: %v", err)
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("server got %d messages after cancel", n)
	}
}

func TestNewEmailErrors(t *testing.T) {
	good := EmailOptions{To: []string{"desk@example.org"}, From: "w@example.org", Host: "smtp.example.org"}
	tests := []struct {
		name   string
		change func(*EmailOptions)
		want   []string
	}{
		{"no recipients", func(o *EmailOptions) { o.To = nil }, []string{"to: at least one recipient"}},
		{"bad recipient", func(o *EmailOptions) { o.To = []string{"desk@example.org", "not an address"} }, []string{`to[1] "not an address"`}},
		{"no from", func(o *EmailOptions) { o.From = "" }, []string{`from ""`}},
		{"no host", func(o *EmailOptions) { o.Host = "" }, []string{"host: required"}},
		{"unknown tls", func(o *EmailOptions) { o.TLS = "ssl" }, []string{`tls: must be starttls, tls, opportunistic or none (got "ssl")`}},
		{"587 without starttls", func(o *EmailOptions) { o.Port, o.TLS = 587, "tls" }, []string{"port 587 needs tls: starttls"}},
		{"465 without tls", func(o *EmailOptions) { o.Port = 465 }, []string{"port 465 needs tls: tls"}},
		{"port out of range", func(o *EmailOptions) { o.Port = 70000 }, []string{"port: must be 1-65535 (got 70000)"}},
		{"auth in clear", func(o *EmailOptions) { o.TLS, o.Username, o.Password = "none", "u", testPass }, []string{"password would cross the network in clear"}},
		{"all at once", func(o *EmailOptions) { o.To, o.Host, o.TLS = nil, "", "x" }, []string{"to: at least", "host: required", "tls: must be"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.change(&o)
			_, err := NewEmail(o)
			if err == nil {
				t.Fatal("NewEmail accepted bad options")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), testPass) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	e, err := NewEmail(good)
	if err != nil {
		t.Fatalf("NewEmail(good): %v", err)
	}
	if e.Name() != "email desk@example.org" {
		t.Errorf("Name() = %q", e.Name())
	}
	good.To = []string{"Desk <desk@example.org>", "night@example.org"}
	if e, err = NewEmail(good); err != nil || e.Name() != "email desk@example.org,night@example.org" {
		t.Errorf("Name() with display names = %q (%v)", e.Name(), err)
	}
}
