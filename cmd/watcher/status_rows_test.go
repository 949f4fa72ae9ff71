package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert/chattest"
	"github.com/watcher-news/watcher/watch"
)

// fakeClock is the one fake: the time the watcher and its state believe.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// TestStatusRowsOfScheduledChatDigest: a Telegram desk on a morning
// digest and a webhook taking everything at once. `watcher status` shows
// the crawl's digest held for the desk beside the webhook's delivery, then
// gathered into the morning digest, and that one's first part sent with
// the rate limit that stopped the rest.
func TestStatusRowsOfScheduledChatDigest(t *testing.T) {
	feed := newNewsFeed(t)
	feed.add("a1|Weather in Baku")
	tg := chattest.NewTelegram(t)
	hook := newHookRecorder(t, func(int, string) int { return 204 })
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeConfigAt(t, path, fmt.Sprintf("state: %s\ntimezone: UTC\nsources:\n  - name: news\n    feed: %s\n"+
		"topics:\n  - id: minister\n    title: The minister\n    query: minister\n"+
		"alerts:\n  webhook:\n    - url: %s\n  telegram:\n    - name: desk\n      token: %q\n      chat: %q\n      api: %s\n"+
		"      digest:\n        schedule: \"0 8 * * *\"\n", filepath.Join(dir, "w.db"), feed.url, hook.url, tg.Token, tg.Chat, tg.URL()))
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)}
	store := openStateAt(t, cfg.State, clock.Now)
	w, err := watch.New(cfg, store, watch.Options{Logger: slog.New(slog.DiscardHandler), Now: clock.Now, Stdout: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	sinks, err := watch.SinkNames(cfg)
	if err != nil {
		t.Fatal(err)
	}
	status := func() string {
		t.Helper()
		st, err := statusOf(cfg.Sources, sinks, store, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := st.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	cycle := func(at time.Time) error {
		clock.set(at)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := w.Cycle(ctx)
		return err
	}
	if err := cycle(clock.Now()); err != nil { // the silent first read
		t.Fatal(err)
	}
	var titles []string
	for i := range 40 {
		// Long headlines, so that the morning digest takes several messages.
		titles = append(titles, fmt.Sprintf("b%d|Minister resigns, report %d%s", i, i, strings.Repeat(" with a long headline", 8)))
	}
	feed.add(titles...)
	if err := cycle(time.Date(2025, 7, 1, 11, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	held := status()
	if row := logLine(held, "-> desk:"); !strings.Contains(row, "held for the sink's digest time (its schedule or the end of its quiet hours)") {
		t.Errorf("status before 08:00: the desk's row %q, want it held\n%s", row, held)
	}

	tg.AcceptThenRefuse(1, chattest.Refusal{Status: 429, RetryAfter: 30})
	if err := cycle(time.Date(2025, 7, 2, 8, 0, 0, 0, time.UTC)); err == nil {
		t.Fatal("the 08:00 cycle reported no error for the rate limit")
	}
	after := status()
	var rows []string
	for _, l := range strings.Split(after, "\n") {
		if strings.Contains(l, "-> desk:") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 1 || !strings.Contains(rows[0], "pending (first 1 parts sent)") || !strings.Contains(rows[0], "after 1 attempts") ||
		!strings.Contains(rows[0], "429") {
		t.Errorf("status after 08:00: the desk's rows %q, want the morning digest with its first part sent and the 429\n%s", rows, after)
	}
}
