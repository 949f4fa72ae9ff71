package item

import (
	"testing"
	"time"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"tracking parameters dropped", "https://report.az/news/1?utm_source=rss&utm_medium=feed", "https://report.az/news/1"},
		{"other parameters kept and sorted", "https://tass.ru/a?b=2&a=1&fbclid=x", "https://tass.ru/a?a=1&b=2"},
		{"host and scheme lower-cased", "HTTPS://E1.RU/text/1", "https://e1.ru/text/1"},
		{"fragment dropped", "https://meduza.io/news/1#comments", "https://meduza.io/news/1"},
		{"default port dropped", "http://ura.ru:80/news", "http://ura.ru/news"},
		{"empty path is the root", "https://apa.az", "https://apa.az/"},
		{"not a URL returned trimmed", "  urn:uuid:1234 ", "urn:uuid:1234"},
		{"Cyrillic host and path escaped", "https://пример.рф/новости", "https://%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.%D1%80%D1%84/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizeURL(tc.in); got != tc.want {
				t.Errorf("NormalizeURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestKey(t *testing.T) {
	base := Item{Source: "report.az", GUID: "g1", URL: "https://report.az/1", Title: "T", Published: time.Unix(0, 0)}
	tests := []struct {
		name string
		a, b Item
		same bool
	}{
		{"GUID wins over a changed link and title", base, Item{Source: "report.az", GUID: "g1", URL: "https://report.az/2", Title: "U"}, true},
		{"same GUID in two sources differs", base, Item{Source: "apa.az", GUID: "g1"}, false},
		{"GUID whitespace ignored", base, Item{Source: "report.az", GUID: " g1\n"}, true},
		{"no GUID: link without tracking", Item{Source: "s", URL: "https://x.az/a?utm_source=rss"}, Item{Source: "s", URL: "https://x.az/a", Title: "other"}, true},
		{"no GUID: different links differ", Item{Source: "s", URL: "https://x.az/a"}, Item{Source: "s", URL: "https://x.az/b"}, false},
		{"neither: title and summary, spacing folded", Item{Source: "s", Title: "A  b", Summary: "c"}, Item{Source: "s", Title: "A b", Summary: " c"}, true},
		{"neither: different text differs", Item{Source: "s", Title: "A"}, Item{Source: "s", Title: "B"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Key() == tc.b.Key(); got != tc.same {
				t.Errorf("keys equal = %v, want %v (%s vs %s)", got, tc.same, tc.a.Key(), tc.b.Key())
			}
		})
	}
}

func FuzzKey(f *testing.F) {
	f.Add("report.az", "g", "https://report.az/1?utm_source=x", "title")
	f.Add("", "", "%zz", "")
	f.Fuzz(func(t *testing.T, source, guid, link, content string) {
		k := Key(source, guid, link, content)
		if len(k) != 32 || k != Key(source, guid, link, content) {
			t.Fatalf("key %q not a stable 32-hex-digit string", k)
		}
		if n := NormalizeURL(link); NormalizeURL(n) != n && n != "" {
			// Normalising twice must not change a link again, or an
			// item's identity would depend on how often it was seen.
			t.Errorf("NormalizeURL not idempotent: %q -> %q -> %q", link, n, NormalizeURL(n))
		}
	})
}
