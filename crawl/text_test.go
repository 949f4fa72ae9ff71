package crawl

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text unchanged", "Aktau crash", "Aktau crash"},
		{"entities decoded", "AZAL &amp; Aeroflot &#8212; &laquo;talks&raquo;", "AZAL & Aeroflot — «talks»"},
		{"markup removed, paragraphs kept", "<p>One <b>two</b></p><p>Three</p>", "One two\n\nThree"},
		{"br breaks a paragraph", "line one<br/>line two", "line one\n\nline two"},
		{"script and style dropped", "<style>p{}</style>Text<script>alert(1)</script> end", "Text end"},
		{"white space and nbsp collapsed", "  a \n\t b&nbsp;&nbsp;c  ", "a b c"},
		{"invalid utf-8 replaced", "bad \xff byte", "bad \uFFFD byte"},
		{"unclosed tag", "<p>text <a href=", "text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := plainText(tc.in); got != tc.want {
				t.Errorf("plainText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short kept", "Баку", 10, "Баку"},
		{"cyrillic cut on a rune", "Екатеринбург", 5, "Екате"},
		{"mixed", "aé日b", 3, "aé日"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cut(tc.in, tc.n); got != tc.want {
				t.Errorf("cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestFieldLimits(t *testing.T) {
	long := strings.Repeat("Ж", maxSummary+50)
	body := []byte(`<rss version="2.0"><channel><item><title>` + long + `</title><description>` + long +
		`</description><link>https://x.example/1</link></item></channel></rss>`)
	items, err := parseFeed(body, "", nil, 10)
	if err != nil || len(items) != 1 {
		t.Fatalf("parse: %v", err)
	}
	if got := len([]rune(items[0].Title)); got != maxTitle {
		t.Errorf("title has %d runes, want %d", got, maxTitle)
	}
	if got := len([]rune(items[0].Summary)); got != maxSummary {
		t.Errorf("summary has %d runes, want %d", got, maxSummary)
	}
}

func TestHostDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lt := newLimitTransport(nil, Options{Concurrency: 4, PerHost: 4, HostDelay: 2 * time.Second, MaxBody: 1})
		a, b := lt.host("a.example"), lt.host("b.example")
		start := time.Now()
		var starts []time.Duration
		for _, h := range []*hostSlot{a, a, b, a} {
			if err := lt.wait(context.Background(), h); err != nil {
				t.Fatal(err)
			}
			starts = append(starts, time.Since(start))
		}
		want := []time.Duration{0, 2 * time.Second, 2 * time.Second, 4 * time.Second}
		for i := range want {
			if starts[i] != want[i] {
				t.Errorf("request %d started at %s, want %s (host delays %v)", i, starts[i], want[i], starts)
			}
		}
	})
}

func TestParseLocalDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"27 июня 2025", time.Date(2025, 6, 27, 0, 0, 0, 0, time.UTC), true},
		{"30 Июня 2025 г., 18:40", time.Date(2025, 6, 30, 18, 40, 0, 0, time.UTC), true},
		{"25 dekabr 2024 09:28", time.Date(2024, 12, 25, 9, 28, 0, 0, time.UTC), true},
		{"3 мая 2025", time.Date(2025, 5, 3, 0, 0, 0, 0, time.UTC), true},
		{"вчера", time.Time{}, false},
		{"45 июня 2025", time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := parseLocalDate(tc.in)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Errorf("parseLocalDate(%q) = %s %v, want %s %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
