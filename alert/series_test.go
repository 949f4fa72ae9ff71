package alert

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// seriesDigest is the test digest as the second of three one check sent.
func seriesDigest() Digest {
	d := testDigest()
	d.Series = Series{N: 2, Of: 3}
	return d
}

// TestSubjectNumbersASeries: a digest of a series says which it is in
// every subject form; a digest alone (Of 0 or 1) is not numbered.
func TestSubjectNumbersASeries(t *testing.T) {
	health := Digest{SourcesFailing: []SourceHealth{{Name: "Interfax", Since: t0, Error: "fetch: HTTP 503"}}, Series: Series{N: 1, Of: 2}}
	tests := []struct {
		name string
		d    Digest
		want string
	}{
		{"second of three", seriesDigest(), "watcher (2 of 3): 5 new — The Yekaterinburg case (2)"},
		{"one of one", func() Digest { d := testDigest(); d.Series = Series{N: 1, Of: 1}; return d }(), "watcher: 5 new — "},
		{"nothing new", Digest{Series: Series{N: 3, Of: 3}}, "watcher (3 of 3): nothing new"},
		{"health", health, "watcher (1 of 2): "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Subject(tc.d); !strings.HasPrefix(got, tc.want) {
				t.Errorf("Subject() = %q, want it to begin %q", got, tc.want)
			}
		})
	}
}

// TestWebhookSeries: the payload carries "series" for a digest of a
// series and leaves it out for a digest alone, so receivers that never
// see a series see the payload as before.
func TestWebhookSeries(t *testing.T) {
	srv, requests := receiver(t, http.StatusNoContent, "")
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL + "/hook"})
	for _, d := range []Digest{seriesDigest(), testDigest()} {
		if err := w.Send(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	reqs := requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	var p struct {
		Series *struct{ N, Of int }
	}
	if err := json.Unmarshal(reqs[0].body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Series == nil || p.Series.N != 2 || p.Series.Of != 3 {
		t.Errorf("series = %+v, want {2 3}\n%s", p.Series, reqs[0].body)
	}
	checkPayload(t, reqs[0].body) // the rest as for any digest
	if strings.Contains(string(reqs[1].body), `"series"`) {
		t.Errorf("a digest alone carries a series:\n%s", reqs[1].body)
	}
}

// TestTemplateSeries: a custom template sees .Series as "2 of 3", and
// as empty for a digest alone.
func TestTemplateSeries(t *testing.T) {
	text := writeTemplate(t, "d.txt", "{{if .Series}}[{{.Series}}] {{end}}{{.Count}} new")
	tm, err := ParseTemplates(text, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[*Digest]string{new(seriesDigest()): "[2 of 3] 5 new", new(testDigest()): "5 new"} {
		got, err := tm.Text(*d)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("text = %q, want %q", got, want)
		}
	}
}

// TestChatSeriesHeading: every chat service's message heads with the
// digest's place in its series (ntfy in its title), and a message cut
// into parts keeps it in each part's heading.
func TestChatSeriesHeading(t *testing.T) {
	t.Parallel()
	for _, c := range chatCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if err := c.sink.Send(t.Context(), seriesDigest()); err != nil {
				t.Fatal(err)
			}
			msgs := c.srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			head := msgs[0].Title + "\n" + msgs[0].Text
			if c.name == "discord" {
				head = strings.ReplaceAll(head, `\`, "") // its markdown escapes, which the reader does not see
			}
			if !strings.Contains(head, "watcher (2 of 3): 5 new") {
				t.Errorf("message does not say it is 2 of 3:\n%s", head)
			}
		})
	}
	parts := slackFormat.split(func() Digest { d := longDigest(100); d.Series = Series{N: 1, Of: 2}; return d }())
	if len(parts) < 2 {
		t.Fatalf("%d parts, want several", len(parts))
	}
	for i, p := range parts {
		if !strings.HasPrefix(p.text, "*watcher (1 of 2): ") {
			t.Errorf("part %d heading: %.80q", i+1, p.text)
		}
	}
}
