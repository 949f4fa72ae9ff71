package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert/chattest"
)

// TestReloadAddsTopicAndSink: a daemon with its listener posts to a
// Slack desk known by name. SIGHUP adds a topic, a second source and a
// Telegram desk for the new topic; the log says how many sinks it now
// has, the next cycle's items go to the right desks, /metrics counts the
// deliveries under the sinks' names, and /feed.atom serves the new
// topic's feed.
func TestReloadAddsTopicAndSink(t *testing.T) {
	news, port := newNewsFeed(t), newNewsFeed(t)
	news.add("a1|Weather in Baku")
	slack, tg := chattest.NewSlack(t), chattest.NewTelegram(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	listen := freePort(t)
	topic := "  - id: minister\n    title: The minister\n    query: minister\n"
	desk := fmt.Sprintf("alerts:\n  slack:\n    - name: desk\n      url: %s\n      topics: [minister]\n", slack.HookURL())
	// A one-second schedule, so the daemon's cycles come within the test.
	head := fmt.Sprintf("state: watcher.db\nschedule: \"@every 1s\"\nhttp:\n  listen: %q\n", listen)
	writeConfigAt(t, cfgPath, head+"sources:\n  - name: news\n    feed: "+news.url+"\ntopics:\n"+topic+desk)
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("baseline run: exit %d\n%s", r.code, r.stderr)
	}
	news.add("b1|Minister resigns")
	d := startDaemon(t, dir)
	base := d.listenAddr(t)
	waitUntil(t, func() bool {
		v, _ := metricValue(scrape(t, base), "watcher_deliveries_total", "outcome=sent", "sink=desk")
		return v == 1
	})

	writeConfigAt(t, cfgPath, head+"sources:\n  - name: news\n    feed: "+news.url+"\n  - name: port\n    feed: "+port.url+"\n"+
		"topics:\n"+topic+"  - id: port\n    title: The port\n    query: harbour\n"+desk+
		fmt.Sprintf("  telegram:\n    - name: port-desk\n      token: %q\n      chat: %q\n      api: %s\n      topics: [port]\n", tg.Token, tg.Chat, tg.URL()))
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	var reloaded string
	d.waitFor(t, 10*time.Second, func(l string) bool {
		if strings.Contains(l, "configuration reloaded") {
			reloaded = l
			return true
		}
		return false
	})
	if !strings.Contains(reloaded, " sinks=2 ") || !strings.Contains(reloaded, " sources=2 ") {
		t.Errorf("the reload's log line does not count the 2 sources and 2 sinks: %s", reloaded)
	}
	// The new source's first read is silent: its items are then the baseline.
	d.waitFor(t, 20*time.Second, func(l string) bool { return strings.Contains(l, "cycle done") && strings.Contains(l, "sources=2 ok=2") })
	port.add("p1|Harbour strike ends")
	news.add("b2|The minister visits Ganja")
	waitUntil(t, func() bool {
		mfs := scrape(t, base)
		s, _ := metricValue(mfs, "watcher_deliveries_total", "outcome=sent", "sink=desk")
		p, _ := metricValue(mfs, "watcher_deliveries_total", "outcome=sent", "sink=port-desk")
		return s == 2 && p == 1
	})
	// The deliveries are counted as they are made; the Atom feeds are
	// served from what the daemon reads back from the state once the
	// cycle is done (later still from a database): wait for that too.
	waitUntil(t, func() bool {
		return atomEntries(t, base+"/feed/port.atom") == 1 && atomEntries(t, base+"/feed/minister.atom") == 2
	})
	checkAtom(t, base+"/feed/port.atom", port, "p1")
	checkAtom(t, base+"/feed/minister.atom", news, "b1", "b2")
	d.stop(t)

	if got := strings.Join(storyLinks(slack.Messages()), " "); got != news.link("b1")+" "+news.link("b2") {
		t.Errorf("the Slack desk got %q, want b1 then b2", got)
	}
	if got := storyLinks(tg.Messages()); len(got) != 1 || got[0] != port.link("p1") {
		t.Errorf("the Telegram desk got %q, want p1 alone", got)
	}
}

// storyLinks lists the news feeds' story links in chat messages, in order.
func storyLinks(msgs []chattest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, storyLinkRE.FindAllString(m.Text, -1)...)
	}
	return out
}

var storyLinkRE = regexp.MustCompile(`http://news\.example\.org/story/[a-z0-9]+`)
