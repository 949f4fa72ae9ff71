package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// getJSON decodes the JSON answer of a GET.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// sourceStates reads the health the state of dir's configuration keeps
// for every source. The watcher must not be running.
func sourceStates(t *testing.T, dir string) map[string]state.Source {
	t.Helper()
	st := openTestStore(t, dir, nil)
	defer st.Close()
	srcs, err := st.Sources()
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}

// letTimePass moves the next attempt of the named sources into the past,
// as if their back-off had run out: the watcher's clock cannot be faked
// across processes, the state it reads can.
func letTimePass(t *testing.T, dir string, names []string) {
	t.Helper()
	st := openTestStore(t, dir, nil)
	defer st.Close()
	srcs, err := st.Sources()
	if err != nil {
		t.Fatal(err)
	}
	b := state.Batch{Sources: map[string]state.Source{}}
	for _, n := range names {
		s := srcs[n]
		s.NextAttempt = time.Now().Add(-time.Second)
		b.Sources[n] = s
	}
	if err := st.Commit(b); err != nil {
		t.Fatal(err)
	}
}

// statusRow returns the `watcher status` line of the named source.
func statusRow(t *testing.T, status, name string) string {
	t.Helper()
	for _, line := range strings.Split(status, "\n") {
		if strings.HasPrefix(line, name+" ") {
			return line
		}
	}
	t.Errorf("watcher status has no row for %s:\n%s", name, status)
	return ""
}

// logLineFor returns the log line with msg about the named source.
func logLineFor(log, msg, source string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "msg=\""+msg+"\"") && strings.Contains(line, " source="+source+" ") {
			return line
		}
	}
	return ""
}

// summaryField reads one key=value of the run's "cycle done" line.
func summaryField(t *testing.T, log, key string) string {
	t.Helper()
	line := logLineOf(log, "cycle done")
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	t.Fatalf("no %s in the summary line %q", key, line)
	return ""
}

// mib formats a peak RSS in KiB as MiB for the log.
func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// logLineOf returns the last log line with msg.
func logLineOf(log, msg string) string {
	out := ""
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, `msg="`+msg+`"`) {
			out = l
		}
	}
	return out
}

// deliveredURLs lists "URL topic" for every item of every digest h
// received, and the digests themselves.
func deliveredURLs(t *testing.T, h *hookLog) (items, digests []string) {
	t.Helper()
	all, _, bodies := h.decode(t)
	for _, it := range all {
		items = append(items, it.URL+" "+it.Topic)
	}
	return items, bodies
}
