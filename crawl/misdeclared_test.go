package crawl

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// TestMisdeclaredCyrillic: a feed that says UTF-8 (in its prolog or its
// Content-Type, or says nothing) but is written in windows-1251 or KOI8-R
// arrives readable; a stray bad byte in real UTF-8 costs one character.
func TestMisdeclaredCyrillic(t *testing.T) {
	const title = "Картавых и Белоусов остаются под стражей в Баку"
	feed := func(prolog string) string {
		return prolog + `<rss version="2.0"><channel><title>Лента</title><item><title>` + title +
			`</title><link>http://x.example/1</link><description>Суд продлил арест руководителям агентства.</description></item></channel></rss>`
	}
	tests := []struct {
		name, prolog, contentType string
		enc                       encoding.Encoding
	}{
		{"windows-1251 in a UTF-8 prolog", `<?xml version="1.0" encoding="UTF-8"?>`, "", charmap.Windows1251},
		{"KOI8-R in a UTF-8 prolog", `<?xml version="1.0" encoding="utf-8"?>`, "", charmap.KOI8R},
		{"windows-1251, UTF-8 in the header", "", "application/rss+xml; charset=utf-8", charmap.Windows1251},
		{"KOI8-R with nothing declared", "", "", charmap.KOI8R},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := parseFeed(encodeTo(t, tc.enc, []byte(feed(tc.prolog))), tc.contentType, nil, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Title != title {
				t.Fatalf("items = %+v, want the title %q", items, title)
			}
		})
	}
	t.Run("stray byte in UTF-8", func(t *testing.T) {
		body := strings.Replace(feed(""), "Картавых", "Карта\xffвых", 1)
		items, err := parseFeed([]byte(body), "", nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Replace(title, "Картавых", "Карта\uFFFDвых", 1); items[0].Title != want {
			t.Errorf("title %q, want %q", items[0].Title, want)
		}
	})
}
