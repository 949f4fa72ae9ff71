package alert

import (
	"fmt"
	"time"
)

// The digest most tests send: three shipped topics, items in English,
// Russian and Azerbaijani, and the hostile inputs a feed can carry.
var (
	t0        = time.Date(2025, 7, 1, 9, 30, 0, 0, time.UTC)
	baku      = time.FixedZone("AZT", 4*3600)
	rtlTitle  = "Sputnik \u202eAzerbaijan\u202c detainees\u2066 update\u2069"
	ctlTitle  = "Line one\r\nFAKE: injected line\x00\x07\u200e\u200f\u061c end"
	evilTitle = `<script>alert("x")</script> Baku court`
	evilURL   = "javascript:alert(document.cookie)"
)

func testDigest() Digest {
	return Digest{
		ID:      "d-20250701-0930",
		Created: t0,
		Topics: []Topic{
			{ID: "yekaterinburg", Title: "The Yekaterinburg case", Items: []Entry{
				{Title: "Суд в Екатеринбурге продлил арест фигурантам дела", URL: "https://www.interfax.ru/russia/1000001",
					Source: "Interfax", Published: t0.Add(-2 * time.Hour), Snippet: "Ziyaddin and Huseyn Safarov died in custody after the 27 June raid."},
				{Title: "Yekaterinburqda saxlanılan azərbaycanlılar", URL: "https://apa.az/xeber/1000002?utm_source=rss",
					Source: "APA", Published: time.Date(2025, 7, 1, 11, 0, 0, 0, baku), Snippet: "Səfərov qardaşlarının ölümü ilə bağlı cinayət işi."},
			}},
			{ID: "sputnik-detainees", Title: "Sputnik Azerbaijan detainees", Items: []Entry{
				{Title: rtlTitle, URL: "https://report.az/en/1000003", Source: "Report.az",
					Published: t0.Add(-time.Hour), Snippet: "Igor Kartavykh and Yevgeny Belousov remain held in Baku."},
				{Title: evilTitle, URL: evilURL, Source: "Unknown <b>blog</b>",
					Published: t0.Add(-3 * time.Hour), Snippet: `<img src=x onerror="alert(1)">`},
			}},
			{ID: "azal-8243", Title: "AZAL flight 8243", Items: []Entry{
				{Title: ctlTitle, URL: "https://www.reuters.com/world/1000004", Source: "Reuters",
					Published: t0.Add(-30 * time.Minute), Snippet: "Compensation talks\tfor the\n\ncrash near Aktau."},
			}},
			{ID: "empty", Title: "A topic with nothing new"},
		},
	}
}

// bigDigest has one topic with n items, one minute apart.
func bigDigest(n int) Digest {
	items := make([]Entry, n)
	for i := range items {
		items[i] = Entry{
			Title:     fmt.Sprintf("Item %03d", i),
			URL:       fmt.Sprintf("https://example.org/news/%03d", i),
			Source:    "Trend",
			Published: t0.Add(-time.Duration(i) * time.Minute),
			Snippet:   "AZAL flight 8243 compensation talks continue.",
		}
	}
	return Digest{ID: "big", Created: t0, Topics: []Topic{{ID: "azal", Title: "AZAL flight 8243", Items: items}}}
}
