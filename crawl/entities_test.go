package crawl

import (
	"strings"
	"testing"
)

// TestEntitiesNeverExpanded: a DOCTYPE's entities are neither expanded
// (a billion laughs stays one word) nor fetched (an external entity does
// not read the file it names); the item stays, with the reference as text.
func TestEntitiesNeverExpanded(t *testing.T) {
	var laughs strings.Builder
	laughs.WriteString(`<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">`)
	for i := 2; i <= 9; i++ {
		laughs.WriteString(`<!ENTITY lol` + string(rune('0'+i)) + ` "` + strings.Repeat("&lol"+string(rune('0'+i-1))+";", 10) + `">`)
	}
	tests := []struct{ name, doctype, ref string }{
		{"billion laughs", laughs.String(), "&lol9;"},
		{"external entity", `<!ENTITY xxe SYSTEM "file:///etc/passwd">`, "&xxe;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			feed := `<?xml version="1.0"?><!DOCTYPE rss [` + tc.doctype + `]><rss version="2.0"><channel><title>E</title>` +
				`<item><title>Leak ` + tc.ref + `</title><link>http://x.example/1</link><description>` + tc.ref + `</description></item></channel></rss>`
			items, err := parseFeed([]byte(feed), "", nil, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || len(items[0].Title) > 100 || len(items[0].Summary) > 100 || strings.Contains(items[0].Summary, "root:") {
				t.Fatalf("items = %+v", items)
			}
		})
	}
}
