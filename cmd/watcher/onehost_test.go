package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shippedHead is the shipped config.yaml up to its sources: the settings a
// user runs (schedule, fetch, delivery), untouched.
func shippedHead(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "\nsources:")
	if i < 0 {
		t.Fatal("no sources section in config.yaml")
	}
	return s[:i+1]
}

// corpusLine is one corpus item as the feed server serves it.
type corpusLine struct {
	ID        string    `json:"id"`
	Lang      string    `json:"lang"`
	Source    string    `json:"source"`
	Published time.Time `json:"published"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Body      string    `json:"body"`
}

// sectionedCorpus writes the corpus at path with each outlet split into
// two sections ("world.report.az" and "region.report.az", each item in
// one by a hash of its id), as a site's sections are read as sources of
// their own, and returns the new file: twice the outlets of the corpus
// (70 of the 35 today), served from one host, with the same stories.
func sectionedCorpus(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var it map[string]any
		if err := json.Unmarshal([]byte(l), &it); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		id, _ := it["id"].(string)
		src, _ := it["source"].(string)
		h := fnv.New32a()
		h.Write([]byte(id))
		section := "world."
		if h.Sum32()%2 == 1 {
			section = "region."
		}
		it["source"] = section + src
		line, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(append(line, '\n'))
	}
	file := filepath.Join(t.TempDir(), "sectioned.jsonl")
	writeFile(t, file, out.String())
	return file
}

// TestOneHostShippedSettings is the configuration that lost news: every
// source on one host, read with the shipped config.yaml's settings as they
// are (per_host 2, the shipped pauses, a 30s timeout): 100 synthetic feeds
// that do not change, every corpus outlet split into two sections (70
// sources; two in three as teaser feeds with fulltext, the rest from
// their listing pages, so every new story costs an article page), and
// three hostile endpoints beside them. The
// virtual clock moves on twice; each run must deliver every match of what
// appeared since the last, and nothing must fail but the hostile
// endpoints.
func TestOneHostShippedSettings(t *testing.T) {
	if testing.Short() {
		t.Skip("reads about 200 article pages at the shipped page delay")
	}
	t.Parallel() // two minutes of page delays, little CPU
	corpusPath := sectionedCorpus(t, filepath.Join(sharedDir, "corpus/dev.jsonl"))
	f := startFarm(t, "-corpus", corpusPath, "-now", "2025-06-20T00:00:00Z", "-feeds", "100", "-items", "50")
	resp, err := http.Get(f.base + "/outlets.json")
	if err != nil {
		t.Fatal(err)
	}
	var outlets []outlet
	err = json.NewDecoder(resp.Body).Decode(&outlets)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(outlets) < 60 {
		t.Fatalf("%d corpus outlets served; the case to test is 60 or more on one host", len(outlets))
	}
	listed := map[string]bool{}
	hook, hookURL := newHook(t)
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString(shippedHead(t))
	cfg.WriteString("sources:\n")
	for i := range 100 {
		fmt.Fprintf(&cfg, "  - name: synthetic-%d\n    feed: %s/synthetic/%d\n", i, f.base, i)
	}
	for i, o := range outlets {
		if i%3 == 2 {
			listed[o.Source] = true
			fmt.Fprintf(&cfg, "  - name: %s\n    page: %s\n    links: a.story\n", o.Source, o.Listing)
		} else {
			fmt.Fprintf(&cfg, "  - name: %s\n    feed: %s\n    fulltext: true\n", o.Source, o.Feed)
		}
	}
	hostile := []string{"slow?s=45", "status500", "malformed"}
	for _, h := range hostile {
		fmt.Fprintf(&cfg, "  - name: fault-%s\n    feed: %s/fault/%s\n", strings.Split(h, "?")[0], f.base, h)
	}
	cfg.WriteString(shippedTopics(t))
	fmt.Fprintf(&cfg, "alerts:\n  webhook:\n    - url: %s\n", hookURL)
	writeConfig(t, dir, cfg.String())
	sources := 100 + len(outlets) + len(hostile)

	data, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	var corpus []corpusLine
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c corpusLine
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		corpus = append(corpus, c)
	}

	run := func(name string) {
		t.Helper()
		r := watcherWithin(t, 10*time.Minute, dir, nil, "--once")
		line := logLineOf(r.stderr, "cycle done")
		t.Logf("%s: %s", name, strings.TrimSpace(line))
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", name, r.code, r.stderr)
		}
		num := func(key string) int {
			n, err := strconv.Atoi(summaryField(t, r.stderr, key))
			if err != nil {
				t.Fatalf("%s: summary field %s: %v", name, key, err)
			}
			return n
		}
		if got, want := num("ok"), sources-len(hostile); got != want {
			t.Errorf("%s: ok=%d, want every source but the hostile ones (%d)", name, got, want)
		}
		// The hostile endpoints fail, then rest: both are fine.
		if got := num("failed") + num("backed_off"); got != len(hostile) {
			t.Errorf("%s: failed+backed_off=%d, want the %d hostile endpoints", name, got, len(hostile))
		}
		if num("not_reached") != 0 || num("deferred") != 0 {
			t.Errorf("%s: not_reached=%d deferred=%d, want 0 and 0", name, num("not_reached"), num("deferred"))
		}
		if n := strings.Count(r.stderr, "timeout after"); n > 1 {
			t.Errorf("%s: %d timeouts in the log, want only the slow endpoint's:\n%s", name, n, grepLines(r.stderr, "timeout after"))
		}
	}

	run("first run")
	if p, _ := hook.pairs(t); len(p) != 0 {
		t.Fatalf("first run delivered %d items; a new source is read silently", len(p))
	}
	from := time.Date(2025, 6, 20, 0, 0, 0, 0, time.UTC)
	delivered := 0
	inWindows := map[string]bool{}
	for _, to := range []time.Time{time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)} {
		f.post(t, "/control/now?t="+to.Format(time.RFC3339))
		run("run to " + to.Format(time.DateOnly))
		pairs, _ := hook.pairs(t)
		got := pairs[delivered:]
		delivered = len(pairs)
		// What the matcher finds in the stories that appeared: title and
		// text for listing pages (they have no summary), all for feeds.
		var in strings.Builder
		window := map[string]bool{}
		for _, c := range corpus {
			if c.Published.After(from) && !c.Published.After(to) {
				window[c.ID] = true
				inWindows[c.ID] = true
				if listed[c.Source] {
					c.Summary = ""
				}
				line, _ := json.Marshal(c)
				in.Write(append(line, '\n'))
			}
		}
		m := watcher(t, dir, []byte(in.String()), "match")
		if m.code != exitOK {
			t.Fatalf("watcher match: exit %d\n%s", m.code, m.stderr)
		}
		var want []string
		for _, l := range strings.Split(strings.TrimSpace(m.stdout), "\n") {
			var r struct {
				ID     string   `json:"id"`
				Topics []string `json:"topics"`
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("watcher match output %q: %v", l, err)
			}
			for _, tp := range r.Topics {
				want = append(want, r.ID+" "+tp)
			}
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("to %s: %s matches but was not delivered in the run after it appeared", to.Format(time.DateOnly), w)
			}
		}
		for _, g := range got {
			if !window[strings.Fields(g)[0]] {
				t.Errorf("to %s: delivered %s, which appeared earlier", to.Format(time.DateOnly), g)
			}
		}
		t.Logf("to %s: %d stories appeared, %d matches expected, %d delivered", to.Format(time.DateOnly), len(window), len(want), len(got))
		from = to
	}
	run("quiet run")
	pairs, ids := hook.pairs(t)
	if len(pairs) != delivered || len(ids) != 2 {
		t.Errorf("the quiet run sent something: %d items in %d digests", len(pairs), len(ids))
	}
	// Scored on what appeared after the first run: what was there before
	// is the baseline a new source reads silently.
	seen := map[string]bool{}
	for _, p := range pairs {
		if seen[p] {
			t.Errorf("delivered twice: %s", p)
		}
		seen[p] = true
	}
	var appeared []corpusItem
	for _, it := range parseCorpus(t, data) {
		if inWindows[it.ID] {
			appeared = append(appeared, it)
		}
	}
	scoreCorpus(t, "delivered", appeared, 0.9, func(id, topic string) bool { return seen[id+" "+topic] })
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
