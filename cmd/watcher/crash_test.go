package main

import (
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Kill points of the crash test.
const (
	killNone     = iota // the run ends by itself
	killAtRandom        // SIGKILL after a random delay: mostly while fetching
	killStored          // SIGKILL when the webhook request arrives: digest stored, not delivered
	killDelivery        // SIGKILL after the receiver took the digest, before it answers
	killModes
)

var killNames = [killModes]string{"none", "random", "stored", "delivery"}

// crashWords are the title words the crash test's topic looks for.
var crashWords = []string{"airline", "flight", "crash", "compensation", "рейс", "крушение", "компенсация"}

// TestCrashNothingLostNothingTwice drives the built binary through many
// cycles while new items appear, kills it with SIGKILL at seeded random
// points and restarts it. At the end every matching item has reached the
// webhook, a repeated delivery always carries the same digest id and the
// same items, and after deduplication by digest id each item came exactly
// once. The state file must open after every kill. Set CRASH_SEED to
// replay a run.
func TestCrashNothingLostNothingTwice(t *testing.T) {
	const feeds, items, perAdvance, cycles = 6, 150, 3, 32
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (CRASH_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 5))

	f := startFarm(t, "-feeds", strconv.Itoa(feeds), "-items", strconv.Itoa(items), "-new", strconv.Itoa(perAdvance),
		"-formats", "rss", "-latency", "100ms", "-jitter", "150ms")
	hook := newKillHook(t)
	dir := t.TempDir()
	query := "title:(" + strings.Join(crashWords, " OR ") + ")"
	synthConfig(t, dir, f, feeds, query, webhookAlerts(hook.url, 1000))
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("baseline run: exit %d\n%s", r.code, r.stderr)
	}

	start := time.Now()
	var killed [killModes]int
	for c := range cycles {
		f.post(t, "/control/advance")
		mode := rng.IntN(killModes)
		if c < 9 {
			mode = c%3 + 1 // every kill point, whatever the seed
		}
		delay := time.Duration(rng.Int64N(int64(350 * time.Millisecond)))
		if hook.runAndKill(t, dir, mode, delay) {
			killed[mode]++
		}
		if out := mustStatus(t, dir); c == cycles-1 {
			t.Logf("status after the last kill cycle:\n%s", out)
		}
	}
	drain(t, dir)
	t.Logf("%d cycles in %s; kills: random %d, stored %d, delivery %d",
		cycles, time.Since(start).Round(time.Millisecond), killed[killAtRandom], killed[killStored], killed[killDelivery])

	for _, m := range []int{killAtRandom, killStored, killDelivery} {
		if killed[m] == 0 {
			t.Errorf("no run was killed at %s", killNames[m])
		}
	}
	want := expectedItems(t, f, feeds, items, items+perAdvance*cycles)
	checkExactlyOnce(t, hook.requests(), want)
}

// drain runs the watcher without kills until no digest is pending.
func drain(t *testing.T, dir string) {
	t.Helper()
	for range 5 {
		r := watcher(t, dir, nil, "--once")
		if r.code != exitOK {
			t.Fatalf("drain run: exit %d\n%s", r.code, r.stderr)
		}
		if strings.Contains(mustStatus(t, dir), " 0 pending, 0 held for a schedule, 0 parked") {
			return
		}
	}
	t.Fatalf("digests still pending after 5 clean runs:\n%s", mustStatus(t, dir))
}

// killHook is a webhook receiver that can kill the watcher process
// delivering to it: before it reads the digest (the digest is stored but
// never arrived) or after (it arrived, the watcher does not know).
type killHook struct {
	*hookRecorder
	mu   sync.Mutex
	mode int
	proc *os.Process
}

func newKillHook(t *testing.T) *killHook {
	k := &killHook{}
	k.hookRecorder = &hookRecorder{answer: always(http.StatusNoContent)}
	k.url = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := readDelivery(r)
		if err != nil {
			t.Errorf("webhook: %v", err)
			return
		}
		if k.killIf(killStored) {
			waitGone(r) // never recorded nor answered: this delivery did not happen
			return
		}
		k.hookRecorder.mu.Lock()
		d.status = http.StatusNoContent
		k.reqs = append(k.reqs, d)
		k.hookRecorder.mu.Unlock()
		if k.killIf(killDelivery) {
			waitGone(r) // a slow answer: the sender is gone before it
		}
		w.WriteHeader(d.status)
	}))
	return k
}

// waitGone waits until the client of r has gone, or a few seconds.
func waitGone(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// killIf kills the armed process if the armed mode is mode, and disarms.
func (k *killHook) killIf(mode int) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.mode != mode || k.proc == nil {
		return false
	}
	_ = k.proc.Signal(syscall.SIGKILL)
	k.proc = nil
	return true
}

// runAndKill runs `watcher --once` with the kill point mode armed and
// reports whether SIGKILL ended it.
func (k *killHook) runAndKill(t *testing.T, dir string, mode int, delay time.Duration) bool {
	t.Helper()
	cmd := exec.Command(watcherBin, "--once")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	k.mu.Lock()
	k.mode, k.proc = mode, cmd.Process
	k.mu.Unlock()
	if mode == killAtRandom {
		time.AfterFunc(delay, func() { k.killIf(killAtRandom) })
	}
	guard := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	guard.Stop()
	k.mu.Lock()
	k.proc = nil
	k.mu.Unlock()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		t.Logf("killed at %s (delay %s)", killNames[mode], delay.Round(time.Millisecond))
		return true
	}
	if err != nil {
		t.Fatalf("run (kill point %s not reached): %v\n%s", killNames[mode], err, stderr.String())
	}
	return false
}

// expectedItems reads every synthetic feed and returns the paths of the
// items with sequence numbers in [from, to) whose titles hold one of the
// crash words: what the topic must have delivered, worked out here
// without the watcher's matcher.
func expectedItems(t *testing.T, f farm, feeds, from, to int) map[string]bool {
	t.Helper()
	want := map[string]bool{}
	for i := range feeds {
		for _, it := range rssItems(t, fmt.Sprintf("%s/synthetic/%d", f.base, i)) {
			p := itemPath(t, it.Link)
			seq, _ := strconv.Atoi(p[strings.LastIndexByte(p, '/')+1:])
			if seq >= from && seq < to && titleHasWord(it.Title, crashWords) {
				want[p] = true
			}
		}
	}
	return want
}

// titleHasWord reports whether one of words is a word of title.
func titleHasWord(title string, words []string) bool {
	for _, w := range strings.Fields(strings.ToLower(title)) {
		if slices.Contains(words, w) {
			return true
		}
	}
	return false
}

type rssItem struct {
	Title string `xml:"title"`
	Link  string `xml:"link"`
}

// rssItems fetches and decodes an RSS 2.0 feed.
func rssItems(t *testing.T, feedURL string) []rssItem {
	t.Helper()
	resp, err := http.Get(feedURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Items []rssItem `xml:"channel>item"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("decode %s: %v", feedURL, err)
	}
	return doc.Items
}

// itemPath is the path of an item URL, which identifies the item whatever
// host it was served on.
func itemPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("item url %q: %v", raw, err)
	}
	return u.Path
}

// checkExactlyOnce asserts that repeated deliveries of a digest id carry
// the same items, and that after deduplication by id every wanted item
// arrived exactly once and nothing else arrived.
func checkExactlyOnce(t *testing.T, reqs []delivery, want map[string]bool) {
	t.Helper()
	byID := map[string][]string{}
	repeats := 0
	for _, d := range reqs {
		if d.header != d.id {
			t.Errorf("X-Watcher-Digest-Id %q, body id %q", d.header, d.id)
		}
		prev, dup := byID[d.id]
		if dup {
			repeats++
			if !slices.Equal(prev, d.urls) {
				t.Errorf("digest %s delivered twice with different items:\n%q\n%q", d.id, prev, d.urls)
			}
			continue
		}
		byID[d.id] = d.urls
	}
	got := map[string]int{}
	for _, urls := range byID {
		for _, u := range urls {
			got[itemPath(t, u)]++
		}
	}
	for p, n := range got {
		switch {
		case !want[p]:
			t.Errorf("delivered an item the topic does not match: %s", p)
		case n != 1:
			t.Errorf("item %s is in %d different digests", p, n)
		}
	}
	for p := range want {
		if got[p] == 0 {
			t.Errorf("matching item never delivered: %s", p)
		}
	}
	t.Logf("%d requests, %d digests, %d repeated deliveries (same id), %d items expected, %d delivered",
		len(reqs), len(byID), repeats, len(want), len(got))
	if len(want) == 0 {
		t.Error("no item matched: the test proves nothing")
	}
}

// TestCorruptStateFileClearError: a state file that is garbage or was cut
// short makes `watcher --once` and `watcher status` exit 1 with a message
// that names the file, says it is damaged and says what to do, never with
// a panic trace.
func TestCorruptStateFileClearError(t *testing.T) {
	fileStateOnly(t, "its bytes, damaged")
	f := startFarm(t, "-feeds", "2", "-items", "20")
	dir := t.TempDir()
	synthConfig(t, dir, f, 2, "minister", "")
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	db := filepath.Join(dir, "watcher.db")
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"garbage", []byte(strings.Repeat("not a database\n", 2000))},
		{"truncated to half", good[:len(good)/2]},
		{"truncated inside the meta page", good[:100]},
		{"data pages zeroed", append(slices.Clone(good[:8192]), make([]byte, len(good)-8192)...)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(db, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"--once"}, {"status"}} {
				r := watcher(t, dir, nil, args...)
				msg := r.stderr
				t.Logf("watcher %s: exit %d: %s", args[0], r.code, strings.TrimSpace(msg))
				if r.code != exitFailed {
					t.Errorf("watcher %s: exit %d, want %d", args[0], r.code, exitFailed)
				}
				for _, want := range []string{"watcher.db", "corrupt", "move it aside"} {
					if !strings.Contains(msg, want) {
						t.Errorf("watcher %s: message lacks %q", args[0], want)
					}
				}
				if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic:") {
					t.Errorf("watcher %s: a panic trace reached the user", args[0])
				}
			}
		})
	}
}
