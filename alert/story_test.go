package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// storyDigest holds one story reported by three outlets, and one later
// report of a story an earlier digest sent.
func storyDigest() Digest {
	at := time.Date(2025, 7, 1, 14, 40, 0, 0, time.UTC)
	return Digest{ID: "d-story", Created: at.Add(4 * time.Hour), Topics: []Topic{{
		ID: "sputnik-detainees", Title: "The Sputnik Azerbaijan detainees", Items: []Entry{
			{Title: "Суд в Баку арестовал на четыре месяца руководителей «Спутник Азербайджан»", URL: "https://www.interfax.ru/world/1001",
				Source: "interfax.ru", Published: at, Snippet: "Игорь Картавых и Евгений Белоусов",
				Also: []Report{
					{Title: "Azerbaijan court jails two Sputnik executives for four months", URL: "https://apnews.com/article/2002", Source: "apnews.com", Published: at.Add(3 * time.Hour)},
					{Title: "İqor Kartavıx və Yevgeni Belousov dörd ay müddətinə həbs edilib", URL: "https://report.az/3003", Source: "report.az", Published: at.Add(90 * time.Minute)},
				}},
			{Title: "Sputnik office raid: what we know", URL: "https://oc-media.org/4004", Source: "oc-media.org", Published: at.Add(-time.Hour),
				Earlier: &Report{Title: "Azerbaijani police raid Baku office of Russian state news agency Sputnik", URL: "https://www.reuters.com/5005", Source: "reuters.com", Published: at.Add(-20 * time.Hour)}},
		},
	}}}
}

func TestRenderAlsoReportedBy(t *testing.T) {
	t.Parallel()
	d := storyDigest()
	text := RenderText(d)
	html, err := RenderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"also reported by:",
		"- report.az · 2025-07-01 16:10 UTC: İqor Kartavıx və Yevgeni Belousov dörd ay müddətinə həbs edilib",
		"- apnews.com · 2025-07-01 17:40 UTC: Azerbaijan court jails two Sputnik executives for four months",
		"adds to a story sent earlier: Azerbaijani police raid Baku office of Russian state news agency Sputnik (reuters.com · 2025-06-30 18:40 UTC)",
		"https://www.reuters.com/5005",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text rendering lacks %q:\n%s", want, text)
		}
	}
	// The other reports are listed earliest first, under their story.
	if strings.Index(text, "report.az") > strings.Index(text, "apnews.com") {
		t.Errorf("also reported by is not earliest first:\n%s", text)
	}
	for _, want := range []string{
		`<a href="https://apnews.com/article/2002">Azerbaijan court jails two Sputnik executives for four months</a>`,
		`adds to a story sent earlier: <a href="https://www.reuters.com/5005">`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML rendering lacks %q:\n%s", want, html)
		}
	}
	if got, want := d.Reports(), 4; got != want {
		t.Errorf("Reports() = %d, want %d", got, want)
	}
}

// TestWebhookAlso: the webhook carries the other reports under "also" and
// the earlier story under "addition_to", each report once.
func TestWebhookAlso(t *testing.T) {
	t.Parallel()
	srv, requests := receiver(t, http.StatusOK, "")
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL})
	if err := w.Send(context.Background(), storyDigest()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := requests()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	var body struct {
		Topics []struct {
			Items []struct {
				URL  string `json:"url"`
				Also []struct {
					Source, URL, Title string
				} `json:"also"`
				AdditionTo *struct {
					Source, URL, Title string
				} `json:"addition_to"`
			} `json:"items"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(got[0].body, &body); err != nil {
		t.Fatalf("decode %s: %v", got[0].body, err)
	}
	items := body.Topics[0].Items
	if len(items) != 2 {
		t.Fatalf("%d items, want 2: %s", len(items), got[0].body)
	}
	seen := map[string]int{}
	for _, it := range items {
		seen[it.URL]++
		for _, a := range it.Also {
			seen[a.URL]++
		}
	}
	for _, u := range []string{"https://www.interfax.ru/world/1001", "https://report.az/3003", "https://apnews.com/article/2002", "https://oc-media.org/4004"} {
		if seen[u] != 1 {
			t.Errorf("%s delivered %d times, want once", u, seen[u])
		}
	}
	if seen["https://www.reuters.com/5005"] != 0 {
		t.Error("the earlier story is repeated as a report")
	}
	if a := items[0].Also; len(a) != 2 || a[0].Source != "report.az" || a[0].Title == "" {
		t.Errorf("also of the first item = %+v, want report.az then apnews.com, with titles", a)
	}
	if e := items[1].AdditionTo; e == nil || e.URL != "https://www.reuters.com/5005" || e.Source != "reuters.com" {
		t.Errorf("addition_to = %+v, want the reuters.com story", e)
	}
}

// TestAlsoBounded: a story reported by very many outlets lists the first
// ones and says how many more, in text and HTML; the webhook lists all.
func TestAlsoBounded(t *testing.T) {
	t.Parallel()
	d := storyDigest()
	e := &d.Topics[0].Items[0]
	for i := range 30 {
		e.Also = append(e.Also, Report{Title: fmt.Sprintf("Report %02d", i), URL: fmt.Sprintf("https://outlet%02d.example/1", i), Source: "outlet"})
	}
	html, err := RenderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": RenderText(d), "HTML": html} {
		if !strings.Contains(out, "… and 12 more") {
			t.Errorf("%s does not say how many more reports there are", name)
		}
	}
	body, err := encodePayload(d)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(body), `"source":"outlet"`); n != 30 {
		t.Errorf("webhook lists %d of the 30 other reports", n)
	}
}
