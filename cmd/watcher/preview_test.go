package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// previewFeed is an RSS feed over a real socket whose items tests add.
type previewFeed struct {
	mu    sync.Mutex
	items []string // titles, oldest first
}

func (f *previewFeed) add(titles ...string) {
	f.mu.Lock()
	f.items = append(f.items, titles...)
	f.mu.Unlock()
}

func (f *previewFeed) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	fmt.Fprint(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Desk feed</title>`)
	for i, title := range f.items {
		fmt.Fprintf(w, `<item><title>%s</title><link>https://example.org/n/%d</link><guid>n%d</guid><pubDate>%s</pubDate></item>`,
			title, i, i, time.Now().UTC().Format(time.RFC1123Z))
	}
	fmt.Fprint(w, `</channel></rss>`)
}

// stateSnapshot is everything the state of dir's configuration says
// about its sources and digests, with its counts.
func stateSnapshot(t *testing.T, dir string) string {
	t.Helper()
	s := openTestStore(t, dir, nil)
	defer s.Close()
	srcs, err := s.Sources()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	st.FileSize = 0 // bbolt may grow the file on open; what it holds is compared
	raw, err := json.Marshal([]any{srcs, ds, st})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestPreviewShowsPendingDigest: items that --once runs found and hold for
// a morning digest accumulate, and are what `watcher preview` prints, as
// text, HTML or JSON; nothing is sent and the state file says the same
// before and after.
func TestPreviewShowsPendingDigest(t *testing.T) {
	dir := t.TempDir()
	if r := watcher(t, dir, nil, "preview"); r.code != exitUsage {
		t.Errorf("preview without a config: exit %d, want %d", r.code, exitUsage)
	}
	feed := &previewFeed{}
	feed.add("Weather in Baku")
	feedURL := newServer(t, feed)
	hook := newHookRecorder(t, func(int, string) int { return http.StatusNoContent })
	// The digest's schedule is 29 February: the binary runs on the real
	// clock, and the held items must still be waiting when preview runs.
	writeConfig(t, dir, fmt.Sprintf(`state: w.db
digest: {schedule: "0 8 29 2 *"}
sources:
  - name: desk
    feed: %s/feed.xml
topics:
  - id: sputnik
    title: The Sputnik detainees
    query: Kartavykh
alerts:
  webhook:
    - url: %s
`, feedURL, hook.url))
	if r := watcher(t, dir, nil, "preview"); r.code != exitOK || !strings.Contains(r.stderr, "nothing to preview") {
		t.Errorf("preview before any cycle: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "w.db")); err == nil {
		t.Error("preview created the state file")
	}
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	// Two --once runs find one item each: the second keeps the first's.
	feed.add("Kartavykh stays in custody")
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	feed.add("Kartavykh's lawyer appeals")
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("third run: exit %d\n%s", r.code, r.stderr)
	}
	before := stateSnapshot(t, dir)

	text := watcher(t, dir, nil, "preview")
	if text.code != exitOK || !strings.Contains(text.stderr, "2 items from 2 stored digests, waiting for webhook") {
		t.Fatalf("preview: exit %d, stderr %q", text.code, text.stderr)
	}
	for _, want := range []string{"watcher: 2 new — The Sputnik detainees (2)", "* Kartavykh stays in custody", "* Kartavykh's lawyer appeals"} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("text preview lacks %q:\n%s", want, text.stdout)
		}
	}
	if strings.Contains(text.stdout, "Weather") {
		t.Errorf("preview shows an item no topic matched:\n%s", text.stdout)
	}
	html := watcher(t, dir, nil, "preview", "--format", "html")
	if html.code != exitOK || !strings.HasPrefix(html.stdout, "<!DOCTYPE html>") || !strings.Contains(html.stdout, "Kartavykh&#39;s lawyer appeals") {
		t.Errorf("html preview: exit %d\n%s", html.code, html.stdout)
	}
	js := watcher(t, dir, nil, "preview", "--format", "json")
	var body struct {
		Count  int `json:"count"`
		Topics []struct {
			ID string `json:"id"`
		} `json:"topics"`
	}
	if err := json.Unmarshal([]byte(js.stdout), &body); err != nil || body.Count != 2 || len(body.Topics) != 1 || body.Topics[0].ID != "sputnik" {
		t.Errorf("json preview: %v, %+v\n%s", err, body, js.stdout)
	}
	if r := watcher(t, dir, nil, "preview", "--format", "xml"); r.code != exitUsage {
		t.Errorf("--format xml: exit %d, want %d", r.code, exitUsage)
	}
	if after := stateSnapshot(t, dir); after != before {
		t.Errorf("preview changed the state:\nbefore %s\nafter  %s", before, after)
	}
	hook.mu.Lock()
	n := len(hook.reqs)
	hook.mu.Unlock()
	if n != 0 {
		t.Errorf("%d webhook requests, want none: the digest waits for its schedule and preview sends nothing", n)
	}
}

// TestCheckReportsBrokenTemplate: a template that does not parse is a
// configuration error naming the configuration's line and the template's
// own file and line.
func TestCheckReportsBrokenTemplate(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "desk.html.tmpl"), "<h1>{{.Subject}}</h1>\n{{range .Topics}}<h2>{{.Title}}</h2>{{end}\n")
	writeConfig(t, dir, `state: w.db
topics:
  - id: sputnik
    title: The Sputnik detainees
    query: Kartavykh
templates:
  html: desk.html.tmpl
`)
	r := watcher(t, dir, nil, "check", "--config", "config.yaml")
	if r.code != exitUsage {
		t.Fatalf("check: exit %d, want %d\n%s%s", r.code, exitUsage, r.stdout, r.stderr)
	}
	for _, want := range []string{"config.yaml:7: templates.html:", "template: desk.html.tmpl:2:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// TestCheckWarnsImmediateWithoutSchedule: immediate topics mean something
// only beside a schedule or quiet hours; check says so, and the file is
// still valid.
func TestCheckWarnsImmediateWithoutSchedule(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, `state: w.db
topics:
  - id: sputnik
    title: The Sputnik detainees
    query: Kartavykh
digest:
  immediate: [sputnik]
`)
	r := watcher(t, dir, nil, "check", "--config", "config.yaml")
	if r.code != exitOK || !strings.Contains(r.stdout, "config.yaml:7: digest: warning: immediate has no effect") {
		t.Errorf("check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
