package serve

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

var t0 = time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)

// TestHealthCheck: the daemon is healthy while its cycles end ok and in
// time; each way of being unhealthy says why.
func TestHealthCheck(t *testing.T) {
	t.Parallel()
	deadline := t0.Add(time.Hour)
	tests := []struct {
		name string
		h    Health
		now  time.Time
		ok   bool
		says string
	}{
		{"starting", Health{Started: t0, Deadline: deadline}, t0.Add(time.Minute), true, "starting"},
		{"never a cycle", Health{Started: t0, Deadline: deadline}, deadline.Add(time.Second), false, "no cycle has completed since the start at 2025-07-01T09:00:00Z"},
		{"ok", Health{Started: t0, Cycles: 3, LastEnd: t0.Add(30 * time.Minute), Deadline: deadline}, t0.Add(40 * time.Minute), true, "ok: the last cycle ended 2025-07-01T09:30:00Z"},
		{"failed", Health{Started: t0, Cycles: 3, LastEnd: t0, LastErr: "save cycle: disk full", Deadline: deadline}, t0.Add(time.Minute), false, "failed: save cycle: disk full"},
		{"stuck", Health{Started: t0, Cycles: 3, LastEnd: t0, Deadline: deadline}, deadline.Add(time.Second), false, "no cycle has completed since 2025-07-01T09:00:00Z (one was due by 2025-07-01T10:00:00Z)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := tc.h.Check(tc.now)
			if ok != tc.ok || !strings.Contains(why, tc.says) {
				t.Errorf("Check = %v %q, want %v and %q", ok, why, tc.ok, tc.says)
			}
		})
	}
}

// TestFeedOneEntryPerItem: over a real socket, an item that matched two
// topics is one entry of /feed.atom, filed under both, while each topic's
// feed has it once; ids do not depend on the address asked.
func TestFeedOneEntryPerItem(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	both := Match{Key: "k1", Title: "Kartavykh and Safarov in court", URL: "https://report.az/n/1", Source: "report.az", Matched: t0.Add(time.Minute)}
	only := Match{Key: "k2", Title: "Safarov brothers", URL: "https://report.az/n/2", Source: "report.az", Matched: t0}
	a, b, c := both, both, only
	a.Topic, b.Topic, c.Topic = "sputnik", "yekaterinburg", "yekaterinburg"
	s.Update(Snapshot{
		Topics: []Topic{{ID: "sputnik", Title: "The Sputnik detainees"}, {ID: "yekaterinburg", Title: "The Yekaterinburg case"}},
		Recent: map[string][]Match{"sputnik": {a}, "yekaterinburg": {b, c}},
	})
	base := serveTest(t, s)
	all := parseAtom(t, base+"/feed.atom")
	if len(all.Items) != 2 || all.Items[0].Link != both.URL || all.Items[1].Link != only.URL {
		t.Fatalf("/feed.atom items %v, want k1 then k2", all.Items)
	}
	if d := all.Items[0].Description; d != "The Sputnik detainees, The Yekaterinburg case" {
		t.Errorf("k1 summary %q, want both topics", d)
	}
	topic := parseAtom(t, base+"/feed/yekaterinburg.atom")
	if len(topic.Items) != 2 || topic.Items[0].GUID != all.Items[0].GUID || topic.Title != "watcher: The Yekaterinburg case" {
		t.Errorf("/feed/yekaterinburg.atom: %q with %d items, first id %q; want the topic's title, 2 items, id %q",
			topic.Title, len(topic.Items), topic.Items[0].GUID, all.Items[0].GUID)
	}
	if got := parseAtom(t, strings.Replace(base, "127.0.0.1", "localhost", 1)+"/feed.atom"); got.Items[0].GUID != all.Items[0].GUID {
		t.Errorf("entry id depends on the host asked: %q vs %q", got.Items[0].GUID, all.Items[0].GUID)
	}
}

// TestServeShutsDown: Serve returns once its context ends, and the port
// is closed after.
func TestServeShutsDown(t *testing.T) {
	t.Parallel()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(Options{}).Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/healthz"
	if resp, err := http.Get(url); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel: %v", err)
	}
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Error("still answering after shutdown")
	}
}

func serveTest(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

func parseAtom(t testing.TB, url string) *gofeed.Feed {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	f, err := gofeed.NewParser().ParseString(string(body))
	if err != nil || f.FeedType != "atom" {
		t.Fatalf("%s: not Atom: %v\n%s", url, err, body)
	}
	return f
}
