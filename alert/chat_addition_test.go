package alert

import (
	"strings"
	"testing"
	"time"
)

// TestChatAdditionWithOtherReports: a later story's entry that adds to a
// story sent earlier and has other reports of its own (two outlets ran
// the follow-up) says both in every chat service: what it adds to, and
// who else reported it.
func TestChatAdditionWithOtherReports(t *testing.T) {
	t.Parallel()
	d := storyDigest()
	at := time.Date(2025, 7, 1, 14, 40, 0, 0, time.UTC)
	e := &d.Topics[0].Items[1]
	e.Also = []Report{{Title: "Police searched the Sputnik office", URL: "https://apa.az/6006", Source: "apa.az", Published: at}}
	for _, c := range chatCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if err := c.sink.Send(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			msgs := c.srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			// Discord's markdown escapes are not what its reader sees.
			text := strings.ReplaceAll(msgs[0].Text+msgs[0].HTML, `\`, "")
			for _, want := range []string{"also reported by apa.az", "adds to a story sent earlier: Azerbaijani police raid Baku office"} {
				if !strings.Contains(text, want) {
					t.Errorf("message lacks %q:\n%s", want, text)
				}
			}
		})
	}
}
