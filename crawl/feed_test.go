package crawl

import (
	"context"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// want is what a user checks on an item.
type want struct {
	title, url, summary, guid string
	published                 time.Time // zero: expect fixedNow and DateGuessed
}

func TestFetchFeedFormats(t *testing.T) {
	ruUTF8 := fixture(t, "rss-ru.utf8.xml")
	ruDeclared := replace(ruUTF8, `<?xml version="1.0"?>`, `<?xml version="1.0" encoding="windows-1251"?>`)
	invalid := replace(fixture(t, "rss-ru.utf8.xml"), "повторной", "повтор\xffной")
	ruItem := want{
		title:     "Дело Сафаровых: родственники требуют повторной экспертизы",
		url:       "https://ural.example.ru/news/2025/07/safarovy",
		summary:   "Зияддин и Гусейн Сафаровы погибли после рейда 27 июня 2025 года в Екатеринбурге.",
		guid:      "ural-77811",
		published: time.Date(2025, 7, 2, 6, 0, 0, 0, time.UTC),
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        func(base string) []want
	}{
		{"rss 2.0 with xml:base, entities and CDATA HTML", fixture(t, "rss2.xml"), "application/rss+xml", func(string) []want {
			return []want{
				{"Baku court extends detention of Sputnik Azerbaijan staff & editors",
					"https://news.example.az/en/politics/sputnik-detention-extended",
					"A Baku court extended the detention of Igor Kartavykh and Yevgeny Belousov.\n\nBoth have been held since 30 June 2025.",
					"news-az-90211", time.Date(2025, 7, 1, 5, 30, 0, 0, time.UTC)},
				{"Yekaterinburg raid: second post-mortem «inconclusive»",
					"https://news.example.az/en/society/yekaterinburg-post-mortem",
					"Relatives of Ziyaddin and Huseyn Safarov dispute the findings again.",
					"news-az-90188", time.Date(2025, 6, 30, 18, 5, 0, 0, time.UTC)},
				{"AZAL 8243: compensation talks resume",
					"https://other.example.com/azal-8243-compensation?utm_source=rss",
					"Talks on compensation for the Aktau crash resumed in Moscow.", "news-az-90102", time.Time{}},
			}
		}},
		{"atom with relative links and xhtml content", fixture(t, "atom.xml"), "application/atom+xml", func(base string) []want {
			return []want{
				{"Kazakh investigators publish AZAL 8243 interim report", base + "/caucasus/2025/07/azal-interim-report",
					"The report cites external damage to the fuselage.\n\nMoscow has not commented.",
					"tag:wire.example.org,2025:azal-interim", time.Date(2025, 7, 2, 2, 45, 0, 0, time.UTC)},
				{"Moscow summons Azerbaijani ambassador", "https://wire.example.org/caucasus/2025/07/ambassador-summoned",
					"The ministry cited the detention of Russian citizens in Baku.",
					"tag:wire.example.org,2025:ambassador", time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)},
			}
		}},
		{"rss 1.0 rdf", fixture(t, "rss1.rdf"), "application/rdf+xml", func(string) []want {
			return []want{{"Tbilisi reacts to Baku-Moscow tensions", "https://ge.example.net/news/1201",
				"Georgian officials call for calm after the Yekaterinburg raid.", "",
				time.Date(2025, 6, 29, 6, 0, 0, 0, time.UTC)}}
		}},
		{"json feed", fixture(t, "feed.json"), "application/feed+json", func(base string) []want {
			return []want{
				{"Yerevan watches Baku–Moscow row", "https://am.example.org/news/5512",
					"Analysts in Yerevan weigh the consequences.\n\nTrade may suffer.", "am-5512",
					time.Date(2025, 7, 3, 2, 15, 0, 0, time.UTC)},
				{"Flights between Baku and Russian cities cut", base + "/news/5510", "Several routes were suspended.", "am-5510", time.Time{}},
			}
		}},
		{"windows-1251 named only in Content-Type", encodeTo(t, charmap.Windows1251, ruUTF8), "application/rss+xml; charset=windows-1251",
			func(string) []want { return []want{ruItem} }},
		{"windows-1251 in XML prolog wins over Content-Type", encodeTo(t, charmap.Windows1251, ruDeclared), "text/xml; charset=utf-8",
			func(string) []want { return []want{ruItem} }},
		{"koi8-r in XML prolog", encodeTo(t, charmap.KOI8R, fixture(t, "rss-koi8r.utf8.xml")), "application/xml", func(string) []want {
			return []want{{"Картавых и Белоусов остаются под стражей в Баку", "https://sib.example.ru/n/4410",
				"Суд продлил арест сотрудников \"Sputnik Азербайджан\".", "sib-4410", time.Date(2025, 7, 3, 5, 0, 0, 0, time.UTC)}}
		}},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), ruUTF8...), "application/rss+xml", func(string) []want { return []want{ruItem} }},
		{"stray invalid byte costs one character", invalid, "application/rss+xml", func(string) []want {
			w := ruItem
			w.title = "Дело Сафаровых: родственники требуют повтор\uFFFDной экспертизы"
			return []want{w}
		}},
		{"local-language dates", fixture(t, "rss-localdates.xml"), "application/rss+xml", func(string) []want {
			return []want{
				{"Рейд в Екатеринбурге", "https://lenta.example.ru/a/1", "Силовики провели рейд.", "", time.Date(2025, 6, 27, 14, 5, 0, 0, time.UTC)},
				{"Bakı məhkəməsi qərar verdi", "https://lenta.example.ru/a/2", "Xəbər.", "", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)},
				{"Без даты", "https://lenta.example.ru/a/3", "Дата не читается.", "", time.Time{}},
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := serveRoutes(t, map[string]route{"/feed": {body: tc.body, contentType: tc.contentType}})
			f := newFetcher(t, nil, srv)
			res := f.Fetch(context.Background(), Source{Name: "test", Feed: srv.URL + "/feed"}, Validators{}, nil)
			if res.Err != nil {
				t.Fatalf("Fetch: %v", res.Err)
			}
			if res.Bytes != int64(len(tc.body)) {
				t.Errorf("Bytes = %d, want %d", res.Bytes, len(tc.body))
			}
			checkItems(t, res, tc.want(srv.URL))
		})
	}
}

func checkItems(t *testing.T, res Result, wants []want) {
	t.Helper()
	if len(res.Items) != len(wants) {
		t.Fatalf("got %d items, want %d: %+v", len(res.Items), len(wants), res.Items)
	}
	for i, w := range wants {
		got := res.Items[i]
		if got.Title != w.title || got.URL != w.url || got.Summary != w.summary || got.GUID != w.guid {
			t.Errorf("item %d:\n got  %q %q %q %q\n want %q %q %q %q", i,
				got.Title, got.URL, got.Summary, got.GUID, w.title, w.url, w.summary, w.guid)
		}
		if got.Source != res.Source {
			t.Errorf("item %d: Source = %q, want %q", i, got.Source, res.Source)
		}
		wantTime, guessed := w.published, w.published.IsZero()
		if guessed {
			wantTime = fixedNow
		}
		if !got.Published.Equal(wantTime) || got.DateGuessed != guessed {
			t.Errorf("item %d: Published = %s guessed=%v, want %s guessed=%v", i, got.Published, got.DateGuessed, wantTime, guessed)
		}
	}
}
