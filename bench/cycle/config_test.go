package main

import (
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// fetchOf returns the fetch section of a configuration file as key/value
// pairs.
func fetchOf(t *testing.T, path string) map[string]string {
	t.Helper()
	doc, err := readYAML(path)
	if err != nil {
		t.Fatal(err)
	}
	fetch := mapValue(doc.Content[0], "fetch")
	m := map[string]string{}
	for i := 0; i+1 < len(fetch.Content); i += 2 {
		m[fetch.Content[i].Value] = fetch.Content[i+1].Value
	}
	return m
}

func benchURLs(n, hosts int) []string {
	f := &farm{port: 8080, hosts: hosts}
	return f.urls(n)
}

// The watcher runs with the shipped fetch settings: only the global bound
// is the floor's, and the floor's per-host bound is the shipped one.
func TestWriteConfigKeepsTheShippedSettings(t *testing.T) {
	t.Chdir("../..")
	shipped := fetchOf(t, shippedConfig)
	dir := t.TempDir()
	b, err := writeConfig(dir, runConfig{urls: benchURLs(1000, 50), concurrency: 37, topics: generatedTopics(5)})
	if err != nil {
		t.Fatal(err)
	}
	got := fetchOf(t, filepath.Join(dir, "config.yaml"))
	for k, v := range shipped {
		if k != "concurrency" && got[k] != v {
			t.Errorf("fetch.%s = %q, shipped %q", k, got[k], v)
		}
	}
	if len(got) != len(shipped) && !(len(got) == len(shipped)+1 && shipped["concurrency"] == "") {
		t.Errorf("fetch has keys %v, shipped %v", got, shipped)
	}
	if got["concurrency"] != "37" || b.concurrency != 37 {
		t.Errorf("concurrency %q (bounds %d), want 37", got["concurrency"], b.concurrency)
	}
	if b.perHost < 1 || got["per_host"] != shipped["per_host"] {
		t.Errorf("floor per host %d, shipped %q", b.perHost, shipped["per_host"])
	}
	if len(b.urls) != 1000 || len(b.hosts) != 50 {
		t.Fatalf("%d sources on %d hosts, want 1000 on 50", len(b.urls), len(b.hosts))
	}
	for h, k := range b.hosts {
		if k != 20 {
			t.Errorf("host %s has %d feeds, want 20", h, k)
		}
	}
	doc, err := readYAML(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	if s, ship := mapValue(root, "schedule").Value, mustRoot(t, shippedConfig); s != mapValue(ship, "schedule").Value {
		t.Errorf("schedule %q changed without a soak", s)
	}
	if a := mapValue(root, "alerts"); a.Kind != yaml.MappingNode || len(a.Content) != 0 {
		t.Errorf("alerts not empty: the bench must not deliver anywhere")
	}
	topics := mapValue(root, "topics").Content
	if last := mapValue(topics[len(topics)-1], "id").Value; last != "generated-4" {
		t.Errorf("last topic %q, want generated-4", last)
	}
}

// The soak's daemon ticks fast, but keeps the crawl budget the shipped
// schedule gives, so that no cycle is cut short by the tick.
func TestWriteConfigSoakKeepsTheBudget(t *testing.T) {
	t.Chdir("../..")
	ship := mustRoot(t, shippedConfig)
	dir := t.TempDir()
	if _, err := writeConfig(dir, runConfig{urls: benchURLs(10, 5), concurrency: 32, schedule: "@every 2s"}); err != nil {
		t.Fatal(err)
	}
	root := mustRoot(t, filepath.Join(dir, "config.yaml"))
	if s := mapValue(root, "schedule").Value; s != "@every 2s" {
		t.Errorf("schedule %q, want @every 2s", s)
	}
	want, err := scheduleBudget(mapValue(ship, "schedule").Value)
	if err != nil {
		t.Fatal(err)
	}
	if b := fetchOf(t, filepath.Join(dir, "config.yaml"))["budget"]; shipped(t, "budget") == "" && b != want.String() {
		t.Errorf("budget %q, want %s (the shipped schedule's)", b, want)
	}
}

func mustRoot(t *testing.T, path string) *yaml.Node {
	t.Helper()
	doc, err := readYAML(path)
	if err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func shipped(t *testing.T, key string) string {
	t.Helper()
	return fetchOf(t, shippedConfig)[key]
}
