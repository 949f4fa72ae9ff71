package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// matchingFeed serves one recent item that matches sputnik-detainees.
func matchingFeed(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>F</title><item><title>Kartavykh remains in custody</title>`+
			`<link>http://news.example/1</link><guid>1</guid><pubDate>%s</pubDate></item></channel></rss>`,
			time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/feed"
}

// signedHook answers 500 to everything and records the signatures sent.
type signedHook struct {
	mu   sync.Mutex
	sigs map[string][]string // path -> "signature body"
}

func newSignedHook(t *testing.T) (*signedHook, string) {
	h := &signedHook{sigs: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.sigs[r.URL.Path] = append(h.sigs[r.URL.Path], r.Header.Get("X-Watcher-Signature")+" "+string(body))
		h.mu.Unlock()
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// signedWith reports whether a request to path was signed with secret.
func (h *signedHook) signedWith(path, secret string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.sigs[path] {
		sig, body, _ := strings.Cut(s, " ")
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(body))
		if sig == "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			return true
		}
	}
	return false
}

// TestSecretsNeverShown: webhook secrets and SMTP passwords, from the
// environment and from *_file, are used (the signatures verify, the SMTP
// server sees the passwords) and yet appear in no output of runs where
// every sink fails, in either log format at debug level, nor in `watcher
// check` (of the good file and of a broken one) or `watcher status`.
func TestSecretsNeverShown(t *testing.T) {
	secrets := map[string]string{
		"hook env": "hook-env-S3cr3t-7f2a", "hook file": "hook-file-S3cr3t-91bc",
		"smtp env": "smtp-env-S3cr3t-c4d1", "smtp file": "smtp-file-S3cr3t-e5f0",
	}
	hook, hookURL := newSignedHook(t)
	mr := newMailRig(t, "watcher", "the-server-wants-another") // refuses both
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "hook.secret"), secrets["hook file"]+"\n")
	writeFile(t, filepath.Join(dir, "smtp.secret"), secrets["smtp file"]+"\n")
	email := func(name, password string) string {
		return strings.Replace(mr.alertYAML(password), "    - to:", "    - name: "+name+"\n      to:", 1)
	}
	cfg := "state: watcher.db\nbackfill: 24h\nsources:\n  - name: news\n    feed: " + matchingFeed(t) + "\n" + shippedTopics(t) +
		"alerts:\n  webhook:\n    - name: hook-env\n      url: " + hookURL + "/env\n      secret: ${WATCHER_TEST_HOOK_SECRET}\n" +
		"    - name: hook-file\n      url: " + hookURL + "/file\n      secret_file: hook.secret\n" +
		email("mail-env", "password: ${WATCHER_TEST_SMTP_PASS}") + strings.TrimPrefix(email("mail-file", "password_file: smtp.secret"), "  email:\n")
	writeConfig(t, dir, cfg)
	writeFile(t, filepath.Join(dir, "broken.yaml"), strings.Replace(cfg, "secret_file: hook.secret", "secret_file: hook.secret\n      colour: red", 1))
	env := []string{"WATCHER_TEST_HOOK_SECRET=" + secrets["hook env"], "WATCHER_TEST_SMTP_PASS=" + secrets["smtp env"], "SSL_CERT_FILE=" + mr.certFile}

	var all strings.Builder
	for _, run := range []struct {
		args []string
		want int
	}{
		{[]string{"--once", "--log-level", "debug"}, exitFailed},
		{[]string{"--once", "--log-level", "debug", "--log-format", "json"}, exitFailed},
		{[]string{"check"}, exitOK},
		{[]string{"check", "--config", "broken.yaml"}, exitUsage},
		{[]string{"status"}, exitOK},
	} {
		r := watcherMeasured(t, dir, env, run.args...)
		if r.code != run.want {
			t.Errorf("watcher %v: exit %d, want %d\n%s", run.args, r.code, run.want, r.stderr)
		}
		all.WriteString(r.stdout + r.stderr)
	}
	checkNoSecrets(t, all.String(), secrets)
	if !hook.signedWith("/env", secrets["hook env"]) || !hook.signedWith("/file", secrets["hook file"]) {
		t.Error("the webhooks were not signed with the configured secrets: the test proves nothing")
	}
	if _, tried := mr.received(); !strings.Contains(strings.Join(tried, " "), secrets["smtp env"]) || !strings.Contains(strings.Join(tried, " "), secrets["smtp file"]) {
		t.Errorf("the SMTP server saw passwords %q, want both configured ones: the test proves nothing", tried)
	}
	for _, want := range []string{"500 Internal Server Error", "535"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the failures are not reported (no %q):\n%s", want, all.String())
		}
	}
}

// checkNoSecrets fails if any secret shows up in out, as it is or in the
// encodings a careless log might use (AUTH PLAIN's base64, hex).
func checkNoSecrets(t *testing.T, out string, secrets map[string]string) {
	t.Helper()
	for name, s := range secrets {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte("\x00watcher\x00" + s)), hex.EncodeToString([]byte(s)), s[len(s)/2:]} {
			if strings.Contains(out, form) {
				t.Errorf("the %s secret appears in the output as %q", name, form)
			}
		}
	}
}

// TestWebhookTLSVerified: a webhook whose certificate the system does not
// trust gets nothing, with a certificate error in the log; trusting its
// certificate (SSL_CERT_FILE) makes the same delivery go through, so the
// failure was the verification and nothing else.
func TestWebhookTLSVerified(t *testing.T) {
	var got sync.Map
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got.Store(r.URL.Path, true) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	writeConfig(t, dir, "state: watcher.db\nbackfill: 24h\nsources:\n  - name: news\n    feed: "+matchingFeed(t)+"\n"+
		shippedTopics(t)+"alerts:\n  webhook:\n    - url: "+srv.URL+"/hook\n")
	r := watcher(t, dir, nil, "--once")
	if r.code != exitFailed || !strings.Contains(logLineOf(r.stderr, "digest not delivered, will retry"), "certificate") {
		t.Errorf("exit %d; want 1 and a certificate error in the log:\n%s", r.code, r.stderr)
	}
	if _, ok := got.Load("/hook"); ok {
		t.Fatal("the untrusted webhook received the digest")
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, ca, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	if r := watcherMeasured(t, dir, []string{"SSL_CERT_FILE=" + ca}, "--once"); r.code != exitOK {
		t.Errorf("with the certificate trusted: exit %d\n%s", r.code, r.stderr)
	}
	if _, ok := got.Load("/hook"); !ok {
		t.Error("with the certificate trusted the webhook still got nothing")
	}
}
