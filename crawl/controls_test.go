package crawl

import "testing"

// TestControlCharactersInJSONFeed: JSON allows any character escaped, and
// CMS exports leak C0 controls and byte order marks into titles. They
// separate words in the item, as in an XML feed (where most are
// forbidden and dropped), instead of reaching the digest and the matcher
// glued to the words around them.
func TestControlCharactersInJSONFeed(t *testing.T) {
	body := `{"version": "https://jsonfeed.org/version/1.1", "title": "Лента", "items": [
	  {"id": "1", "url": "http://x.example/1",
	   "title": "Картавых\u0001и Белоусов\u0007 остаются\ufeff под стражей",
	   "content_html": "<table><tr><td>Баку</td><td>Москва</td></tr></table>"}]}`
	items, err := parseFeed([]byte(body), "application/feed+json", nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("%d items, want 1", len(items))
	}
	if want := "Картавых и Белоусов остаются под стражей"; items[0].Title != want {
		t.Errorf("title %q, want %q", items[0].Title, want)
	}
	if want := "Баку Москва"; items[0].Body != want && items[0].Summary != want {
		t.Errorf("body %q, summary %q: want the cells as words %q", items[0].Body, items[0].Summary, want)
	}
}
