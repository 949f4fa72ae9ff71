package main

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// telegramFixture reads a channel page of the crawler's fixtures: real
// t.me/s markup (tgme_widget_message blocks).
func telegramFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "crawl", "testdata", "telegram", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// channelSite serves the baku_wire channel's web preview as t.me does.
// Until grown, the newest page is the older one (posts 4180 and 4181);
// after, the newest nine posts are on it and the older ones at ?before=.
type channelSite struct {
	url   string
	grown atomic.Bool
}

func newChannelSite(t *testing.T) *channelSite {
	newest, older := telegramFixture(t, "baku_wire.html"), telegramFixture(t, "baku_wire_before_4182.html")
	cs := &channelSite{}
	cs.url = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/s/baku_wire" {
			http.NotFound(w, r) // robots.txt too: everything allowed
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch before := r.URL.Query().Get("before"); {
		case before == "" && cs.grown.Load():
			_, _ = w.Write(newest)
		case before == "" || before == "4182":
			_, _ = w.Write(older)
		default:
			_, _ = w.Write([]byte(`<html><body><section class="tgme_channel_history js-message_history"></section></body></html>`))
		}
	}))
	return cs
}

// TestTelegramSourceEndToEnd runs the watcher over a Telegram channel
// served locally: the first run records the channel's posts silently,
// the second finds the new ones, matches them and delivers the matched
// posts to a webhook, once.
func TestTelegramSourceEndToEnd(t *testing.T) {
	t.Parallel()
	site := newChannelSite(t)
	hook := newHookRecorder(t, always(http.StatusOK))
	dir := t.TempDir()
	// Shipped settings throughout; the channel's base points at the local
	// server, as tests and self-hosted mirrors do.
	writeConfig(t, dir, "state: watcher.db\nsources:\n"+
		"  - name: Baku Wire\n    telegram: \"@baku_wire\"\n    base: "+site.url+"\n"+
		"topics:\n"+
		"  - id: azal-crash\n    title: The AZAL crash\n    query: Aktau\n"+
		"  - id: sputnik-case\n    title: The Sputnik Azerbaijan case\n    query: Sputnik\n"+
		webhookAlerts(hook.url, 3))

	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(hook.requests()); n != 0 {
		t.Fatalf("the first read of a channel alerted %d times; it should record its posts silently", n)
	}
	site.grown.Store(true)
	r := watcher(t, dir, nil, "--once")
	if r.code != exitOK {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	if got := summaryField(t, r.stderr, "new"); got != "9" {
		t.Errorf("new = %s, want the 9 new posts (the two of the first run are known)", got)
	}
	reqs := hook.requests()
	if len(reqs) != 1 {
		t.Fatalf("webhook got %d digests, want 1", len(reqs))
	}
	got := slices.Sorted(slices.Values(reqs[0].urls))
	// 4189 answers 4185 and quotes it: the quote is not its text, so it
	// does not match the Sputnik topic.
	want := []string{"https://t.me/baku_wire/4183", "https://t.me/baku_wire/4184", "https://t.me/baku_wire/4185"}
	if !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK || len(hook.requests()) != 1 {
		t.Errorf("third run: exit %d, %d digests in all; want nothing sent twice\n%s", r.code, len(hook.requests()), r.stderr)
	}
	if row := statusRow(t, mustStatus(t, dir), "Baku"); !strings.Contains(row, " 11 ") {
		t.Errorf("status row %q: want 11 posts seen", row)
	}
}
