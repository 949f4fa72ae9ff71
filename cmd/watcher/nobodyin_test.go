package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
)

// hostileServer serves an RSS and a JSON feed whose every field tries to
// get somewhere: markup and script, javascript: and data: links, a link
// that breaks out of an attribute, control characters (C0 through JSON
// escapes, C1 in XML, where C0 is not allowed) and bidirectional
// overrides. Every item matches the sputnik-detainees topic.
func hostileServer(t *testing.T) string {
	date := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	rss := `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Hostile</title><link>http://hostile.example/</link>
<item><title>Kartavykh &amp;lt;script&amp;gt;alert("title")&amp;lt;/script&amp;gt; ` + "\u202egnp.exe\u202c \u2066iso\u2069 \u0085nel\u009bcsi \u200frlm" + `</title>
<link>javascript:alert(1)</link><guid isPermaLink="false">h1</guid><pubDate>` + date + `</pubDate>
<description><![CDATA[<p>Kartavykh <a href="javascript:alert(2)">click</a> <img src=x onerror="alert(3)"> <script>alert(4)</script> ` + "\u202eevil\u202c" + `</p>]]></description></item>
<item><title>Kartavykh breaks out</title><link>http://evil.example/"&gt;&lt;script&gt;alert(6)&lt;/script&gt;</link><pubDate>` + date + `</pubDate></item>
<item><title>Kartavykh data link</title><link>data:text/html,&lt;script&gt;alert(7)&lt;/script&gt;</link><guid>h3</guid><pubDate>` + date + `</pubDate></item>
<item><title>Kartavykh vbscript link</title><link>vbscript:msgbox(1)</link><guid>h4</guid><pubDate>` + date + `</pubDate></item>
</channel></rss>`
	jsonFeed, err := json.Marshal(map[string]any{
		"version": "https://jsonfeed.org/version/1.1", "title": "Hostile JSON",
		"items": []map[string]any{{
			"id": "j1", "url": "javascript:alert(8)", "date_published": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
			"title":        "Kartavykh \u0001\u0007\u001b[31mred\u001b[0m \u202eevil\u202c \u2066x\u2069 \u200e\u061c",
			"content_html": "<script>alert(9)</script><p>Kartavykh \u0000\u001b]8;;http://evil.example\u0007text</p>",
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/json" {
			w.Header().Set("Content-Type", "application/feed+json")
			w.Write(jsonFeed)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rss)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestHostileTextReachesNobody runs the hostile feeds through the whole
// pipeline to a real SMTP server, a real webhook and standard output, and
// checks that no markup, no script link, no control or bidirectional
// character arrives, while the items themselves do.
func TestHostileTextReachesNobody(t *testing.T) {
	base := hostileServer(t)
	sources := "backfill: 24h\nsources:\n  - name: hostile-rss\n    feed: " + base + "/rss\n  - name: hostile-json\n    feed: " + base + "/json\n"
	mr := newMailRig(t, "watcher", "mail-pass")
	hook, hookURL := newHook(t)
	dir, plain := t.TempDir(), t.TempDir()
	writeConfig(t, dir, "state: watcher.db\n"+sources+shippedTopics(t)+"alerts:\n  webhook:\n    - url: "+hookURL+"\n"+
		mr.alertYAML("password: ${WATCHER_TEST_MAIL_PASS}"))
	writeConfig(t, plain, "state: watcher.db\n"+sources+shippedTopics(t))
	env := []string{"SSL_CERT_FILE=" + mr.certFile, "WATCHER_TEST_MAIL_PASS=mail-pass"}
	if r := watcherMeasured(t, dir, env, "--once"); r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	out := watcher(t, plain, nil, "--once")
	if out.code != exitOK {
		t.Fatalf("stdout run: exit %d\n%s", out.code, out.stderr)
	}
	msgs, _ := mr.received()
	if len(msgs) != 1 {
		t.Fatalf("SMTP server got %d messages, want 1", len(msgs))
	}
	subject, text, html := readMail(t, msgs[0])
	_, digests := deliveredURLs(t, hook)
	if len(digests) != 1 {
		t.Fatalf("webhook got %d digests, want 1", len(digests))
	}
	for name, s := range map[string]string{"subject": subject, "text part": text, "HTML part": html, "webhook": digests[0], "stdout": out.stdout} {
		checkNothingHostile(t, name, s)
		if name != "subject" && !strings.Contains(s, "Kartavykh") {
			t.Errorf("%s: the hostile items did not arrive:\n%s", name, s)
		}
	}
	checkHTMLEscaped(t, html)
	checkPayloadURLs(t, digests[0])
}

// readMail parses a message: its decoded subject, text and HTML parts.
func readMail(t *testing.T, raw []byte) (subject, text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p // multipart decodes quoted-printable itself
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, p)
		} else if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(p)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/html"):
			html = string(body)
		case strings.HasPrefix(ct, "text/plain"):
			text = string(body)
		}
	}
	if text == "" || html == "" {
		t.Fatalf("mail lacks a text or an HTML part:\n%s", raw)
	}
	return subject, text, html
}

// checkNothingHostile fails on control characters (other than line
// breaks and tabs), bidirectional controls, and script or data links.
func checkNothingHostile(t *testing.T, name, s string) {
	t.Helper()
	for _, r := range s {
		if r != '\n' && r != '\r' && r != '\t' && unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Errorf("%s carries the character %U", name, r)
		}
	}
	low := strings.ToLower(s)
	for _, bad := range []string{"javascript:", "vbscript:", "data:text"} {
		if strings.Contains(low, bad) {
			t.Errorf("%s carries %q", name, bad)
		}
	}
}

var hrefAttr = regexp.MustCompile(`(?i)\bhref\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)

// checkHTMLEscaped: the HTML mail has no script element or handler, only
// http(s) links, and shows the title's literal markup as text.
func checkHTMLEscaped(t *testing.T, html string) {
	t.Helper()
	low := strings.ToLower(html)
	for _, bad := range []string{"<script", "onerror", "<img"} {
		if strings.Contains(low, bad) {
			t.Errorf("HTML mail carries %q", bad)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;alert(") {
		t.Errorf("HTML mail does not show the title's literal <script> escaped:\n%s", html)
	}
	for _, m := range hrefAttr.FindAllStringSubmatch(html, -1) {
		href := strings.Trim(m[1], `"'`)
		if !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "https://") {
			t.Errorf("HTML mail links to %q", href)
		}
	}
}

// checkPayloadURLs: every item URL in the webhook payload, and every URL
// of the other reports of an item's story, is http(s) or absent.
func checkPayloadURLs(t *testing.T, raw string) {
	t.Helper()
	type report struct{ URL string }
	var d struct {
		Topics []struct {
			Items []struct {
				URL  string
				Also []report
			} `json:"items"`
		} `json:"topics"`
	}
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tp := range d.Topics {
		for _, it := range tp.Items {
			for _, r := range append([]report{{it.URL}}, it.Also...) {
				n++
				if r.URL != "" && !strings.HasPrefix(r.URL, "http://") && !strings.HasPrefix(r.URL, "https://") {
					t.Errorf("webhook item URL %q", r.URL)
				}
			}
		}
	}
	if n != 5 {
		t.Errorf("webhook payload has %d items, want the 5 hostile ones:\n%s", n, raw)
	}
}
