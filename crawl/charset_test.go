package crawl

import (
	"context"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// fetchOne serves body with the Content-Type over a real server and
// fetches it as a feed source.
func fetchOne(t *testing.T, body []byte, contentType string) Result {
	t.Helper()
	srv, _ := serveRoutes(t, map[string]route{"/feed": {body: body, contentType: contentType}})
	return newFetcher(t, nil, srv).Fetch(context.Background(), Source{Name: "charset", Feed: srv.URL + "/feed"}, Validators{}, nil)
}

// TestUTF16Feeds: feeds in UTF-16, with a byte order mark or declared in
// the prolog only, in either byte order, RSS or JSON Feed, arrive whole,
// characters outside the BMP included.
func TestUTF16Feeds(t *testing.T) {
	const title = "Картавых və Белоусов: Bakı 🇦🇿"
	rss := func(prolog string) []byte {
		return []byte(prolog + `<rss version="2.0"><channel><title>Лента</title><item><title>` + title +
			`</title><link>http://x.example/1</link></item></channel></rss>`)
	}
	jsonFeed := []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"http://x.example/1","title":"` + title + `"}]}`)
	le, be := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	leNoBOM, beNoBOM := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	declared := `<?xml version="1.0" encoding="UTF-16"?>`
	tests := []struct {
		name        string
		enc         encoding.Encoding
		utf8        []byte
		contentType string
	}{
		{"little endian with BOM", le, rss(""), "application/rss+xml"},
		{"big endian with BOM", be, rss(""), "application/rss+xml"},
		{"little endian with BOM, declared", le, rss(declared), "text/xml"},
		{"big endian with BOM, declared, charset in header", be, rss(declared), "text/xml; charset=utf-16"},
		{"little endian declared in the prolog, no BOM", leNoBOM, rss(declared), "application/xml"},
		{"big endian declared in the prolog, no BOM", beNoBOM, rss(declared), ""},
		{"UTF-16LE declared", leNoBOM, rss(`<?xml version="1.0" encoding="UTF-16LE"?>`), ""},
		{"json feed with BOM", le, jsonFeed, "application/feed+json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := fetchOne(t, encodeTo(t, tc.enc, tc.utf8), tc.contentType)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if len(res.Items) != 1 || res.Items[0].Title != title {
				t.Fatalf("items %+v, want the title %q", res.Items, title)
			}
		})
	}
	t.Run("UTF-16 declared on UTF-8 bytes", func(t *testing.T) {
		res := fetchOne(t, rss(declared), "application/xml")
		if res.Err != nil || len(res.Items) != 1 || res.Items[0].Title != title {
			t.Fatalf("err=%v items=%+v, want the title %q", res.Err, res.Items, title)
		}
	})
}

// TestForbiddenXMLCharacters: a character XML 1.0 forbids, raw or as a
// reference, costs only the field that holds it, not the feed.
func TestForbiddenXMLCharacters(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"U+FFFE", "Kartavykh\uFFFE held", "Kartavykh held"},
		{"U+FFFF", "Kartavykh held\uFFFF", "Kartavykh held"},
		{"NUL", "Kartavykh\x00held", "Kartavykh held"},
		{"vertical tab from a word processor", "Kartavykh\x0bheld", "Kartavykh held"},
		{"escape", "Kartavykh \x1b[1mheld", "Kartavykh [1mheld"},
		{"reference to a control", "Kartavykh&#1;held", "Kartavykh held"},
		{"hex reference to U+FFFE", "Kartavykh &#xFFFE;held", "Kartavykh held"},
		{"reference to NUL", "Kartavykh&#0;held", "Kartavykh held"},
		{"surrogate pair references", "Kartavykh held &#xD83D;&#xDE00;", "Kartavykh held 😀"},
		{"decimal surrogate pair references", "Kartavykh held &#55357;&#56832;", "Kartavykh held 😀"},
		{"lone surrogate reference", "Kartavykh &#xD800;held", "Kartavykh \uFFFDheld"},
		{"reference past U+10FFFF", "Kartavykh &#x110000;held", "Kartavykh \uFFFDheld"},
		{"absurdly long reference", "Kartavykh &#99999999999999999;held", "Kartavykh \uFFFDheld"},
		{"CDATA", "<![CDATA[Kartavykh\uFFFE held]]>", "Kartavykh held"},
		{"allowed references kept", "Kartavykh &#x41;&#1025; &amp; held", "Kartavykh AЁ & held"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := `<rss version="2.0"><channel><title>T</title>` +
				`<item><title>` + tc.in + `</title><link>http://x.example/1</link></item>` +
				`<item><title>Belousov held</title><link>http://x.example/2</link></item></channel></rss>`
			res := fetchOne(t, []byte(body), "application/rss+xml")
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if len(res.Items) != 2 || res.Items[0].Title != tc.want || res.Items[1].Title != "Belousov held" {
				t.Fatalf("items %+v, want the titles %q, %q", res.Items, tc.want, "Belousov held")
			}
		})
	}
	t.Run("json feed", func(t *testing.T) {
		body := "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"T\",\"items\":[{\"id\":\"1\",\"url\":\"http://x.example/1\",\"title\":\"Kartavykh\x01held\"}]}"
		res := fetchOne(t, []byte(body), "application/feed+json")
		if res.Err != nil || len(res.Items) != 1 || res.Items[0].Title != "Kartavykh held" {
			t.Fatalf("err=%v items=%+v", res.Err, res.Items)
		}
	})
}

// TestDeclaredCharsetDisagrees: a feed in valid UTF-8 whose prolog or
// Content-Type names a single-byte charset is read as UTF-8, while a feed
// really in that charset is still decoded from it.
func TestDeclaredCharsetDisagrees(t *testing.T) {
	const title = "Картавых и Белоусов остаются под стражей в Баку"
	feed := func(prolog string) []byte {
		return []byte(prolog + `<rss version="2.0"><channel><title>Лента</title><item><title>` + title +
			`</title><link>http://x.example/1</link></item></channel></rss>`)
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"UTF-8 bytes, windows-1251 prolog", feed(`<?xml version="1.0" encoding="windows-1251"?>`), "application/rss+xml"},
		{"UTF-8 bytes, KOI8-R prolog", feed(`<?xml version='1.0' encoding='KOI8-R'?>`), ""},
		{"UTF-8 bytes, windows-1251 Content-Type", feed(""), "application/rss+xml; charset=windows-1251"},
		{"UTF-8 bytes, ISO-8859-1 Content-Type", feed(`<?xml version="1.0"?>`), "text/xml; charset=ISO-8859-1"},
		{"UTF-8 bytes with BOM, windows-1251 prolog", append([]byte("\xEF\xBB\xBF"), feed(`<?xml version="1.0" encoding="windows-1251"?>`)...), ""},
		{"windows-1251 bytes, windows-1251 prolog", encodeTo(t, charmap.Windows1251, feed(`<?xml version="1.0" encoding="windows-1251"?>`)), ""},
		{"KOI8-R bytes, KOI8-R Content-Type", encodeTo(t, charmap.KOI8R, feed("")), "text/xml; charset=koi8-r"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := fetchOne(t, tc.body, tc.contentType)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if len(res.Items) != 1 || res.Items[0].Title != title {
				t.Fatalf("items %+v, want the title %q", res.Items, title)
			}
		})
	}
}

// TestXMLCharsAtEveryOffset: xmlChars skips eight bytes at a time where
// none needs a fix; a forbidden character is found wherever it falls in
// or across those words, next to harmless ones that look alike.
func TestXMLCharsAtEveryOffset(t *testing.T) {
	t.Parallel()
	cases := []struct{ bad, fixed string }{
		{"\x0b", " "},
		{"\x00", " "},
		{"\xef\xbf\xbe", ""},
		{"&#1;", " "},
		{"&#xFFFF;", ""},
		{"&#xD83D;&#xDE00;", "\U0001F600"},
	}
	filler := "abcdefghijklmnopq\té\nrs&amp;tuvw\r\xef\xbb\xbfxyz0123456789"
	for _, c := range cases {
		for at := 0; at <= len(filler); at++ {
			if at > 0 && filler[at-1] >= 0x80 && at < len(filler) && filler[at] >= 0x80 && filler[at]&0xC0 == 0x80 {
				continue // not between two characters
			}
			in := filler[:at] + c.bad + filler[at:]
			want := filler[:at] + c.fixed + filler[at:]
			if got := string(xmlChars([]byte(in))); got != want {
				t.Fatalf("%q at %d: got %q, want %q", c.bad, at, got, want)
			}
		}
	}
	if got := xmlChars([]byte(filler)); string(got) != filler {
		t.Fatalf("clean text changed: %q", got)
	}
}
