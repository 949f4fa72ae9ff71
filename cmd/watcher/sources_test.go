package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/watcher-news/watcher/config"
)

// opmlFixture is the path of a reader's export among the opml package's
// fixtures.
func opmlFixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "opml", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const oneTopic = "topics:\n  - id: azal\n    title: AZAL\n    query: AZAL\n"

// loadSources loads a configuration made of sourcesYAML and one topic,
// as a user who pasted the import's output would.
func loadSources(t *testing.T, dir, sourcesYAML string) []config.Source {
	t.Helper()
	path := filepath.Join(dir, "pasted.yaml")
	writeConfigAt(t, path, sourcesYAML+oneTopic)
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatalf("the imported sources do not load: %v\n%s", err, sourcesYAML)
	}
	for i := range cfg.Sources {
		cfg.Sources[i].Line = 0
	}
	return cfg.Sources
}

// TestSourcesRoundTrip exports the feed sources of a configuration as
// OPML and imports that into an empty one: the same sources come back,
// with their settings; page and Telegram sources are left out, and said so.
func TestSourcesRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	feeds := "sources:\n" +
		"  - name: tass.ru\n    feed: https://tass.ru/rss/v2.xml\n    lang: ru\n" +
		"  - name: report.az\n    feed: https://report.az/rss/\n    fulltext: true\n" +
		"  - name: \"Meduza: всё\"\n    feed: https://meduza.io/rss/all?a=1&b=2\n    interval: 2h\n    jitter: 10m\n" +
		"  - name: e1.ru\n    page: https://www.e1.ru/text/\n    links: a.story\n" +
		"  - name: Baku Wire\n    telegram: baku_wire\n"
	writeConfig(t, dir, feeds+oneTopic)
	r := watcher(t, dir, nil, "sources", "export")
	if r.code != exitOK {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `<opml version="2.0"`) || !strings.Contains(r.stdout, "2 page and telegram sources of config.yaml left out") {
		t.Errorf("export is not OPML 2.0 saying what it left out:\n%s", r.stdout)
	}
	writeFile(t, filepath.Join(dir, "export.opml"), r.stdout)
	writeFile(t, filepath.Join(dir, "empty.yaml"), oneTopic)
	r = watcher(t, dir, nil, "sources", "import", "--config", "empty.yaml", "export.opml")
	if r.code != exitOK {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	got := loadSources(t, dir, r.stdout)
	want := loadSources(t, dir, feeds)[:3]
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v\n%s", got, want, r.stdout)
	}
}

// TestSourcesImportReaders imports the exports of common feed readers
// against a configuration that already has some of their feeds.
func TestSourcesImportReaders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeConfig(t, dir, "sources:\n"+
		"  - name: trend.az\n    feed: https://WWW.trend.az/feeds/index.rss?utm_source=opml\n"+
		"  - name: APA\n    page: https://apa.az/en/latest\n    links: a.news\n"+oneTopic)
	tests := []struct {
		file     string
		want     []config.Source
		leftOuts []string
	}{
		{file: "feedly.opml", want: []config.Source{
			{Name: "OC Media", Feed: "https://oc-media.org/feed/"},
			{Name: "JAMnews", Feed: "https://jam-news.net/feed/"},
			{Name: "Meduza — Новости", Feed: "https://meduza.io/rss/all"},
		}, leftOuts: []string{"feedly.opml:14: https://jam-news.net/feed/: already in "}},
		{file: "inoreader.xml", want: []config.Source{
			{Name: "ТАСС", Feed: "https://tass.ru/rss/v2.xml"},
			{Name: "Интерфакс", Feed: "https://www.interfax.ru/rss.asp"},
			{Name: "Report.az", Feed: "https://report.az/rss/"},
			{Name: "Eurasianet", Feed: "https://eurasianet.org/rss"},
		}},
		{file: "miniflux.opml", want: []config.Source{
			{Name: "Civil.ge", Feed: "https://civil.ge/feed"},
			{Name: "Русская служба Би-би-си", Feed: "https://feeds.bbci.co.uk/russian/rss.xml"},
			{Name: "News.am", Feed: "https://news.am/rus/rss/"},
		}},
		{file: "netnewswire.opml", want: []config.Source{
			// The APA feed keeps its title, made unique: the configuration has an APA.
			{Name: "APA 2", Feed: "https://apa.az/rss"},
			{Name: "Baku Wire on Telegram", Feed: "https://rsshub.app/telegram/channel/baku_wire"},
			{Name: "Daring Fireball", Feed: "https://daringfireball.net/feeds/main"},
		}, leftOuts: []string{`netnewswire.opml:9: https://www.trend.az/feeds/index.rss: already in source "trend.az" of config.yaml`}},
		{file: "quirks.opml", want: []config.Source{
			{Name: "Kommersant", Feed: "https://www.kommersant.ru/RSS/news.xml"},
			{Name: "Azernews", Feed: "https://www.azernews.az/rss.php"},
			{Name: "minval.az", Feed: "https://minval.az/rss"},
		}, leftOuts: []string{
			`quirks.opml:13: "Broken entry" (type rss): not a feed`,
			`quirks.opml:11: "A blog post, not a feed" (type link): not a feed`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := opmlFixture(t, tc.file)
			r := watcher(t, dir, nil, "sources", "import", path)
			if r.code != exitOK {
				t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
			}
			if got := loadSources(t, dir, r.stdout); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("imported\n %+v\nwant %+v\n%s", got, tc.want, r.stdout)
			}
			for _, lo := range tc.leftOuts {
				if !strings.Contains(r.stdout, "# "+filepath.Dir(path)+"/"+lo) {
					t.Errorf("output does not say %q:\n%s", lo, r.stdout)
				}
			}
		})
	}
}

func TestSourcesImportErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "feed.xml"), "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>\n")
	r := watcher(t, dir, nil, "sources", "import", "feed.xml")
	if r.code != exitFailed || !strings.Contains(r.stderr, "feed.xml: line 2: not an OPML document (its root element is <rss>)") {
		t.Errorf("an RSS file: exit %d, %s", r.code, r.stderr)
	}
	r = watcher(t, dir, nil, "sources", "import", "--config", "missing.yaml", opmlFixture(t, "feedly.opml"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "missing.yaml") {
		t.Errorf("a named configuration that is missing: exit %d, %s", r.code, r.stderr)
	}
	r = watcher(t, dir, []byte(`<opml version="1.0"><body><outline text="X" xmlUrl="https://x.example/rss"/></body></opml>`), "sources", "import", "-")
	if r.code != exitOK || !strings.Contains(r.stdout, "feed: https://x.example/rss") {
		t.Errorf("standard input without a configuration: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := watcher(t, dir, nil, "sources", "sync"); r.code != exitUsage {
		t.Errorf("an unknown sources command: exit %d", r.code)
	}
}
