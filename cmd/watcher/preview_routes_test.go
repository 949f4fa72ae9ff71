package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestPreviewOfRoutedDesks: two desks hold their morning digests, each
// for its own topic. The preview of what waits says that each desk gets
// its topics only; with --sink it shows one desk's digest as that desk
// will get it, and an unknown name is a usage error naming the sinks.
func TestPreviewOfRoutedDesks(t *testing.T) {
	dir := t.TempDir()
	feed := &previewFeed{}
	feed.add("Weather in Baku")
	feedURL := newServer(t, feed)
	politics := newHookRecorder(t, func(int, string) int { return http.StatusNoContent })
	port := newHookRecorder(t, func(int, string) int { return http.StatusNoContent })
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
  - id: port
    title: The port
    query: harbour
alerts:
  webhook:
    - name: politics
      url: %s
      topics: [sputnik]
    - name: port
      url: %s
      topics: [port]
`, feedURL, politics.url, port.url))
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	feed.add("Kartavykh stays in custody", "Harbour strike ends")
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}

	all := watcher(t, dir, nil, "preview")
	if all.code != exitOK || !strings.Contains(all.stderr, "waiting for politics, port") ||
		!strings.Contains(all.stderr, "each takes its own topics; --sink NAME shows one sink's") {
		t.Errorf("preview of both desks: exit %d, stderr %q; want it to say each desk gets its own topics", all.code, all.stderr)
	}
	one := watcher(t, dir, nil, "preview", "--sink", "port")
	if one.code != exitOK || !strings.Contains(one.stderr, "1 items from 1 stored digests, waiting for port") {
		t.Fatalf("preview --sink port: exit %d, stderr %q", one.code, one.stderr)
	}
	if !strings.Contains(one.stdout, "* Harbour strike ends") || strings.Contains(one.stdout, "Kartavykh") {
		t.Errorf("preview --sink port shows what the port desk does not get, or lacks its item:\n%s", one.stdout)
	}
	bad := watcher(t, dir, nil, "preview", "--sink", "sport")
	if bad.code != exitUsage || !strings.Contains(bad.stderr, `no such sink "sport"`) || !strings.Contains(bad.stderr, "politics, port") {
		t.Errorf("preview --sink sport: exit %d, stderr %q; want a usage error naming the sinks", bad.code, bad.stderr)
	}
}
