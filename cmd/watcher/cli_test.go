package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// TestCheckShippedConfig: the configuration that ships is valid.
func TestCheckShippedConfig(t *testing.T) {
	r := watcher(t, ".", nil, "check", "--config", "../../config.yaml")
	if r.code != exitOK {
		t.Fatalf("check of the shipped config: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "ok:") || !strings.Contains(r.stdout, "3 topics") {
		t.Errorf("check output: %q", r.stdout)
	}
}

// TestCheckNamesTheLine: every problem in a bad file is reported with its
// file, line and key, the exit code is 2, and a secret is never echoed.
func TestCheckNamesTheLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	writeConfigAt(t, path, `state: w.db
schedule: "every half hour"
sources:
  - name: a
    feed: ftp://example.org/feed
  - name: b
    feed: https://example.org/rss
    colour: blue
topics:
  - id: t1
    title: T
    query: (Kartavykh OR
alerts:
  webhook:
    - url: https://example.org/hook
      secret: ${WATCHER_TEST_SECRET}
`)
	r := watcher(t, dir, nil, "check", "--config", path)
	if r.code != exitUsage {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitUsage, r.stderr)
	}
	for _, want := range []string{
		path + ":2:",          // the schedule
		path + ":5:",          // the ftp URL
		path + ":8:",          // the unknown key
		path + ":12:",         // the query
		"WATCHER_TEST_SECRET", // the variable that is not set (by name)
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// TestExitCodes: usage errors are 2, a missing file is 2, help is 0.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"--frobnicate"}, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"missing config", []string{"--once", "--config", "nope.yaml"}, exitUsage},
		{"help", []string{"--help"}, exitOK},
		{"version", []string{"version"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := watcher(t, dir, nil, tc.args...); r.code != tc.want {
				t.Errorf("exit %d, want %d\n%s", r.code, tc.want, r.stderr)
			}
		})
	}
}

// TestSecondWatcherFailsFast: while one process holds the state file, a
// second run says so within seconds instead of hanging.
func TestSecondWatcherFailsFast(t *testing.T) {
	fileStateOnly(t, "its lock (a database has none: replicas share it)")
	dir := t.TempDir()
	db := filepath.Join(dir, "watcher.db")
	writeConfig(t, dir, "state: "+db+"\nsources:\n  - name: a\n    feed: http://127.0.0.1:9/feed\n"+
		"topics:\n  - id: t\n    title: T\n    query: x\n")
	st, err := state.Open(db, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	r := watcher(t, dir, nil, "--once")
	if r.code != exitFailed || !strings.Contains(r.stderr, "locked by another watcher") {
		t.Errorf("exit %d, stderr %q; want 1 and a message about the lock", r.code, r.stderr)
	}
	t.Logf("second watcher gave up after %s", time.Since(start).Round(time.Millisecond))
}

// TestMatchCommandOnCorpus runs `watcher match` with the shipped topics over
// the labelled corpus and scores it as the corpus guide says.
func TestMatchCommandOnCorpus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(sharedDir, "corpus/dev.jsonl"))
	if err != nil {
		t.Skipf("corpus not beside the checkout: %v", err)
	}
	r := watcher(t, ".", data, "match", "--config", "../../config.yaml")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var line struct {
			ID     string   `json:"id"`
			Topics []string `json:"topics"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		got[line.ID] = line.Topics
	}
	items := parseCorpus(t, data)
	if len(got) != len(items) {
		t.Fatalf("%d output lines for %d items", len(got), len(items))
	}
	scoreCorpus(t, "matched", items, 0.95, func(id, topic string) bool { return slices.Contains(got[id], topic) })
}

// TestMatchCommandBadLine: a line that is not JSON is reported with its
// number and the other lines are still matched.
func TestMatchCommandBadLine(t *testing.T) {
	in := `{"id":"a","title":"Kartavykh sentenced in Baku","summary":"Sputnik Azerbaijan director"}
{not json
{"id":"b","title":"Weather"}
`
	r := watcher(t, ".", []byte(in), "match", "--config", "../../config.yaml")
	if r.code != exitFailed || !strings.Contains(r.stderr, "stdin:2:") {
		t.Errorf("exit %d, stderr %q; want 1 and the line number", r.code, r.stderr)
	}
	if lines := strings.Count(r.stdout, "\n"); lines != 2 {
		t.Errorf("%d output lines, want 2:\n%s", lines, r.stdout)
	}
	if !strings.Contains(r.stdout, fmt.Sprintf(`{"id":"a","topics":[%q]}`, "sputnik-detainees")) {
		t.Errorf("item a not matched: %s", r.stdout)
	}
}

// TestEverySourceFailed: when no source could be read (the network is
// down, say), --once exits 1 so that a cron job hears of it.
func TestEverySourceFailed(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "state: watcher.db\nsources:\n  - name: a\n    feed: http://127.0.0.1:9/feed\n"+
		"topics:\n  - id: t\n    title: T\n    query: x\n")
	r := watcher(t, dir, nil, "--once")
	if r.code != exitFailed || !strings.Contains(r.stderr, "every source failed") || !strings.Contains(r.stderr, "source=a") {
		t.Errorf("exit %d, stderr:\n%s\nwant 1, the source named and \"every source failed\"", r.code, r.stderr)
	}
}

// TestMatchWithTopicsOnly: a configuration that only defines topics is
// enough for `watcher match`, and `check` warns that it has no sources.
func TestMatchWithTopicsOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "topics.yaml")
	writeConfigAt(t, path, "topics:\n  - id: azal\n    title: AZAL\n    query: AZAL AND (crash* OR катастроф*)\n")
	r := watcher(t, dir, []byte(`{"id":"1","title":"AZAL crash report published"}`+"\n"+`{"id":"2","title":"AZAL new route"}`+"\n"),
		"match", "--config", path)
	want := `{"id":"1","topics":["azal"]}` + "\n" + `{"id":"2","topics":[]}` + "\n"
	if r.code != exitOK || r.stdout != want {
		t.Errorf("exit %d, stdout %q; want 0 and %q\n%s", r.code, r.stdout, want, r.stderr)
	}
	if r := watcher(t, dir, nil, "check", "--config", path); r.code != exitOK || !strings.Contains(r.stdout, "no sources") {
		t.Errorf("check: exit %d, %q; want 0 and a warning about no sources", r.code, r.stdout)
	}
}
