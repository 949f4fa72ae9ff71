package crawl

import (
	"strings"
	"testing"
)

func TestPruneXMLDepth(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"shallow kept as is", `<a><b x="1>2">t</b><c/></a>`, `<a><b x="1>2">t</b><c/></a>`},
		{"too deep dropped", `<a><b><c><d>x</d></c></b><e>y</e></a>`, `<a><b></b><e>y</e></a>`},
		{"comment, cdata and pi do not nest", `<?xml version="1.0"?><a><!-- <b><c> --><![CDATA[<b><c>]]><b/></a>`,
			`<?xml version="1.0"?><a><!-- <b><c> --><![CDATA[<b><c>]]><b/></a>`},
		{"doctype subset with '>'", `<!DOCTYPE r [<!ENTITY e "<b><c>">]><a><b>t</b></a>`, `<!DOCTYPE r [<!ENTITY e "<b><c>">]><a><b>t</b></a>`},
		{"stray '<' in text is not a tag", `<a><b>1 < 2 < 3</b></a>`, `<a><b>1 < 2 < 3</b></a>`},
		{"unclosed deep tail cut", `<a><b><c><d>never closed`, `<a><b>`},
		{"siblings after a deep part kept", `<a><b><c>1</c></b><b><c>2</c></b></a>`, `<a><b></b><b></b></a>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := pruneXML([]byte(tc.in), 2, 100); string(got) != tc.want {
				t.Errorf("pruneXML(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPruneXMLItems(t *testing.T) {
	tests := []struct {
		name, in, want string
		dropped        int
	}{
		{"rss items between the first and the last two",
			`<rss><channel><t/><item>1</item><item>2</item><item>3</item><item>4</item><item>5</item><item>6</item></channel></rss>`,
			`<rss><channel><t/><item>1</item><item>2</item><item>5</item><item>6</item></channel></rss>`, 2},
		{"four items: none dropped", `<rss><channel><item>1</item><item>2</item><item>3</item><item>4</item></channel></rss>`,
			`<rss><channel><item>1</item><item>2</item><item>3</item><item>4</item></channel></rss>`, 0},
		{"channel elements between items kept", `<rss><channel><item>1</item><item>2</item><item>3</item><x>kept</x><item>4</item><item>5</item></channel></rss>`,
			`<rss><channel><item>1</item><item>2</item><x>kept</x><item>4</item><item>5</item></channel></rss>`, 1},
		{"atom entries, not items inside", `<feed><entry><a:item>x</a:item><a:item>y</a:item><a:item>z</a:item></entry><entry/><entry>2</entry><entry>3</entry><entry>4</entry><entry>5</entry><x/></feed>`,
			`<feed><entry><a:item>x</a:item><a:item>y</a:item><a:item>z</a:item></entry><entry/><entry>2</entry><entry>4</entry><entry>5</entry><x/></feed>`, 1},
		{"rdf items at depth two", `<rdf:RDF><channel/><rss:item a="1">1</rss:item><item>2</item><item>3</item><item>4</item><item>5</item></rdf:RDF>`,
			`<rdf:RDF><channel/><rss:item a="1">1</rss:item><item>2</item><item>4</item><item>5</item></rdf:RDF>`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, dropped := pruneXML([]byte(tc.in), 100, 2)
			if string(got) != tc.want || dropped != tc.dropped {
				t.Errorf("pruneXML(%q) = %q, %d dropped, want %q, %d", tc.in, got, dropped, tc.want, tc.dropped)
			}
		})
	}
}

// TestParseDeepFeed: a feed nested far too deep, in an extension element
// gofeed parses recursively, costs little, and its shallow item stays.
func TestParseDeepFeed(t *testing.T) {
	const depth = 300000
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0" xmlns:a="http://a.example/"><channel><title>Deep</title>` +
		`<item><title>Kartavykh held in Baku</title><link>http://x.example/1</link></item><item><title>deep</title>`)
	b.WriteString(strings.Repeat("<a:x>", depth) + "text" + strings.Repeat("</a:x>", depth))
	b.WriteString(`<link>http://x.example/2</link></item></channel></rss>`)
	items, err := parseFeed([]byte(b.String()), "", nil, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Title != "Kartavykh held in Baku" || items[1].URL != "http://x.example/2" {
		t.Fatalf("items = %+v", items)
	}
}

func BenchmarkPruneXML(b *testing.B) {
	body := []byte(strings.Repeat("<item><title>t</title><description>&lt;p&gt;x&lt;/p&gt;</description></item>", 100000))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		pruneXML(body, maxXMLDepth, 500)
	}
}

// TestPruneXMLText: over-long text and CDATA are cut on a character
// boundary, never inside an entity, and the document stays well-formed.
func TestPruneXMLText(t *testing.T) {
	long := strings.Repeat("Картавых &amp; ", maxXMLText/8)
	for _, tc := range []struct{ name, open, close string }{
		{"text", "<title>", "</title>"},
		{"cdata", "<title><![CDATA[", "]]></title>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feed := `<rss version="2.0"><channel><title>T</title><item>` + tc.open + long + tc.close + `<link>http://x.example/1</link></item></channel></rss>`
			pruned, _ := pruneXML([]byte(feed), maxXMLDepth, 10)
			if len(pruned) > maxXMLText+200 {
				t.Fatalf("pruned to %d bytes, want about %d", len(pruned), maxXMLText)
			}
			items, err := parseFeed([]byte(feed), "", nil, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].URL != "http://x.example/1" || !strings.HasPrefix(items[0].Title, "Картавых & Картавых") {
				t.Fatalf("items = %.200v", items)
			}
			checkClean(t, items[0].Title, maxTitle)
		})
	}
}

func TestSafeCut(t *testing.T) {
	for _, tc := range []struct {
		text string
		n    int
		want string
	}{
		{"abcdef", 3, "abc"},
		{"abЖdef", 3, "ab"},       // not inside Ж
		{"ab &amp; cd", 5, "ab "}, // not inside &amp;
		{"ab &amp; cd", 8, "ab &amp;"},
		{"a&b c d e f g h i j k l m n o p q", 30, "a&b c d e f g h i j k l m n o "},
	} {
		if got := tc.text[:safeCut([]byte(tc.text), tc.n)]; got != tc.want {
			t.Errorf("safeCut(%q, %d) keeps %q, want %q", tc.text, tc.n, got, tc.want)
		}
	}
}
