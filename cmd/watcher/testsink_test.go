package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watcher-news/watcher/alert/chattest"
)

// TestTestSink sends test messages through the built binary: by the
// name given in the file and by the name the watcher logs, with flags
// before or after the name; a refusal exits 1 naming the sink and the
// answer, never the token; an unknown or missing name exits 2. Nothing
// goes through the state file.
func TestTestSink(t *testing.T) {
	t.Parallel()
	tg, mx := chattest.NewTelegram(t), chattest.NewMatrix(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeConfigAt(t, path, fmt.Sprintf(`state: %s
topics:
  - id: azal
    title: AZAL flight 8243
    query: AZAL
alerts:
  telegram:
    - name: azal desk
      token: %q
      chat: %q
      api: %s
  matrix:
    - homeserver: %s
      room: %q
      token: %s
`, filepath.Join(dir, "watcher.db"), tg.Token, tg.Chat, tg.URL(), mx.URL(), mx.Room, mx.Token))

	var outputs []string
	run := func(args ...string) result {
		r := watcher(t, dir, nil, append([]string{"test-sink"}, args...)...)
		outputs = append(outputs, r.stdout, r.stderr)
		return r
	}
	r := run("--config", path, "azal desk")
	if r.code != exitOK || !strings.Contains(r.stdout, "azal desk: test message delivered") {
		t.Fatalf("test-sink azal desk: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if msgs := tg.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "watcher test message") {
		t.Fatalf("telegram got %+v, want one test message", msgs)
	}

	mx.RefuseNext(chattest.Refusal{Status: 503})
	r = run("matrix "+mx.Room, "--config", path)
	if r.code != exitFailed || !strings.Contains(r.stderr, "matrix "+mx.Room) || !strings.Contains(r.stderr, "503") {
		t.Errorf("refused test: exit %d, want 1 naming the sink and the 503\n%s", r.code, r.stderr)
	}
	r = run("matrix "+mx.Room, "--config", path)
	if r.code != exitOK || len(mx.Messages()) != 1 {
		t.Errorf("second matrix test: exit %d, %d messages\n%s", r.code, len(mx.Messages()), r.stderr)
	}

	r = run("--config", path, "sports desk")
	if r.code != exitUsage || !strings.Contains(r.stderr, `"azal desk"`) || !strings.Contains(r.stderr, `"matrix `+mx.Room+`"`) {
		t.Errorf("unknown sink: exit %d, want 2 listing the sinks\n%s", r.code, r.stderr)
	}
	if r = run("--config", path); r.code != exitUsage {
		t.Errorf("no name: exit %d, want 2", r.code)
	}
	for _, out := range outputs {
		if strings.Contains(out, tg.Token) || strings.Contains(out, mx.Token) {
			t.Errorf("output shows a token:\n%s", out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "watcher.db")); !os.IsNotExist(err) {
		t.Errorf("test-sink touched the state file: %v", err)
	}
}

// TestCheckWarnsOfUnroutedTopic: when every sink lists its topics, check
// names a topic none of them takes.
func TestCheckWarnsOfUnroutedTopic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeConfigAt(t, path, `topics:
  - id: azal
    title: AZAL flight 8243
    query: AZAL
  - id: sputnik
    title: Sputnik Azerbaijan
    query: Sputnik
alerts:
  ntfy:
    - url: https://ntfy.sh/watcher-desk
      topics: [azal]
`)
	r := watcher(t, dir, nil, "check", "--config", path)
	if r.code != exitOK || !strings.Contains(r.stdout, "warning: topic sputnik goes to no sink") || strings.Contains(r.stdout, "topic azal goes") {
		t.Errorf("check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "1 sinks") {
		t.Errorf("check does not count the ntfy sink:\n%s", r.stdout)
	}
}
