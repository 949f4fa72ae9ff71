package alert

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// relatedDigest holds one match and one related item of the same topic.
func relatedDigest() Digest {
	at := time.Date(2025, 7, 3, 9, 0, 0, 0, time.UTC)
	return Digest{ID: "d-related", Created: at, Topics: []Topic{{ID: "sputnik-detainees", Title: "Sputnik Azerbaijan detainees", Items: []Entry{
		{Title: "Court extends arrest of Kartavykh", URL: "https://apa.az/1", Source: "APA", Published: at},
		{Title: "Lawyer of the agency's director appeals", URL: "https://report.az/2", Source: "Report", Published: at.Add(-time.Hour),
			Related: &Related{Terms: []string{"Belousov", "Sputnik", "Baku"},
				Like: []Ref{{Title: "Court extends arrest of Kartavykh", URL: "https://apa.az/1", Source: "APA"}}}},
	}}}}
}

// A related item is marked and explained in every rendering, and a match
// is not.
func TestRelatedItemIsMarked(t *testing.T) {
	const why = `related: shares Belousov, Sputnik, Baku with “Court extends arrest of Kartavykh” (APA)`
	text := RenderText(relatedDigest())
	if strings.Count(text, "related: ") != 1 || !strings.Contains(text, "* Lawyer of the agency's director appeals\n  "+why) {
		t.Errorf("text rendering does not mark the related item once, under its title:\n%s", text)
	}
	html, err := RenderHTML(relatedDigest())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(html, "related: shares") != 1 || !strings.Contains(html, "Belousov, Sputnik, Baku") {
		t.Errorf("HTML rendering does not mark the related item once:\n%s", html)
	}

	srv, requests := receiver(t, http.StatusNoContent, "")
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL})
	if err := w.Send(t.Context(), relatedDigest()); err != nil {
		t.Fatal(err)
	}
	var body struct {
		Topics []struct {
			Items []struct {
				Title   string
				Related *struct {
					Terms []string
					Like  []struct{ Title, URL, Source string }
				}
			}
		}
	}
	if err := json.Unmarshal(requests()[0].body, &body); err != nil {
		t.Fatal(err)
	}
	items := body.Topics[0].Items
	if len(items) != 2 || items[0].Related != nil {
		t.Fatalf("webhook items %+v: want the match first, without \"related\"", items)
	}
	r := items[1].Related
	if r == nil || strings.Join(r.Terms, ",") != "Belousov,Sputnik,Baku" || len(r.Like) != 1 || r.Like[0].URL != "https://apa.az/1" {
		t.Errorf("webhook related = %+v", r)
	}
}
