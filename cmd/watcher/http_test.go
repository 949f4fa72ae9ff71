package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// newsFeed is an RSS feed over a real socket whose items a test adds to.
type newsFeed struct {
	url   string
	mu    sync.Mutex
	items []string // "id|title", newest last
	hits  int      // requests answered
}

func newNewsFeed(t *testing.T) *newsFeed {
	f := &newsFeed{}
	f.url = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.hits++
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>`)
		for _, it := range slices.Backward(f.items) {
			id, title, _ := strings.Cut(it, "|")
			fmt.Fprintf(w, `<item><guid>%s</guid><title>%s</title><link>%s</link></item>`, id, title, f.link(id))
		}
		io.WriteString(w, `</channel></rss>`)
	})) + "/feed.xml"
	return f
}

func (f *newsFeed) link(id string) string { return "http://news.example.org/story/" + id }

// requests is how many times the feed was fetched.
func (f *newsFeed) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

func (f *newsFeed) add(items ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, items...)
}

// freePort returns a port nothing listens on now. `watcher status` must
// know the daemon's port from the configuration, so port 0 will not do.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// listenAddr waits for the daemon's "http listening" line and returns
// the address it names.
func (d *daemonProc) listenAddr(t *testing.T) string {
	t.Helper()
	var addr string
	d.waitFor(t, 15*time.Second, func(l string) bool {
		if strings.Contains(l, `msg="http listening"`) {
			_, addr, _ = strings.Cut(l, "addr=")
			addr, _, _ = strings.Cut(addr, " ")
			return true
		}
		return false
	})
	return "http://" + addr
}

func httpGet(t *testing.T, url, accept string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// scrape reads /metrics as Prometheus does.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	code, _, body := httpGet(t, base+"/metrics", "")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	return parseMetrics(t, body)
}

func parseMetrics(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse metrics: %v\n%s", err, text)
	}
	return mfs
}

// metricValue is the value of the series of name with exactly labels
// (as name=value pairs), and whether it exists.
func metricValue(mfs map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		var got []string
		for _, lp := range m.GetLabel() {
			got = append(got, lp.GetName()+"="+lp.GetValue())
		}
		if !slices.Equal(got, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

// TestDaemonHTTP runs the daemon with its listener over real sockets: a
// feed with two new items about the minister among three, a source that
// answers 503 and a webhook. /metrics, /healthz, /status and the Atom
// feeds say what the servers saw; `watcher status` asks the daemon; after
// a restart the feed still carries the same entries.
func TestDaemonHTTP(t *testing.T) {
	feed := newNewsFeed(t)
	feed.add("a1|Weather in Baku")
	dead := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	hook := newHookRecorder(t, func(int, string) int { return http.StatusNoContent })
	dir := t.TempDir()
	listen := freePort(t)
	// A one-second schedule, so the daemon's cycles come within the test.
	writeConfig(t, dir, fmt.Sprintf("state: watcher.db\nschedule: \"@every 1s\"\n"+
		"http:\n  listen: %q\nsources:\n  - name: news\n    feed: %s\n  - name: dead\n    feed: %s/feed.xml\n"+
		"topics:\n  - id: minister\n    title: The minister\n    query: minister\n"+
		"alerts:\n  webhook:\n    - url: %s\n", listen, feed.url, dead, hook.url))
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("baseline run: exit %d\n%s", r.code, r.stderr)
	}
	feed.add("b1|Minister resigns", "b2|Weather again", "b3|The minister visits Ganja")

	d := startDaemon(t, dir)
	base := d.listenAddr(t)
	if base != "http://"+listen {
		t.Errorf("listening at %s, want the configured %s", base, listen)
	}
	d.waitFor(t, 30*time.Second, func(l string) bool {
		return strings.Contains(l, `msg="cycle done"`) && strings.Contains(l, "matched=2")
	})
	// The snapshot is replaced right after the log line, the cycle's
	// counters first, then what it reads from the state (which takes
	// longer from a database than from a file); wait for both.
	waitUntil(t, func() bool {
		v, _ := metricValue(scrape(t, base), "watcher_items_matched_total", "topic=minister")
		code, _, body := httpGet(t, base+"/healthz", "")
		return v == 2 && code == http.StatusOK && strings.HasPrefix(body, "ok")
	})

	mfs := scrape(t, base)
	checks := []struct {
		name   string
		labels []string
		want   func(float64) bool
		says   string
	}{
		{"watcher_items_matched_total", []string{"topic=minister"}, eq(2), "2 items about the minister"},
		{"watcher_items_new_total", []string{"source=news"}, eq(3), "3 new items from news"},
		{"watcher_fetch_failures_total", []string{"cause=http_5xx", "source=dead"}, atLeast(1), "dead failing with a 5xx"},
		{"watcher_deliveries_total", []string{"outcome=sent", "sink=webhook " + hook.url}, eq(1), "one digest sent"},
		{"watcher_cycles_total", []string{"result=ok"}, atLeast(1), "cycles ok"},
		{"watcher_cycle_duration_seconds", nil, atLeast(1), "cycle durations observed"},
		{"watcher_last_success_timestamp_seconds", nil, atLeast(float64(time.Now().Add(-time.Minute).Unix())), "a recent successful cycle"},
		{"watcher_source_last_success_timestamp_seconds", []string{"source=news"}, atLeast(float64(time.Now().Add(-time.Minute).Unix())), "news read lately"},
		{"watcher_source_consecutive_failures", []string{"source=dead"}, atLeast(1), "dead failing in a row"},
		{"watcher_digests", []string{"state=pending"}, eq(0), "nothing pending"},
		{"go_goroutines", nil, atLeast(1), "the Go collector"},
	}
	for _, c := range checks {
		if v, ok := metricValue(mfs, c.name, c.labels...); !ok || !c.want(v) {
			t.Errorf("%s%v = %v (present %v), want %s", c.name, c.labels, v, ok, c.says)
		}
	}
	var bySource float64
	for _, s := range []string{"ok", "failing", "backed_off", "not_modified", "not_due", "not_reached"} {
		v, ok := metricValue(mfs, "watcher_sources", "state="+s)
		if !ok {
			t.Errorf("watcher_sources{state=%q} missing", s)
		}
		bySource += v
	}
	if bySource != 2 {
		t.Errorf("watcher_sources adds up to %v, want the 2 configured", bySource)
	}

	if code, _, body := httpGet(t, base+"/healthz", ""); code != http.StatusOK || !strings.HasPrefix(body, "ok") {
		t.Errorf("/healthz: %d %q, want 200 ok", code, body)
	}
	checkStatusEndpoints(t, base)
	entries := checkAtom(t, base+"/feed.atom", feed, "b1", "b3")
	checkAtom(t, base+"/feed/minister.atom", feed, "b1", "b3")
	if code, _, _ := httpGet(t, base+"/feed/nosuch.atom", ""); code != http.StatusNotFound {
		t.Errorf("/feed/nosuch.atom: %d, want 404", code)
	}

	r := watcher(t, dir, nil, "status")
	if r.code != exitOK || !strings.Contains(r.stdout, "from the running daemon at "+base+"/status") {
		t.Errorf("status while the daemon runs: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if row := logLine(r.stdout, "dead "); !strings.Contains(row, "HTTP status 503") {
		t.Errorf("status from the daemon: no 503 on dead's row:\n%s", r.stdout)
	}
	d.stop(t)

	r = watcher(t, dir, nil, "status")
	if r.code != exitOK || strings.Contains(r.stdout, "running daemon") || !strings.Contains(r.stdout, "state "+stateShown(t, dir)) {
		t.Errorf("status with the daemon stopped: exit %d, want the state file's table\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Restarted, the daemon serves the same entries from the state file
	// before its first cycle has found anything new.
	d = startDaemon(t, dir)
	base = d.listenAddr(t)
	if again := checkAtom(t, base+"/feed.atom", feed, "b1", "b3"); !slices.Equal(again, entries) {
		t.Errorf("entry ids after a restart %v, want %v", again, entries)
	}
	d.stop(t)
}

func eq(want float64) func(float64) bool     { return func(v float64) bool { return v == want } }
func atLeast(min float64) func(float64) bool { return func(v float64) bool { return v >= min } }

// waitUntil polls cond for up to ten seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for range 100 {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("condition not met within 10s")
}

// checkStatusEndpoints reads /status as JSON and as HTML.
func checkStatusEndpoints(t *testing.T, base string) {
	t.Helper()
	code, ctype, body := httpGet(t, base+"/status", "application/json")
	var st struct {
		Sources []struct {
			Name      string `json:"name"`
			Seen      int    `json:"seen"`
			Failures  int    `json:"failures"`
			LastError string `json:"last_error"`
		} `json:"sources"`
		State struct {
			Path string `json:"path"`
		} `json:"state"`
	}
	if err := json.Unmarshal([]byte(body), &st); code != http.StatusOK || ctype != "application/json" || err != nil {
		t.Fatalf("/status as JSON: %d %s %v\n%s", code, ctype, err, body)
	}
	if len(st.Sources) != 2 || st.Sources[0].Name != "news" || st.Sources[0].Seen != 4 ||
		st.Sources[1].Name != "dead" || st.Sources[1].Failures < 1 || !strings.Contains(st.Sources[1].LastError, "503") {
		t.Errorf("/status sources = %+v, want news with 4 seen and dead failing with 503", st.Sources)
	}
	code, ctype, body = httpGet(t, base+"/status", "text/html")
	if code != http.StatusOK || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(body, "<td>dead</td>") ||
		!strings.Contains(body, "HTTP status 503") {
		t.Errorf("/status as HTML: %d %s\n%s", code, ctype, body)
	}
}

// checkAtom parses url as Atom and checks it holds exactly the items
// with the given ids, newest first, linked to their own pages; it returns
// the entries' ids.
func checkAtom(t *testing.T, url string, feed *newsFeed, ids ...string) []string {
	t.Helper()
	code, ctype, body := httpGet(t, url, "")
	if code != http.StatusOK || !strings.HasPrefix(ctype, "application/atom+xml") {
		t.Fatalf("%s: %d %s\n%s", url, code, ctype, body)
	}
	parsed, err := gofeed.NewParser().ParseString(body)
	if err != nil || parsed.FeedType != "atom" {
		t.Fatalf("%s: not Atom (%v, type %q)\n%s", url, err, parsed.FeedType, body)
	}
	var links, got []string
	for _, it := range parsed.Items {
		links = append(links, it.Link)
		got = append(got, it.GUID)
		if !strings.HasPrefix(it.GUID, "tag:") {
			t.Errorf("%s: entry id %q is not a tag URI", url, it.GUID)
		}
	}
	var want []string
	for _, id := range slices.Backward(ids) {
		want = append(want, feed.link(id))
	}
	if !slices.Equal(links, want) {
		t.Errorf("%s: links %v, want %v", url, links, want)
	}
	return got
}

// atomEntries counts the entries of the Atom feed at url, or -1 when it
// does not serve one.
func atomEntries(t *testing.T, url string) int {
	t.Helper()
	code, _, body := httpGet(t, url, "")
	parsed, err := gofeed.NewParser().ParseString(body)
	if code != http.StatusOK || err != nil {
		return -1
	}
	return len(parsed.Items)
}

// TestDaemonHealthzFailing: when every source fails, /healthz answers 503
// and says why.
func TestDaemonHealthzFailing(t *testing.T) {
	dead := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "gone", http.StatusNotFound)
	}))
	dir := t.TempDir()
	// A one-second schedule and port 0: the test reads the port from the log.
	writeConfig(t, dir, fmt.Sprintf("state: watcher.db\nschedule: \"@every 1s\"\n"+
		"http: {listen: \"127.0.0.1:0\"}\nsources:\n  - name: dead\n    feed: %s/feed.xml\n"+
		"topics:\n  - id: minister\n    title: The minister\n    query: minister\n", dead))
	d := startDaemon(t, dir)
	base := d.listenAddr(t)
	if code, _, body := httpGet(t, base+"/healthz", ""); code != http.StatusOK || !strings.HasPrefix(body, "starting") {
		t.Errorf("/healthz before the first cycle: %d %q, want 200 starting", code, body)
	}
	d.waitFor(t, 15*time.Second, func(l string) bool { return strings.Contains(l, `msg="cycle done"`) })
	waitUntil(t, func() bool { code, _, _ := httpGet(t, base+"/healthz", ""); return code != http.StatusOK })
	code, _, body := httpGet(t, base+"/healthz", "")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "every source failed") {
		t.Errorf("/healthz with every source failing: %d %q, want 503 naming the cause", code, body)
	}
	d.stop(t)
}

// TestMetricsFile: a --once run with metrics_file leaves the run's
// metrics in the Prometheus text format, without the Go runtime's (the
// node_exporter that reads the file has its own), and no temporary file.
func TestMetricsFile(t *testing.T) {
	t.Parallel()
	feed := newNewsFeed(t)
	feed.add("a1|Weather in Baku")
	dir := t.TempDir()
	writeConfig(t, dir, fmt.Sprintf("state: watcher.db\nmetrics_file: textfile/watcher.prom\n"+
		"sources:\n  - name: news\n    feed: %s\ntopics:\n  - id: minister\n    title: The minister\n    query: minister\n", feed.url))
	if err := os.Mkdir(filepath.Join(dir, "textfile"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("baseline: exit %d\n%s", r.code, r.stderr)
	}
	feed.add("b1|Minister resigns")
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "textfile", "watcher.prom"))
	if err != nil {
		t.Fatal(err)
	}
	mfs := parseMetrics(t, string(raw))
	if v, _ := metricValue(mfs, "watcher_items_matched_total", "topic=minister"); v != 1 {
		t.Errorf("watcher_items_matched_total{topic=minister} = %v, want 1 (this run's)\n%s", v, raw)
	}
	if v, _ := metricValue(mfs, "watcher_cycles_total", "result=ok"); v != 1 {
		t.Errorf("watcher_cycles_total{result=ok} = %v, want 1", v)
	}
	if _, ok := mfs["go_goroutines"]; ok {
		t.Error("the metrics file carries the Go runtime's metrics")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "textfile", "*.prom.*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestStatusFallsBackOnBadAnswer: when something else answers at
// http.listen, `watcher status` says so and reads the state file.
func TestStatusFallsBackOnBadAnswer(t *testing.T) {
	t.Parallel()
	other := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "not a watcher", http.StatusInternalServerError)
	}))
	feed := newNewsFeed(t)
	dir := t.TempDir()
	writeConfig(t, dir, fmt.Sprintf("state: watcher.db\nhttp: {listen: %q}\n"+
		"sources:\n  - name: news\n    feed: %s\ntopics:\n  - id: minister\n    title: The minister\n    query: minister\n",
		strings.TrimPrefix(other, "http://"), feed.url))
	if r := watcher(t, dir, nil, "--once"); r.code != exitOK {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	r := watcher(t, dir, nil, "status")
	if r.code != exitOK || !strings.Contains(r.stderr, "500 Internal Server Error; reading the state file instead") ||
		!strings.Contains(r.stdout, "state "+stateShown(t, dir)) {
		t.Errorf("status with a stranger at the address: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
