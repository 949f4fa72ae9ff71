package crawl

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unsafe"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
		{"clean text shared", "Баку, 30 июня", "Баку, 30 июня"},
		{"unicode spaces collapsed", "a\u00a0\u3000b\u2028c\u0085", "a b c"},
		{"lone angle brackets are text", "a < b, 3 > 2, <3 and </", "a < b, 3 > 2, <3 and </"},
		{"escaped markup stays text", "&lt;p&gt;x&lt;/p&gt;", "<p>x</p>"},
		{"quoted > inside an attribute", `<a title="a>b" href='c>d'>link</a> text`, "link text"},
		{"inline tags join, block tags break", "Ba<b>ku</b><DIV>court</div >", "Baku\n\ncourt"},
		{"entity split by a tag stays literal", "&am<b></b>p; x", "&amp; x"},
		{"comments and declarations dropped", "<!DOCTYPE html><!-- a > b -->one<!-->two<?php x ?></ bogus>three</>four", "onetwothreefour"},
		{"unclosed comment hides the rest", "one<!-- two", "one"},
		{"textarea keeps its markup as text", "<textarea><b>x</b> &amp;</textarea>y", "<b>x</b> &y"},
		{"template hidden", "a<template><p>b</p><template>c</template>d</template>e", "a\n\ne"},
		{"noscript dropped", "<noscript><img src=x></noscript>Text", "Text"},
		// Deliberate changes from the x/net/html tokenizer (see stripper).
		{"cdata contents kept", "<![CDATA[<p>Baku &amp; Moscow</p>]]> talk", "Baku & Moscow\n\ntalk"},
		{"unterminated cdata kept", "<![CDATA[Baku", "Baku"},
		{"stray end tag hides nothing", "Text</style> more</script> and more", "Text more and more"},
		{"self-closing script hides its text", "<script/>alert(1)</script>Text", "Text"},
		{"control characters separate words", "Aktau\u0001crash \u0007report\u007f\u0085\ufeff", "Aktau crash report"},
		{"control character from an entity", "AZAL&#1;8243", "AZAL 8243"},
		{"noncharacters separate words", "a\ufffeb\uffffc", "a b c"},
		{"replacement character stays text", "a\ufffdb", "a\ufffdb"},
		{"table cells are words", "<table><tr><td>Baku</td><td>Moscow</td></tr><tr><th>Aktau</th></tr></table>", "Baku Moscow\n\nAktau"},
		{"iframe fallback dropped", `<iframe src="v"><p>No iframes</p></iframe>Text`, "Text"},
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
		// A title cut just after a word ended in a space (found by
		// FuzzExtractArticle).
		{"no space left at the cut", "Kartavykh and Belousov", 14, "Kartavykh and"},
		{"no paragraph break left at the cut", "one\n\ntwo", 4, "one"},
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

// TestPlainTextAllocs: clean text costs no allocation, and a summary with
// markup and entities costs its result and the entity decoding only.
func TestPlainTextAllocs(t *testing.T) {
	clean := "Baku court extends the detention of Sputnik Azerbaijan's managers"
	if n := testing.AllocsPerRun(100, func() { _ = plainText(clean) }); n != 0 {
		t.Errorf("clean text: %v allocations, want 0", n)
	}
	if got := plainText(clean); unsafe.StringData(got) != unsafe.StringData(clean) {
		t.Error("clean text was copied")
	}
	markup := `<p>A Baku court extended the detention of <b>Igor Kartavykh</b> and <a href="/en/people/belousov">Yevgeny Belousov</a>.</p>`
	// One allocation for the result; under the race detector sync.Pool
	// drops some writers on purpose, hence the margin.
	if n := testing.AllocsPerRun(100, func() { _ = plainText(markup) }); n >= 2 {
		t.Errorf("markup: %v allocations, want 1", n)
	}
}

// TestPlainTextMatchesTokenizer: on real feed text (the fixtures, the
// labelled corpus, generated summaries) the text is exactly the one the
// x/net/html tokenizer gave.
func TestPlainTextMatchesTokenizer(t *testing.T) {
	var inputs []string
	for _, name := range []string{"rss2.xml", "atom.xml", "rss1.rdf", "feed.json", "rss-localdates.xml", "rss-ru.utf8.xml", "rss-koi8r.utf8.xml", "malformed.xml"} {
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(fixture(t, name)))
		if err != nil {
			continue // malformed on purpose
		}
		for _, fi := range feed.Items {
			inputs = append(inputs, fi.Title, fi.Description, fi.Content)
		}
	}
	for _, name := range []string{"article-en.html", "article-ru.utf8.html", "listing.html", "not-a-feed.html"} {
		inputs = append(inputs, string(fixture(t, name)))
	}
	inputs = append(inputs, corpusTexts(t)...)
	g := newBenchText(1)
	for range 200 {
		inputs = append(inputs, g.title(), g.summaryHTML())
	}
	for _, in := range inputs {
		want, comparable := tokenizerText(in)
		if !comparable {
			continue
		}
		if got := plainText(in); got != want {
			t.Errorf("plainText(%.200q)\n got %.200q\nwant %.200q", in, got, want)
		}
	}
}

// corpusTexts are the titles, summaries and bodies of the labelled
// corpus, when it is checked out beside the repository.
func corpusTexts(t *testing.T) []string {
	data, err := os.ReadFile(filepath.Join("..", "..", "shared", "corpus", "dev.jsonl"))
	if err != nil {
		t.Log("no labelled corpus beside the repository: fixtures only")
		return nil
	}
	var out []string
	for line := range bytes.Lines(data) {
		var it struct{ Title, Summary, Body string }
		if err := json.Unmarshal(line, &it); err != nil {
			t.Fatalf("corpus: %v", err)
		}
		out = append(out, it.Title, it.Summary, it.Body)
	}
	return out
}

// FuzzPlainText: the hand-written stripper gives the tokenizer's text
// wherever it does not differ on purpose, and always clean text.
func FuzzPlainText(f *testing.F) {
	f.Add("<p>One <b>two</b></p><p>Three</p>")
	f.Add(`<a title="a>b" href=x/>t</a><br/>u`)
	f.Add("a<!-- x -- y --!>b<!--->c")
	f.Add("<textarea>&amp;<b></TEXTAREA >d<xmp>&amp;</xmp><plaintext><p>")
	f.Add("<template a=/>x</template>y<style>p{}</style >z")
	f.Add("&am<b></b>p; &nbsp;&#x3000;&lt;p&gt;")
	f.Add("<![CDATA[<p>x</p>]]>y")
	f.Fuzz(func(t *testing.T, in string) {
		got := plainText(in)
		checkClean(t, got, len(in)+1)
		if strings.Contains(got, "\n\n\n") || strings.Contains(got, "  ") {
			t.Fatalf("plainText(%q) = %q: white space not collapsed", in, got)
		}
		if want, comparable := tokenizerText(in); comparable && got != want {
			t.Fatalf("plainText(%q) = %q, tokenizer %q", in, got, want)
		}
	})
}

// tokenizerText is the clean-up as it was written with x/net/html's
// tokenizer, the reference for plainText. It reports whether the input
// is one on which plainText agrees with it: not when it holds what
// plainText treats differently on purpose (see stripper).
// separates is what plainText treats as white space: white space, control
// characters and the invisible noncharacters.
func separates(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == 0xFEFF || r == 0xFFFE || r == 0xFFFF
}

func tokenizerText(s string) (text string, comparable bool) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	lower := strings.ToLower(s)
	for _, differs := range []string{"<![cdata[", "<iframe", "<noembed", "<noframes"} {
		if strings.Contains(lower, differs) {
			return "", false
		}
	}
	if strings.Contains(lower, "<script") && strings.Contains(s, "<!--") {
		return "", false // "<!--" in a script moves its end for the tokenizer
	}
	var paras []string
	var cur strings.Builder
	flush := func() {
		paras = append(paras, cur.String())
		cur.Reset()
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var open []atom.Atom // script, style, noscript, template
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			flush()
			var b strings.Builder
			for _, p := range paras {
				if w := strings.FieldsFunc(p, separates); len(w) > 0 {
					if b.Len() > 0 {
						b.WriteString("\n\n")
					}
					b.WriteString(strings.Join(w, " "))
				}
			}
			return b.String(), true
		case html.TextToken:
			if len(open) == 0 {
				cur.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			switch tok.DataAtom {
			case atom.P, atom.Div, atom.Br, atom.Li, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Blockquote, atom.Pre, atom.Table, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Figure, atom.Hr:
				flush()
			case atom.Td, atom.Th, atom.Dt, atom.Dd, atom.Caption:
				cur.WriteByte(' ')
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				switch tt {
				case html.StartTagToken:
					open = append(open, tok.DataAtom)
				case html.EndTagToken:
					if len(open) == 0 || open[len(open)-1] != tok.DataAtom {
						return "", false // a stray end tag hid the rest, or closed another element
					}
					open = open[:len(open)-1]
				default:
					return "", false // <script/>: the tokenizer showed its contents
				}
			}
		}
	}
}

func TestAbsolute(t *testing.T) {
	base, _ := url.Parse("https://news.example.az/en/feed")
	tests := []struct{ name, link, want string }{
		{"absolute kept", "https://news.example.az/en/item/1?a=1#top", "https://news.example.az/en/item/1?a=1#top"},
		{"scheme and host lower-cased by parsing", "HTTP://news.example.az/x", "http://news.example.az/x"},
		{"dot segments of an absolute link removed", "https://news.example.az/en/a/../b/./c", "https://news.example.az/en/b/c"},
		{"dot file kept", "https://news.example.az/.well-known/x", "https://news.example.az/.well-known/x"},
		{"relative resolved", "politics/item-3", "https://news.example.az/en/politics/item-3"},
		{"rooted resolved", " /az/x ", "https://news.example.az/az/x"},
		{"scheme-relative resolved", "//cdn.example.org/x", "https://cdn.example.org/x"},
		{"javascript refused", "javascript:alert(1)", ""},
		{"no host refused", "https:///x", ""},
		{"scheme alone refused", "http:", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := absolute(base, tc.link); got != tc.want {
				t.Errorf("absolute(%q) = %q, want %q", tc.link, got, tc.want)
			}
			if u, err := url.Parse(strings.TrimSpace(tc.link)); err == nil && tc.want != "" {
				if ref := base.ResolveReference(u).String(); ref != tc.want {
					t.Errorf("ResolveReference gives %q, want %q", ref, tc.want)
				}
			}
		})
	}
}

// TestPlainTextAmpersand: a bare '&' (no character reference can follow)
// costs no decoding, and a reference after one is still decoded.
func TestPlainTextAmpersand(t *testing.T) {
	for in, want := range map[string]string{
		"AZAL & Aeroflot":        "AZAL & Aeroflot",
		"AZAL & Aeroflot &amp; ": "AZAL & Aeroflot &",
		"fish & chips &#8212;":   "fish & chips —",
		"trailing &":             "trailing &",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = plainText("AZAL & Aeroflot") }); n != 0 {
		t.Errorf("bare ampersand: %v allocations, want 0", n)
	}
}
