package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// outlet is one entry of the feed server's /outlets.json.
type outlet struct {
	Source   string `json:"source"`
	Encoding string `json:"encoding"`
	Feed     string `json:"feed"`
	Listing  string `json:"listing"`
}

// hookLog records the digests a real webhook endpoint accepts.
type hookLog struct {
	mu      sync.Mutex
	digests []json.RawMessage
}

func newHook(t *testing.T) (*hookLog, string) {
	h := &hookLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.digests = append(h.digests, body)
		h.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// hookItem is one item of one digest the hook accepted.
type hookItem struct{ URL, Topic string }

// decode returns every item of every digest received, the digests' ids
// and their bodies, in the order they arrived. The other reports of an
// item's story ("also") are items delivered too.
func (h *hookLog) decode(t *testing.T) (items []hookItem, ids, bodies []string) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, raw := range h.digests {
		var d struct {
			ID     string `json:"id"`
			Topics []struct {
				ID    string `json:"id"`
				Items []struct {
					URL  string `json:"url"`
					Also []struct {
						URL string `json:"url"`
					} `json:"also"`
				} `json:"items"`
			} `json:"topics"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("digest is not JSON: %v", err)
		}
		ids = append(ids, d.ID)
		bodies = append(bodies, string(raw))
		for _, tp := range d.Topics {
			for _, it := range tp.Items {
				items = append(items, hookItem{URL: it.URL, Topic: tp.ID})
				for _, a := range it.Also {
					items = append(items, hookItem{URL: a.URL, Topic: tp.ID})
				}
			}
		}
	}
	return items, ids, bodies
}

// pairs lists every delivered item as "id topic", the item id taken from
// the article URL the feed server gives, and the digest ids.
func (h *hookLog) pairs(t *testing.T) (pairs []string, digestIDs []string) {
	t.Helper()
	items, ids, _ := h.decode(t)
	for _, it := range items {
		pairs = append(pairs, path.Base(it.URL)+" "+it.Topic)
	}
	return pairs, ids
}

// shippedTopics is the topics section of the shipped configuration.
func shippedTopics(t *testing.T) string {
	data, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, "\ntopics:"), strings.Index(s, "# TOPICS-END")
	if i < 0 || j < i {
		t.Fatal("no topics section in config.yaml")
	}
	return s[i:j]
}

// scoreDelivered checks that no item came twice and scores what arrived
// against the corpus labels, as `watcher match` is scored.
func scoreDelivered(t *testing.T, pairs []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range pairs {
		if seen[p] {
			t.Errorf("delivered twice: %s", p)
		}
		seen[p] = true
	}
	data, err := os.ReadFile(filepath.Join(sharedDir, "corpus/dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	scoreCorpus(t, "delivered", parseCorpus(t, data), 0.9, func(id, topic string) bool { return seen[id+" "+topic] })
}

// TestDaemonRunsOnScheduleAndStops: the daemon runs cycles on its schedule
// and exits cleanly, with code 0, on SIGTERM.
func TestDaemonRunsOnScheduleAndStops(t *testing.T) {
	f := startFarm(t, "-feeds", "4", "-items", "20")
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("state: watcher.db\nschedule: \"@every 1s\"\nsources:\n")
	for i := range 4 {
		fmt.Fprintf(&cfg, "  - name: s%d\n    feed: %s/synthetic/%d\n", i, f.base, i)
	}
	cfg.WriteString("topics:\n  - id: any\n    title: Anything\n    query: the OR и\n")
	writeConfig(t, dir, cfg.String())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, watcherBin)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var log strings.Builder
	cycles := 0
	for cycles < 2 && sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "cycle done") {
			cycles++
		}
	}
	if cycles < 2 {
		t.Fatalf("saw %d cycles before the log ended:\n%s", cycles, log.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("daemon exit after SIGTERM: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "watcher stopped") {
		t.Errorf("no clean stop in the log:\n%s", log.String())
	}
}
