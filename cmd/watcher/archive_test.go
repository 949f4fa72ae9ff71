package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// archiveFeed is an RSS feed over a real socket whose items tests add to.
type archiveFeed struct {
	mu    sync.Mutex
	items []string
	srv   *httptest.Server
}

func newArchiveFeed(t *testing.T) *archiveFeed {
	f := &archiveFeed{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>Outlet</title>%s</channel></rss>`, strings.Join(f.items, ""))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// add publishes an item an age ago, with link /n/id.
func (f *archiveFeed) add(id, title, summary string, age time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, fmt.Sprintf(`<item><title>%s</title><link>%s/n/%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>`,
		html.EscapeString(title), f.srv.URL, id, id, time.Now().Add(-age).UTC().Format(time.RFC1123Z), html.EscapeString(summary)))
}

// archiveRig is a watcher whose archive holds the items of two cycles
// over a real feed, with the shipped topics.
func archiveRig(t *testing.T) (dir string, f *archiveFeed) {
	dir = t.TempDir()
	f = newArchiveFeed(t)
	f.add("old", "Before the watcher started: Kartavykh", "Read on the first run only by key.", 72*time.Hour)
	writeConfig(t, dir, "state: watcher.db\nsources:\n  - name: outlet\n    feed: "+f.srv.URL+"/feed\n"+shippedTopics(t))
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	f.add("m1", "Court in Baku extends the arrest of Igor Kartavykh", "The director of Sputnik Azerbaijan, Igor Kartavykh, and the editor Yevgeny Belousov stay in custody.", 5*time.Hour)
	f.add("m2", "Kartavykh moved to house arrest", "A court moved Igor Kartavykh to house arrest; the editor Yevgeny Belousov of Sputnik Azerbaijan stays in jail.", 3*time.Hour)
	f.add("w1", "Weather in Baku", "Heat in Baku and rain in Ganja, the ministry said.", 2*time.Hour)
	f.add("w2", "Football results", "Neftchi beat Qarabag in Baku on Sunday.", time.Hour)
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	return dir, f
}

// TestSearchArchive: a query over the archive lists what it matches,
// newest first, with time, source, title and link; --explain says which
// words matched; --json is one object a line; what the first run only
// recorded by key is not in the archive.
func TestSearchArchive(t *testing.T) {
	dir, f := archiveRig(t)
	r := watcher(t, dir, nil, "search", "Kartavykh OR Baku")
	if r.code != exitOK {
		t.Fatalf("search: exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var titles []string
	for _, l := range lines {
		if _, title, ok := strings.Cut(l, "  outlet  "); ok {
			titles = append(titles, title)
		}
	}
	want := []string{"Football results", "Weather in Baku", "Kartavykh moved to house arrest", "Court in Baku extends the arrest of Igor Kartavykh"}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Errorf("search found %q, want newest first %q\n%s", titles, want, r.stdout)
	}
	if !strings.Contains(r.stdout, "\n  "+f.srv.URL+"/n/m2\n") || !strings.HasSuffix(r.stdout, "4 items\n") {
		t.Errorf("search output lacks links or the count:\n%s", r.stdout)
	}

	r = watcher(t, dir, nil, "search", "--explain", "title:Kartavykh")
	if r.code != exitOK || !strings.Contains(r.stdout, `found kartavykh as "Kartavykh" in title`) || !strings.HasSuffix(r.stdout, "2 items\n") {
		t.Errorf("search --explain: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = watcher(t, dir, nil, "search", "--json", "--since", "4h", "Kartavykh")
	var got []foundJSON
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var fj foundJSON
		if err := json.Unmarshal([]byte(l), &fj); err != nil {
			t.Fatalf("search --json line %q: %v", l, err)
		}
		got = append(got, fj)
	}
	// --since 4h is about when the items were read, which was just now.
	if len(got) != 2 || got[0].Title != "Kartavykh moved to house arrest" || got[0].Source != "outlet" || got[0].Terms[0] != "Kartavykh" {
		t.Errorf("search --json: %+v", got)
	}
	// The file keeps a commit's items of a source in one chunk, a
	// database an item a row.
	chunks := "1 chunks"
	if onPostgres {
		chunks = "4 chunks"
	}
	if r := watcher(t, dir, nil, "status"); r.code != exitOK || !strings.Contains(r.stdout, "\narchive: "+chunks+", ") {
		t.Errorf("status does not describe the archive: exit %d\n%s", r.code, r.stdout)
	}
	if r := watcher(t, dir, nil, "search", "--until", "2020-01-01", "Kartavykh"); r.code != exitOK || r.stdout != "0 items\n" {
		t.Errorf("search before anything was read: exit %d, %q", r.code, r.stdout)
	}
	if r := watcher(t, dir, nil, "search", `"unbalanced`); r.code != exitUsage || !strings.Contains(r.stderr, "query") {
		t.Errorf("bad query: exit %d, %s", r.code, r.stderr)
	}
	if r := watcher(t, dir, nil, "search", "--since", "last week", "x"); r.code != exitUsage || !strings.Contains(r.stderr, `--since: want a date`) {
		t.Errorf("bad --since: exit %d, %s", r.code, r.stderr)
	}
}

// TestMatchArchive: a configured topic over the archive shows what it
// would have sent.
func TestMatchArchive(t *testing.T) {
	dir, _ := archiveRig(t)
	r := watcher(t, dir, nil, "match", "--archive", "--topic", "sputnik-detainees", "--since", "1d")
	if r.code != exitOK || !strings.Contains(r.stdout, "Kartavykh moved to house arrest") ||
		strings.Contains(r.stdout, "Weather") || !strings.HasSuffix(r.stdout, "2 items\n") {
		t.Errorf("match --archive: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := watcher(t, dir, nil, "match", "--archive", "--topic", "nope"); r.code != exitUsage || !strings.Contains(r.stderr, `no topic "nope"`) {
		t.Errorf("unknown topic: exit %d, %s", r.code, r.stderr)
	}
	if r := watcher(t, dir, nil, "match", "--archive"); r.code != exitUsage || !strings.Contains(r.stderr, "--topic") {
		t.Errorf("no topic: exit %d, %s", r.code, r.stderr)
	}
}

// TestSuggest: the names frequent in a topic's matches and rare in the
// rest are listed with counts and an example, those the query has are
// marked, and the others are printed ready to paste.
func TestSuggest(t *testing.T) {
	dir, _ := archiveRig(t)
	r := watcher(t, dir, nil, "suggest", "--topic", "sputnik-detainees")
	if r.code != exitOK {
		t.Fatalf("suggest: exit %d\n%s", r.code, r.stderr)
	}
	out := r.stdout
	for _, want := range []string{
		"topic sputnik-detainees: 2 matches among 4 items read",
		"JLH",
		"Kartavykh (in query)",
		`"Kartavykh moved to house arrest" (outlet)`,
		"to paste into the query:\n  OR ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("suggest output lacks %q:\n%s", want, out)
		}
	}
	// The shipped query already has the agency and both detainees'
	// names; the director's first name is what it lacks.
	for _, name := range []string{"Yevgeny", "Belousov", "Sputnik", "Azerbaijan"} {
		if !strings.Contains(out, name+" (in query)") {
			t.Errorf("%s not marked as in the query:\n%s", name, out)
		}
	}
	if paste := out[strings.LastIndex(out, "  OR ")+5:]; paste != "Igor\n" {
		t.Errorf("paste line %q, want Igor alone:\n%s", paste, out)
	}
	// Baku is in both matches but in every other item too: no more
	// frequent in the matches than elsewhere, so not significant.
	if strings.Contains(out, "\nBaku ") {
		t.Errorf("suggest lists Baku, which every item has:\n%s", out)
	}
}
