package crawl

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// feed50 is an RSS 2.0 feed of 50 items shaped like the fixtures.
func feed50() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel xml:base="https://news.example.az/en/">` +
		`<title>Bench</title><link>https://news.example.az/en/</link><description>d</description>`)
	for i := range 50 {
		fmt.Fprintf(&b, `<item><title>Baku court hearing &amp; detention, part %d</title><link>politics/item-%d</link>`+
			`<guid isPermaLink="false">bench-%d</guid><pubDate>Tue, 01 Jul 2025 09:30:00 +0400</pubDate>`+
			`<description><![CDATA[<p>A Baku court extended the detention of <b>Igor Kartavykh</b> and `+
			`<a href="/en/people/belousov">Yevgeny Belousov</a>.</p><p>Both have been held since 30&nbsp;June&nbsp;2025; `+
			`Moscow called the case political and linked it to the Yekaterinburg raid.</p>]]></description></item>`, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func BenchmarkParseFeed(b *testing.B) {
	body := feed50()
	base, _ := url.Parse("https://news.example.az/rss")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		items, err := parseFeed(body, "application/rss+xml", base, 500)
		if err != nil || len(items) != 50 {
			b.Fatalf("parse: %d items, %v", len(items), err)
		}
	}
}
