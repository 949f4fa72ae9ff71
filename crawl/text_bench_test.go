package crawl

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// benchText draws news-like text as the local feed server does: titles
// of 60 to 90 runes, summaries of 300 to 600 runes of sentences, now and
// then with an ampersand or quotes; every third feed in Russian.
type benchText struct {
	r       *rand.Rand
	words   []string
	russian bool
}

var (
	benchWordsEN = strings.Fields(`government minister officials said talks agreement court hearing investigation
		airline flight crash compensation families embassy relations border trade energy pipeline parliament
		opposition police detained journalists editor agency president deputy region city Baku Moscow
		Yekaterinburg Aktau Grozny Tbilisi week month year morning northern international federal`)
	benchWordsRU = strings.Fields(`правительство министр заявил переговоры суд заседание расследование авиакомпания
		рейс крушение компенсация семьи посольство отношения граница торговля парламент полиция задержаны
		журналисты редактор агентство президент город Баку Москва Екатеринбург Актау Грозный неделя утром`)
)

func newBenchText(seed uint64) *benchText {
	g := &benchText{r: rand.New(rand.NewPCG(seed, 9)), words: benchWordsEN}
	if seed%3 == 2 {
		g.words, g.russian = benchWordsRU, true
	}
	return g
}

// phrase is words up to between lo and hi runes, capitalised.
func (g *benchText) phrase(lo, hi int) string {
	target := lo + g.r.IntN(hi-lo+1)
	var b strings.Builder
	for n := 0; n < target; {
		w := g.words[g.r.IntN(len(g.words))]
		if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += utf8.RuneCountInString(w)
	}
	return b.String()
}

func (g *benchText) title() string { return g.phrase(60, 90) }

// summary is 300 to 600 runes of plain sentences.
func (g *benchText) summary() string {
	target := 300 + g.r.IntN(301)
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < target-40 {
		s := g.phrase(40, 140)
		switch g.r.IntN(12) {
		case 0:
			s += " & " + g.words[g.r.IntN(len(g.words))]
		case 1:
			s = `"` + s + `"`
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s + ".")
	}
	return b.String()
}

// summaryHTML is a summary as feeds carry it: escaped text in a
// paragraph, and every other time a second paragraph with a link and
// emphasis, as newsroom systems write them.
func (g *benchText) summaryHTML() string {
	s := "<p>" + html.EscapeString(g.summary()) + "</p>"
	if g.r.IntN(2) == 0 {
		s += `<p>Read more: <a href="https://news.example.az/en/politics/` + fmt.Sprint(g.r.IntN(1e6)) +
			`" target="_blank"><strong>` + html.EscapeString(g.title()) + `</strong></a>&nbsp;&raquo;</p>`
	}
	return s
}

// benchFeed is a feed of n items in one of the formats of the local feed
// server: "rss", "atom", "rdf" or "json".
func benchFeed(format string, n int, seed uint64) []byte {
	g := newBenchText(seed)
	type entry struct{ title, link, summary, date, author string }
	items := make([]entry, n)
	published := time.Date(2025, 7, 1, 9, 30, 0, 0, time.UTC)
	for i := range items {
		items[i] = entry{g.title(), fmt.Sprintf("https://news.example.az/en/item/%d/%d", seed, i), g.summaryHTML(),
			published.Add(-time.Duration(i) * time.Hour).Format(time.RFC3339), ""}
		if i%3 == 0 { // as the local feed server names an author
			items[i].author = "Aysel Mammadova"
		}
	}
	// creator is the Dublin Core author element, when the item has one.
	creator := func(author string) string {
		if author == "" {
			return ""
		}
		return "<dc:creator>" + author + "</dc:creator>"
	}
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	var b strings.Builder
	switch format {
	case "json":
		type jsonItem struct {
			ID          string              `json:"id"`
			URL         string              `json:"url"`
			Title       string              `json:"title"`
			ContentHTML string              `json:"content_html"`
			Date        string              `json:"date_published"`
			Authors     []map[string]string `json:"authors,omitempty"`
		}
		feed := struct {
			Version string     `json:"version"`
			Title   string     `json:"title"`
			Home    string     `json:"home_page_url"`
			Items   []jsonItem `json:"items"`
		}{Version: "https://jsonfeed.org/version/1.1", Title: "Bench", Home: "https://news.example.az/"}
		for _, it := range items {
			ji := jsonItem{it.link, it.link, it.title, it.summary, it.date, nil}
			if it.author != "" {
				ji.Authors = []map[string]string{{"name": it.author}}
			}
			feed.Items = append(feed.Items, ji)
		}
		data, _ := json.MarshalIndent(feed, "", " ")
		return data
	case "atom":
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">` +
			`<title>Bench</title><id>https://news.example.az/atom</id><updated>2025-07-01T09:30:00Z</updated>` +
			`<link rel="alternate" type="text/html" href="https://news.example.az/"/>` + "\n")
		for _, it := range items {
			author := cmp.Or(it.author, "Bench") // the local feed server names the feed when the item has no author
			fmt.Fprintf(&b, `<entry><title>%s</title><id>%s</id><link rel="alternate" type="text/html" href="%s"/>`+
				`<published>%s</published><updated>%s</updated><author><name>%s</name></author>`+
				`<summary type="html">%s</summary></entry>`+"\n", esc(it.title), it.link, it.link, it.date, it.date, author, esc(it.summary))
		}
		b.WriteString("</feed>\n")
	case "rdf":
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" ` +
			`xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://news.example.az/rdf">` +
			`<title>Bench</title><link>https://news.example.az/</link><description>d</description></channel>` + "\n")
		for _, it := range items {
			fmt.Fprintf(&b, `<item rdf:about="%s"><title>%s</title><link>%s</link><description>%s</description>`+
				`<dc:date>%s</dc:date>%s<dc:identifier>%s</dc:identifier></item>`+"\n", it.link, esc(it.title), it.link, esc(it.summary), it.date, creator(it.author), it.link)
		}
		b.WriteString("</rdf:RDF>\n")
	default:
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>` +
			`<title>Bench</title><link>https://news.example.az/</link><description>d</description><language>en</language>` + "\n")
		for _, it := range items {
			d, _ := time.Parse(time.RFC3339, it.date)
			fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><description>%s</description>%s<pubDate>%s</pubDate>`+
				`<guid isPermaLink="true">%s</guid></item>`+"\n", esc(it.title), it.link, esc(it.summary), creator(it.author), d.Format(time.RFC1123Z), it.link)
		}
		b.WriteString("</channel></rss>\n")
	}
	return []byte(b.String())
}

// BenchmarkPlainText cleans the titles and summaries of one 50-item feed
// per op.
func BenchmarkPlainText(b *testing.B) {
	g := newBenchText(1)
	var titles, summaries []string
	for range 50 {
		titles, summaries = append(titles, g.title()), append(summaries, g.summaryHTML())
	}
	for _, bc := range []struct {
		name   string
		fields []string
	}{{"titles", titles}, {"summaries", summaries}} {
		b.Run(bc.name, func(b *testing.B) {
			n := 0
			for _, f := range bc.fields {
				n += len(f)
			}
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range bc.fields {
					_ = plainText(f)
				}
			}
		})
	}
}

// BenchmarkParseFeed50 parses a realistic 50-item feed per op, in each
// format the local feed server serves.
func BenchmarkParseFeed50(b *testing.B) {
	base, _ := url.Parse("https://news.example.az/feed")
	for _, format := range []string{"rss", "atom", "rdf", "json"} {
		b.Run(format, func(b *testing.B) {
			body := benchFeed(format, 50, 1)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				items, err := parseFeed(body, "", base, 500)
				if err != nil || len(items) != 50 {
					b.Fatalf("parse: %d items, %v", len(items), err)
				}
			}
		})
	}
}
