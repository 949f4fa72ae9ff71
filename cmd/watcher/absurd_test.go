package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// absurdFeed is a well-formed feed no sane publisher writes. Its one
// matching item must still arrive, readable.
type absurdFeed struct {
	name        string
	contentType string
	body        func(date string) []byte
	title       string // the matching item's title as published (UTF-8)
}

// absurdItem renders one RSS item; extra goes inside it.
func absurdItem(title, link, date, extra string) string {
	return fmt.Sprintf("<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate>%s</item>\n", title, link, link, date, extra)
}

func absurdRSS(prolog, items string) []byte {
	return []byte(prolog + `<rss version="2.0" xmlns:x="http://x.example/ns"><channel><title>Absurd</title><link>http://absurd.example/</link>` + "\n" + items + "</channel></rss>\n")
}

const utf8Prolog = `<?xml version="1.0" encoding="UTF-8"?>`

// absurdFeeds are generated, not stored: megabytes of repetition.
func absurdFeeds(t *testing.T) []absurdFeed {
	hugeTitle := "Kartavykh " + strings.Repeat("Картавых остаётся под арестом в Баку; ", 120000) // about 8 MB
	match := "Kartavykh remains in custody in Baku"
	legacy := func(enc encoding.Encoding, label string) func(string) []byte {
		return func(date string) []byte {
			doc := absurdRSS(`<?xml version="1.0" encoding="`+label+`"?>`, absurdItem("Картавых остаётся под арестом в Баку", "http://absurd.example/ru", date, ""))
			b, err := enc.NewEncoder().Bytes(doc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	return []absurdFeed{
		{"title of megabytes", "application/rss+xml", func(date string) []byte {
			return absurdRSS(utf8Prolog, absurdItem(hugeTitle, "http://absurd.example/huge-title", date, ""))
		}, hugeTitle},
		{"tens of thousands of items", "application/rss+xml", func(date string) []byte {
			var b strings.Builder
			b.WriteString(absurdItem(match, "http://absurd.example/first", date, ""))
			for i := range 40000 {
				b.WriteString(absurdItem(fmt.Sprintf("Weather report %d", i), fmt.Sprintf("http://absurd.example/w/%d", i), date, ""))
			}
			return absurdRSS(utf8Prolog, b.String())
		}, match},
		{"nested hundreds of thousands deep", "application/rss+xml", func(date string) []byte {
			const depth = 300000
			deep := strings.Repeat("<x:n>", depth) + "bottom" + strings.Repeat("</x:n>", depth)
			return absurdRSS(utf8Prolog, absurdItem(match, "http://absurd.example/shallow", date, "")+
				absurdItem("Deep", "http://absurd.example/deep", date, deep))
		}, match},
		{"windows-1251 declared only in the prolog", "application/xml", legacy(charmap.Windows1251, "windows-1251"), "Картавых остаётся под арестом в Баку"},
		{"KOI8-R declared only in the prolog", "text/xml", legacy(charmap.KOI8R, "KOI8-R"), "Картавых остаётся под арестом в Баку"},
	}
}

// TestAbsurdFeeds runs the watcher once over each absurd feed, as a new
// source with a backfill window so its recent items alert at once, and
// checks the cost and what arrives.
func TestAbsurdFeeds(t *testing.T) {
	for _, af := range absurdFeeds(t) {
		t.Run(af.name, func(t *testing.T) {
			body := af.body(time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", af.contentType)
				http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
			}))
			defer srv.Close()
			hook, hookURL := newHook(t)
			dir := t.TempDir()
			writeConfig(t, dir, "state: watcher.db\nbackfill: 24h\nfetch:\n  timeout: 10s\nsources:\n  - name: absurd\n    feed: "+srv.URL+"/feed\n"+
				shippedTopics(t)+"alerts:\n  webhook:\n    - url: "+hookURL+"\n")
			m := watcherMeasured(t, dir, nil, "--once")
			t.Logf("%s: %.1f MB feed, exit %d in %s, peak RSS %s", af.name, float64(len(body))/1e6, m.code, m.elapsed.Round(time.Millisecond), mib(m.maxRSS))
			if m.code != exitOK {
				t.Fatalf("exit %d\n%s", m.code, m.stderr)
			}
			if m.elapsed > 40*time.Second || m.maxRSS > 300<<10 {
				t.Errorf("took %s and %s; want under 40s and 300 MiB", m.elapsed, mib(m.maxRSS))
			}
			checkReadableTitle(t, hook, af.title)
		})
	}
}

// checkReadableTitle: exactly one item arrived, its title valid UTF-8, at
// most 1000 characters, and the published title or its start cut on a
// character boundary.
func checkReadableTitle(t *testing.T, hook *hookLog, want string) {
	t.Helper()
	hook.mu.Lock()
	defer hook.mu.Unlock()
	if len(hook.digests) != 1 {
		t.Fatalf("%d digests, want 1", len(hook.digests))
	}
	var d struct {
		Topics []struct {
			Items []struct{ Title string } `json:"items"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(hook.digests[0], &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Topics) != 1 || len(d.Topics[0].Items) != 1 {
		t.Fatalf("digest %.500s: want one topic with one item", hook.digests[0])
	}
	got := d.Topics[0].Items[0].Title
	switch {
	case !utf8.ValidString(got) || strings.ContainsRune(got, utf8.RuneError):
		t.Errorf("title %q is not clean UTF-8", got)
	case utf8.RuneCountInString(got) > 1000:
		t.Errorf("title of %d characters, want at most 1000", utf8.RuneCountInString(got))
	case !strings.HasPrefix(want, strings.TrimSuffix(got, "…")):
		t.Errorf("title %q is not the published one or its start", got)
	}
}
