package watch_test

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/watch"
)

// reconfigure rewrites the configuration beside the state file and builds
// a new watcher on it and the same store, as an edit and a reload do.
func (e *env) reconfigure(cfgYAML string) {
	e.t.Helper()
	path := filepath.Join(filepath.Dir(e.cfg.State), "config.yaml")
	body := "state: " + e.cfg.State + "\nfetch:\n  timeout: 5s\n" + cfgYAML + testTopics
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		e.t.Fatal(err)
	}
	cfg, err := config.Load(path, config.Options{ValidateQuery: match.ParseQuery})
	if err != nil {
		e.t.Fatal(err)
	}
	w, err := watch.New(cfg, e.store, watch.Options{Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now, Stdout: &e.stdout})
	if err != nil {
		e.t.Fatal(err)
	}
	e.cfg, e.w = cfg, w
}

func namedWebhook(name, url string) string {
	return fmt.Sprintf("alerts:\n  webhook:\n    - name: %s\n      url: %s\n", name, url)
}

// pendingDigest makes one digest that the webhook at old refuses, so it
// waits in the state file, and returns its id.
func pendingDigest(t *testing.T, e *env, s *site, old *receiver) string {
	t.Helper()
	e.mustCycle() // baseline
	s.publish(story{ID: "a", Title: "Belousov sentenced", Summary: "Seven years.", Published: at("2025-07-01T08:00:00Z")})
	if _, err := e.cycle(); err == nil || len(old.refused) != 1 {
		t.Fatalf("the digest was not refused: err %v, refused %v", err, old.refused)
	}
	return old.refused[0]
}

// TestRenamedSinkURLKeepsItsDigest: a webhook with a name: whose URL is
// edited keeps its pending digest, which goes to the new URL, with its id,
// once.
func TestRenamedSinkURLKeepsItsDigest(t *testing.T) {
	s, old, moved := newSite(t), newReceiver(t), newReceiver(t)
	old.fail = 1 << 20
	src := sources(feedSource("outlet", s.url("/feed.xml")))
	e := newEnv(t, src+namedWebhook("desk", old.srv.URL))
	id := pendingDigest(t, e, s, old)

	e.reconfigure(src + namedWebhook("desk", moved.srv.URL+"/new-path"))
	if _, err := e.cycle(); err != nil {
		t.Fatalf("cycle after the edit: %v", err)
	}
	e.mustCycle()
	got := moved.digests()
	if len(got) != 1 || got[0].ID != id || got[0].titles()[0] != "sputnik-detainees: Belousov sentenced" {
		t.Fatalf("the new URL got %+v; want the pending digest %s once", got, id)
	}
	if len(old.refused) != 1 {
		t.Errorf("the old URL was tried again: %v", old.refused)
	}
	ds, err := e.store.Digests()
	if err != nil || len(ds) != 1 || len(ds[0].Sinks) != 1 || !ds[0].Sinks["desk"].Delivered {
		t.Errorf("stored digests %+v (%v); want one, delivered to desk", ds, err)
	}
}

// TestEditedUnnamedSinkGetsTheDigest: without a name:, a webhook whose URL
// changes is a new sink; the digest pending for the old one goes to it,
// once, and no longer waits for a sink that is not configured.
func TestEditedUnnamedSinkGetsTheDigest(t *testing.T) {
	s, old, moved := newSite(t), newReceiver(t), newReceiver(t)
	old.fail = 1 << 20
	src := sources(feedSource("outlet", s.url("/feed.xml")))
	e := newEnv(t, src+webhookAlert(old.srv.URL))
	id := pendingDigest(t, e, s, old)

	e.reconfigure(src + webhookAlert(moved.srv.URL))
	if _, err := e.cycle(); err != nil {
		t.Fatalf("cycle after the edit: %v", err)
	}
	e.mustCycle()
	if got := moved.digests(); len(got) != 1 || got[0].ID != id {
		t.Fatalf("the new URL got %+v; want the pending digest %s once", got, id)
	}
	pending, err := e.store.Pending()
	if err != nil || len(pending) != 0 {
		t.Errorf("digests still pending: %+v (%v)", pending, err)
	}
	ds, _ := e.store.Digests()
	for name, del := range ds[0].Sinks {
		if name != "webhook "+moved.srv.URL || !del.Delivered {
			t.Errorf("digest sink %q: %+v; want only the new URL, delivered", name, del)
		}
	}
}
