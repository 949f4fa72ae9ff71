package crawl

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// hugeParagraphPage is an article page of n paragraphs, under 40 bytes
// each: 225,000 of them fit under the default body limit of 10 MiB.
func hugeParagraphPage(n int) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><title>Kartavykh and Belousov held in Baku</title>` +
		`<meta property="article:published_time" content="2025-07-01T09:30:00+04:00"></head><body><article><h1>Held in Baku</h1>`)
	for i := range n {
		fmt.Fprintf(&b, "<p>Paragraph %d of the Baku story.</p>\n", i)
	}
	b.WriteString(`</article></body></html>`)
	return []byte(b.String())
}

// peakHeap runs f and returns the highest heap in use while it ran, sampled
// every millisecond, above the heap in use before it started.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	return max(peak.Load(), base) - base
}

// TestExtractHugePage: a page of 225,000 paragraphs, under the body limit,
// is read over a real server in bounded memory, and its text is still the
// article's paragraphs, cut to the body limit; title, language and date
// are read as from any page.
func TestExtractHugePage(t *testing.T) {
	body := hugeParagraphPage(225000)
	if len(body) > 10<<20 {
		t.Fatalf("page of %d bytes, above the default body limit", len(body))
	}
	srv, _ := serveRoutes(t, map[string]route{"/huge": {body: body, contentType: "text/html; charset=utf-8"}})
	f := newFetcher(t, nil, srv)
	var a Article
	var err error
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := peakHeap(func() { a, err = f.Article(context.Background(), srv.URL+"/huge") })
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// readability took 250 MiB of heap and allocated 260 MB for this page;
	// the fetch itself holds the 9 MB body, and colly copies it once.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 || peak > 64<<20 {
		t.Errorf("reading the page allocated %d MiB, peak heap %d MiB; want under 64 MiB", alloc>>20, peak>>20)
	}
	if !strings.HasPrefix(a.Text, "Paragraph 0 of the Baku story.\n\nParagraph 1 of the Baku story.\n\n") {
		t.Errorf("text starts %.100q", a.Text)
	}
	checkClean(t, a.Text, maxBody)
	if n := utf8.RuneCountInString(a.Text); n < maxBody-100 {
		t.Errorf("text of %d runes, want the body limit %d", n, maxBody)
	}
	wantDate := time.Date(2025, 7, 1, 5, 30, 0, 0, time.UTC)
	if a.Title != "Kartavykh and Belousov held in Baku" || a.Lang != "en" || !a.Published.Equal(wantDate) {
		t.Errorf("title %q lang %q published %s", a.Title, a.Lang, a.Published)
	}
}

// TestStreamArticle: the one-pass reader keeps the article's paragraphs,
// not the site's navigation, scripts or forms, prefers the metadata's
// title and date, and falls back to the body's text on a page without
// paragraphs.
func TestStreamArticle(t *testing.T) {
	u, _ := url.Parse("https://news.example.az/articles/x")
	page := `<!DOCTYPE html><html lang="AZ"><head><title>Site | Story</title>` +
		`<meta property="og:title" content="Bakı məhkəməsi &amp; Sputnik"><script>var p = "<p>no</p>";</script></head>` +
		`<body><nav><p>Home</p><p>World</p></nav><article><time datetime="2025-06-30T10:00:00Z">30 June</time>` +
		`<p>Kartavykh and   Belousov <b>remain</b> held.<p>Second &laquo;paragraph&raquo;.</p><form><p>Subscribe</p></form>` +
		`<aside><p>Related</p></aside><p>Third.</p><style>p{}</style></article><footer><p>© Site</p></footer></body></html>`
	a, err := streamArticle([]byte(page), u)
	if err != nil {
		t.Fatal(err)
	}
	want := Article{URL: u.String(), Title: "Bakı məhkəməsi & Sputnik", Lang: "az",
		Text:      "Kartavykh and Belousov remain held.\n\nSecond «paragraph».\n\nThird.",
		Published: time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC)}
	if a != want {
		t.Errorf("got  %+v\nwant %+v", a, want)
	}
	meta := strings.Replace(page, "<title>", `<meta name="article:published_time" content="2025-06-29T08:00:00Z"><title>`, 1)
	if a, _ := streamArticle([]byte(meta), u); !a.Published.Equal(time.Date(2025, 6, 29, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("published %s, want the metadata's date", a.Published)
	}
	noParas := `<html><head><title>T</title></head><body><div>First block</div><div>Second <i>block</i></div><script>x()</script></body></html>`
	if a, err := streamArticle([]byte(noParas), u); err != nil || a.Text != "First block\n\nSecond block" || a.Title != "T" {
		t.Errorf("no paragraphs: %+v, %v", a, err)
	}
	fragment := `<title>T</title><p>No body tag.</p><svg><title>icon</title></svg>`
	if a, err := streamArticle([]byte(fragment), u); err != nil || a.Text != "No body tag." || a.Title != "T" {
		t.Errorf("fragment: %+v, %v", a, err)
	}
	empty := "<html><body>" + strings.Repeat("<p></p>", 150000) + "<p>End.</p></body></html>"
	if a, err := streamArticle([]byte(empty), u); err != nil || a.Text != "End." {
		t.Errorf("many empty paragraphs: text %q, %v", a.Text, err)
	}
	if _, err := streamArticle([]byte(`<html><body><script>only()</script></body></html>`), u); err == nil {
		t.Error("a page without text gave no error")
	}
}

// TestArticleImpossibleDate: an article page whose metadata dates it past
// year 9999 in UTC gives no date, in either reader.
func TestArticleImpossibleDate(t *testing.T) {
	u, _ := url.Parse("https://news.example.az/articles/x")
	page := `<html><head><title>T</title><meta property="article:published_time" content="9999-12-31T23:59:59-23:59"></head>` +
		`<body><article><time datetime="9999-12-31T23:59:59-23:59">then</time><p>` + strings.Repeat("Kartavykh and Belousov remain held in Baku, the court said. ", 20) + `</p></article></body></html>`
	for name, extract := range map[string]func([]byte, *url.URL) (Article, error){"readability": extractArticle, "stream": streamArticle} {
		a, err := extract([]byte(page), u)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !a.Published.IsZero() {
			t.Errorf("%s: published %s, want none", name, a.Published)
		}
	}
}

func BenchmarkExtractHugePage(b *testing.B) {
	body := hugeParagraphPage(225000)
	u, _ := url.Parse("https://news.example.az/articles/huge")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if _, err := extractArticle(body, u); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func BenchmarkExtractArticle(b *testing.B) {
	body := fixture(b, "article-en.html")
	u, _ := url.Parse("https://news.example.az/articles/x")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := extractArticle(body, u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractAtBound: the largest page readability still reads.
func BenchmarkExtractAtBound(b *testing.B) {
	body := hugeParagraphPage(maxReadabilityTags - 10) // a start tag per paragraph, and a few more
	u, _ := url.Parse("https://news.example.az/articles/huge")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if _, err := extractArticle(body, u); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkExtractHugeEmpty: a page of a million empty elements, read to
// its end by the one-pass reader.
func BenchmarkExtractHugeEmpty(b *testing.B) {
	body := []byte("<html><body>" + strings.Repeat("<div><p></p></div>\n", 500000) + "<p>End.</p></body></html>")
	u, _ := url.Parse("https://news.example.az/articles/huge")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if a, err := extractArticle(body, u); err != nil || a.Text != "End." {
				b.Fatalf("text %q, %v", a.Text, err)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// FuzzStreamArticle: the one-pass reader, which the fuzzer would seldom
// reach through extractArticle (it takes pages of many thousand tags),
// gives clean text within the limits or an error.
func FuzzStreamArticle(f *testing.F) {
	f.Add(fixture(f, "article-en.html"))
	f.Add(fixture(f, "article-ru.utf8.html"))
	f.Add(hugeParagraphPage(20))
	f.Add([]byte(`<html lang="az"><head><meta property="og:title" content="&#1;t&amp;"><title>x</title></head><body>` +
		`<nav><p>n</nav><p>a<script>"<p>"</script><p>b\x01\u202e<time datetime="9999-12-31T23:59:59-23:59">`))
	u, _ := url.Parse("https://news.example.az/articles/x")
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := streamArticle(body, u)
		if err != nil {
			return
		}
		if a.Text == "" {
			t.Fatal("extraction succeeded with no text")
		}
		checkClean(t, a.Text, maxBody)
		checkClean(t, a.Title, maxTitle)
		if !a.Published.IsZero() && !plausibleDate(a.Published, time.Now()) {
			t.Fatalf("implausible date %s", a.Published)
		}
	})
}
