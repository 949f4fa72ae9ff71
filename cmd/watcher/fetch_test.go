package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fetchConfig is a configuration with the local channel and the shipped
// settings.
func fetchConfig(site *channelSite, extra string) string {
	return "state: watcher.db\nsources:\n" +
		"  - name: Baku Wire\n    telegram: baku_wire\n    base: " + site.url + "\n" + extra +
		"topics:\n" +
		"  - id: azal-crash\n    title: The AZAL crash\n    query: Aktau\n" +
		"  - id: sputnik-case\n    title: The Sputnik Azerbaijan case\n    query: Sputnik\n"
}

// TestFetchShowsNewness reads a channel with `watcher fetch` after a cycle
// has recorded part of it: the posts the cycle saw are "seen", the others
// "new", the matching new ones would be sent, and the state file is not
// touched.
func TestFetchShowsNewness(t *testing.T) {
	t.Parallel()
	site := newChannelSite(t)
	dir := t.TempDir()
	writeConfig(t, dir, fetchConfig(site, ""))
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("cycle: exit %d\n%s", r.code, r.stderr)
	}
	site.grown.Store(true)
	before := stateSnapshot(t, dir)
	// On a file, not even its bytes change (read after the snapshot,
	// which opens the file for writing).
	db := filepath.Join(dir, "watcher.db")
	beforeFile, _ := os.ReadFile(db)

	r := watcher(t, dir, nil, "fetch", "Baku Wire")
	if r.code != exitOK {
		t.Fatalf("fetch: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "11 items: 9 new, 2 seen, 0 first read, 0 unknown; 3 would be sent") {
		t.Errorf("fetch summary:\n%s", r.stdout)
	}
	row := lineWith(r.stdout, "https://t.me/baku_wire/4185")
	if !strings.HasPrefix(row, "new ") || !strings.Contains(row, " yes ") || !strings.Contains(row, "sputnik-case") || !strings.Contains(row, "2025-06-30 10:12Z") {
		t.Errorf("row of post 4185 = %q, want new, sent, sputnik-case, its date", row)
	}
	if row := lineWith(r.stdout, "https://t.me/baku_wire/4181"); !strings.HasPrefix(row, "seen ") {
		t.Errorf("row of post 4181 = %q, want seen (the cycle recorded it)", row)
	}

	// The same as JSON, flags after the name.
	r = watcher(t, dir, nil, "fetch", "@baku_wire", "--json")
	var out fetchJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); r.code != exitOK || err != nil {
		t.Fatalf("fetch --json: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	byURL := map[string]fetchJSONItem{}
	for _, it := range out.Items {
		byURL[it.URL] = it
	}
	it := byURL["https://t.me/baku_wire/4183"]
	if out.Source != "Baku Wire" || it.Newness != "new" || !it.WouldSend || len(it.Topics) != 1 || it.Topics[0] != "azal-crash" || len(it.Key) != 32 {
		t.Errorf("post 4183 as JSON = %+v (source %q)", it, out.Source)
	}
	if it := byURL["https://t.me/baku_wire/4189"]; it.WouldSend || len(it.Topics) != 0 {
		t.Errorf("post 4189 (a reply quoting 4185) = %+v, want no topic", it)
	}

	if afterFile, _ := os.ReadFile(db); !bytes.Equal(beforeFile, afterFile) {
		t.Error("watcher fetch changed the state file")
	}
	if after := stateSnapshot(t, dir); after != before {
		t.Errorf("watcher fetch changed the state:\nbefore %s\nafter  %s", before, after)
	}
	// The next cycle still finds the nine posts new: fetch recorded nothing.
	r = watcher(t, dir, nil, "--once")
	if got := summaryField(t, r.stderr, "new"); r.code != exitOK || got != "9" {
		t.Errorf("cycle after fetch: exit %d, new=%s; want 9", r.code, got)
	}
}

// TestFetchWithoutState checks fetch works before any cycle (every post a
// first read, and no state file made) and while another process holds
// the state (newness unknown, with a note), and on a URL not configured.
func TestFetchWithoutState(t *testing.T) {
	t.Parallel()
	site := newChannelSite(t)
	feed := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>` +
			`<item><title>Aktau: investigators name the cause</title><link>https://example.org/a/1</link><guid>a-1</guid>` +
			`<pubDate>Mon, 30 Jun 2025 10:00:00 +0000</pubDate></item></channel></rss>`))
	}))
	dir := t.TempDir()
	writeConfig(t, dir, fetchConfig(site, ""))

	r := watcher(t, dir, nil, "fetch", "Baku Wire")
	if r.code != exitOK || !strings.Contains(r.stdout, "2 items: 0 new, 0 seen, 2 first read") {
		t.Errorf("before any cycle: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !onPostgres && !strings.Contains(r.stdout, "no state file watcher.db yet") {
		t.Errorf("before any cycle: no note that there is no state file\n%s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "watcher.db")); err == nil {
		t.Error("fetch created the state file")
	}

	// Another process holds the state, as a running daemon does. A file
	// is locked, so newness is unknown; a database is read beside it.
	st := openTestStore(t, dir, nil)
	defer st.Close()
	r = watcher(t, dir, nil, "fetch", feed+"/feed.xml")
	row := lineWith(r.stdout, "https://example.org/a/1")
	switch {
	case onPostgres:
		if r.code != exitOK || !strings.Contains(r.stdout, "1 items: 0 new, 0 seen, 1 first read, 0 unknown") ||
			strings.Contains(r.stdout, "held by a running watcher") {
			t.Errorf("beside an open database: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(row, "azal-crash") || !strings.HasPrefix(row, "first ") {
			t.Errorf("row of the unconfigured feed's item = %q, want a first read and its topic", row)
		}
	default:
		if r.code != exitOK || !strings.Contains(r.stdout, "1 items: 0 new, 0 seen, 0 first read, 1 unknown") ||
			!strings.Contains(r.stdout, "held by a running watcher") {
			t.Errorf("with the state held: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(row, "azal-crash") || !strings.HasPrefix(row, "unknown ") {
			t.Errorf("row of the unconfigured feed's item = %q, want unknown newness and its topic", row)
		}
	}

	if r := watcher(t, dir, nil, "fetch", "nosuch"); r.code != exitUsage || !strings.Contains(r.stderr, `no source named "nosuch" in config.yaml`) {
		t.Errorf("an unknown name: exit %d, %s", r.code, r.stderr)
	}
	r = watcher(t, dir, nil, "fetch", feed+"/missing.xml")
	if r.code != exitFailed || !strings.Contains(r.stderr, "/missing.xml): fetch: HTTP status 404") {
		t.Errorf("a failing source: exit %d, %s", r.code, r.stderr)
	}
}

// lineWith returns the first line of s that contains sub.
func lineWith(s, sub string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			return line
		}
	}
	return ""
}
