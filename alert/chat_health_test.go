package alert

import (
	"strings"
	"testing"
	"time"
)

// TestChatMessagesNameHealthAndOtherReports: a chat message carries what
// the mail carries besides the items: the sources failing and recovered
// (a digest may hold nothing else), and the other outlets that reported
// an item's story.
func TestChatMessagesNameHealthAndOtherReports(t *testing.T) {
	at := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	d := Digest{ID: "d1", Created: at,
		Topics: []Topic{{ID: "sputnik-detainees", Title: "Sputnik Azerbaijan", Items: []Entry{{
			Title: "Baku court extends arrest", URL: "https://example.org/1", Source: "report.az", Published: at,
			Also: []Report{{Title: "Суд продлил арест", URL: "https://example.org/2", Source: "interfax.ru", Published: at}},
		}}}},
		SourcesFailing:   []SourceHealth{{Name: "e1.ru", Since: at.Add(-7 * time.Hour), Error: "HTTP status 503", NextAttempt: at.Add(time.Hour)}},
		SourcesRecovered: []SourceHealth{{Name: "ura.ru", Since: at.Add(-30 * time.Hour), Recovered: at, FailedFor: 30 * time.Hour}},
	}
	healthOnly := Digest{ID: "d2", Created: at, SourcesFailing: d.SourcesFailing}
	for name, f := range map[string]format{"slack": slackFormat, "discord": discordFormat, "telegram": telegramFormat, "matrix": matrixFormat, "ntfy": ntfyFormat} {
		var text strings.Builder
		for _, p := range f.split(d) {
			text.WriteString(p.text)
		}
		for _, want := range []string{"Sources failing", "e1.ru", "503", "Sources recovered", "ura.ru", "also reported by interfax.ru"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("%s: message lacks %q:\n%s", name, want, text.String())
			}
		}
		if parts := f.split(healthOnly); len(parts) != 1 || !strings.Contains(parts[0].text, "e1.ru") {
			t.Errorf("%s: a digest of health alone gives %+v; want one message naming e1.ru", name, parts)
		}
	}
}
