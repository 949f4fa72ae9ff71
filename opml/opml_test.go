package opml

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// feed is what a test checks of a Feed.
type feed struct {
	title, url, categories string
}

func simplify(fs []Feed) []feed {
	out := make([]feed, len(fs))
	for i, f := range fs {
		out[i] = feed{f.Title, f.XMLURL, strings.Join(f.Categories, "|")}
	}
	return out
}

// TestParseReaders reads the exports of common feed readers, each in its
// own dialect: OPML 1.0, 1.1 and 2.0, categories as nested outlines or as
// the category attribute, and the attribute spellings seen in the wild.
func TestParseReaders(t *testing.T) {
	tests := []struct {
		file    string
		want    []feed
		skipped []Skipped
	}{
		{file: "feedly.opml", want: []feed{
			{"OC Media", "https://oc-media.org/feed/", "Caucasus"},
			{"JAMnews", "https://jam-news.net/feed/", "Caucasus"},
			{"Meduza — Новости", "https://meduza.io/rss/all", "Russia"},
			// Feedly lists a feed once per category it is in: the caller dedupes.
			{"JAMnews", "https://jam-news.net/feed/", "Russia"},
		}},
		{file: "inoreader.xml", want: []feed{
			{"ТАСС", "https://tass.ru/rss/v2.xml", "Russia"},
			{"Интерфакс", "https://www.interfax.ru/rss.asp", "Russia"},
			{"Report.az", "https://report.az/rss/", "Azerbaijan"},
			{"Eurasianet", "https://eurasianet.org/rss", ""},
		}},
		{file: "miniflux.opml", want: []feed{
			{"Civil.ge", "https://civil.ge/feed", "All"},
			{"Русская служба Би-би-си", "https://feeds.bbci.co.uk/russian/rss.xml", "Regional"},
			{"News.am", "https://news.am/rus/rss/", "Regional"},
		}},
		{file: "netnewswire.opml", want: []feed{
			{"Trend News Agency", "https://www.trend.az/feeds/index.rss", "Azerbaijan & the region"},
			{"APA", "https://apa.az/rss", "Azerbaijan & the region"},
			{"Baku Wire on Telegram", "https://rsshub.app/telegram/channel/baku_wire", "Azerbaijan & the region"},
			{"Daring Fireball", "https://daringfireball.net/feeds/main", ""},
		}},
		{file: "quirks.opml", want: []feed{
			{"Kommersant", "https://www.kommersant.ru/RSS/news.xml", "Desk|Sub-desk|Russia/Business|Daily"},
			{"Azernews", "https://www.azernews.az/rss.php", "Desk"},
			{"", "https://minval.az/rss", ""},
		}, skipped: []Skipped{
			{Title: "A blog post, not a feed", Type: "link", Line: 11},
			{Title: "Another list", Type: "include", Line: 12},
			{Title: "Broken entry", Type: "rss", Line: 13},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			feeds, skipped, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := simplify(feeds); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("feeds:\n got %q\nwant %q", got, tc.want)
			}
			if !reflect.DeepEqual(skipped, tc.skipped) {
				t.Errorf("skipped = %+v, want %+v", skipped, tc.skipped)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"empty", "", "not an OPML document: the document is empty"},
		{"rss", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>", "line 2: not an OPML document (its root element is <rss>)"},
		{"broken", "<opml version=\"2.0\">\n<body>\n<outline text=\"a\" xmlUrl=\"https://x.org/rss\"\n</body></opml>", "line 4: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse(strings.NewReader(tc.doc))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !errors.Is(err, ErrNotOPML) {
				t.Errorf("err = %v, want one starting %q and wrapping ErrNotOPML", err, tc.want)
			}
		})
	}
}

// TestWriteParse checks a written document reads back the same, extra
// attributes included, and is OPML 2.0 with its date.
func TestWriteParse(t *testing.T) {
	feeds := []Feed{
		{Title: "ТАСС & co", XMLURL: "https://tass.ru/rss/v2.xml?a=1&b=2", Extra: map[string]string{"lang": "ru", "fulltext": "true"}},
		{Title: "Eurasianet", XMLURL: "https://eurasianet.org/rss", HTMLURL: "https://eurasianet.org/"},
	}
	var buf bytes.Buffer
	created := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	if err := Write(&buf, "watcher sources", feeds, created, "2 sources left out"); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	for _, want := range []string{`<opml version="2.0" xmlns:watcher="` + Namespace + `">`, "<dateCreated>Tue, 01 Jul 2025 09:00:00 +0000</dateCreated>", "<!-- 2 sources left out -->", `xmlUrl="https://tass.ru/rss/v2.xml?a=1&amp;b=2"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %s:\n%s", want, doc)
		}
	}
	got, skipped, err := Parse(&buf)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("Parse: %v, skipped %v", err, skipped)
	}
	for i := range got {
		got[i].Line = 0
	}
	if !reflect.DeepEqual(got, feeds) {
		t.Errorf("read back\n %+v\nwant %+v", got, feeds)
	}
}
