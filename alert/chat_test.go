package alert

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert/chattest"
)

// chatCase is one chat service: its local server and a sink posting to it.
type chatCase struct {
	name string
	srv  *chattest.Server
	sink Parted
}

// chatCases starts every service's server and a sink on each, with the
// default options.
func chatCases(t *testing.T) []chatCase {
	t.Helper()
	must := func(p Parted, err error) Parted {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	sl, di, tg, mx, nt := chattest.NewSlack(t), chattest.NewDiscord(t), chattest.NewTelegram(t), chattest.NewMatrix(t), chattest.NewNtfy(t)
	return []chatCase{
		{"slack", sl, must(NewSlack(SlackOptions{URL: sl.HookURL()}))},
		{"discord", di, must(NewDiscord(DiscordOptions{URL: di.HookURL()}))},
		{"telegram", tg, must(NewTelegram(TelegramOptions{API: tg.URL(), Token: tg.Token, Chat: tg.Chat}))},
		{"matrix", mx, must(NewMatrix(MatrixOptions{Homeserver: mx.URL(), Room: mx.Room, Token: mx.Token}))},
		{"ntfy", nt, must(NewNtfy(NtfyOptions{URL: nt.HookURL(), Token: nt.Token}))},
	}
}

// TestChatSinksDeliver sends the test digest to every service once and
// checks what a reader of each would see: every item, linked where its URL
// is safe, the hostile title escaped for that service's markup, the unsafe
// URL not linked, and no token in the sink's name.
func TestChatSinksDeliver(t *testing.T) {
	t.Parallel()
	for _, c := range chatCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if err := c.sink.Send(t.Context(), testDigest()); err != nil {
				t.Fatal(err)
			}
			msgs := c.srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			m := msgs[0]
			for _, want := range []string{"Суд в Екатеринбурге", "Yekaterinburqda saxlanılan azərbaycanlılar", "https://www.reuters.com/world/1000004"} {
				if !strings.Contains(m.Text+m.HTML, want) {
					t.Errorf("message lacks %q:\n%s", want, m.Text)
				}
			}
			if strings.Contains(m.Text+m.HTML, "\u202e") || strings.Contains(m.Text, "\x07") {
				t.Error("message keeps bidi overrides or control characters")
			}
			if strings.Contains(c.sink.Name(), c.srv.Token) {
				t.Errorf("name %q shows the token", c.sink.Name())
			}
			checkMarkup(t, c.name, m)
		})
	}
}

// checkMarkup checks the escaping each service needs, on the test
// digest's hostile item and its safe links.
func checkMarkup(t *testing.T, service string, m chattest.Message) {
	t.Helper()
	has := func(s, what string) {
		t.Helper()
		if !strings.Contains(s, what) {
			t.Errorf("lacks %s:\n%s", what, s)
		}
	}
	hasNot := func(s, what string) {
		t.Helper()
		if strings.Contains(s, what) {
			t.Errorf("has %s:\n%s", what, s)
		}
	}
	switch service {
	case "slack":
		has(m.Text, "&lt;script&gt;")
		has(m.Text, "<https://report.az/en/1000003|")
		hasNot(m.Text, "<javascript:")
	case "discord":
		has(m.Text, `\<script\>alert\("x"\)\</script\>`)
		has(m.Text, "](<https://report.az/en/1000003>)")
		hasNot(m.Text, "(<javascript")
	case "telegram":
		has(m.Text, "&lt;script&gt;")
		has(m.Text, `<a href="https://report.az/en/1000003">`)
		hasNot(m.Text, `href="javascript`)
	case "matrix":
		has(m.HTML, "&lt;script&gt;")
		has(m.HTML, `<a href="https://report.az/en/1000003">`)
		hasNot(m.HTML, `href="javascript`)
		has(m.Text, `<script>alert("x")</script> Baku court`) // plain body: shown as written
	case "ntfy":
		has(m.Text, `<script>alert("x")</script> Baku court`) // plain text: nothing to escape
		hasNot(m.Text, "javascript:")
		has(m.Title, "watcher: 5 new")
	}
}

// TestChatSinksRetryAfterRefusal refuses each service's first message with
// its rate limit (and then a server error) answered in its own format,
// and checks the sink reports a retryable error with the wait the service
// asked for, and that the retry sends the very same request body (for
// Matrix, the same transaction id).
func TestChatSinksRetryAfterRefusal(t *testing.T) {
	t.Parallel()
	wantWait := map[string]time.Duration{"slack": 7 * time.Second, "discord": 7 * time.Second, "telegram": 7 * time.Second, "matrix": 7 * time.Second, "ntfy": 0}
	for _, c := range chatCases(t) {
		t.Run(c.name, func(t *testing.T) {
			c.srv.RefuseNext(chattest.Refusal{Status: 429, RetryAfter: 7}, chattest.Refusal{Status: 503})
			d := testDigest()
			err := c.sink.Send(t.Context(), d)
			if !Retryable(err) || RetryAfter(err) != wantWait[c.name] {
				t.Fatalf("after 429: err %v, retryable %v, wait %s; want retryable, wait %s", err, Retryable(err), RetryAfter(err), wantWait[c.name])
			}
			if err := c.sink.Send(t.Context(), d); !Retryable(err) || !strings.Contains(err.Error(), "503") {
				t.Fatalf("after 503: %v, want a retryable error naming 503", err)
			}
			if err := c.sink.Send(t.Context(), d); err != nil {
				t.Fatalf("third try: %v", err)
			}
			refused, got := c.srv.Refused(), c.srv.Messages()
			if len(refused) != 2 || len(got) != 1 {
				t.Fatalf("%d refused, %d accepted; want 2 and 1", len(refused), len(got))
			}
			for _, r := range refused {
				if string(r.Body) != string(got[0].Body) || r.TxnID != got[0].TxnID {
					t.Errorf("retry differs:\nrefused  %s %s\naccepted %s %s", r.TxnID, r.Body, got[0].TxnID, got[0].Body)
				}
			}
		})
	}
}

// TestChatSinksPermanentRefusal checks that a refusal retrying cannot mend
// (a wrong token) is not retryable, and that the error shows no token.
func TestChatSinksPermanentRefusal(t *testing.T) {
	t.Parallel()
	sl, tg, mx, nt := chattest.NewSlack(t), chattest.NewTelegram(t), chattest.NewMatrix(t), chattest.NewNtfy(t)
	di := chattest.NewDiscord(t)
	const wrong = "wrong-token-0000"
	sinks := []Notifier{
		must(NewSlack(SlackOptions{URL: strings.Replace(sl.HookURL(), sl.Token, wrong, 1)})),
		must(NewDiscord(DiscordOptions{URL: strings.Replace(di.HookURL(), di.Token, wrong, 1)})),
		must(NewTelegram(TelegramOptions{API: tg.URL(), Token: wrong, Chat: tg.Chat})),
		must(NewMatrix(MatrixOptions{Homeserver: mx.URL(), Room: mx.Room, Token: wrong})),
		must(NewNtfy(NtfyOptions{URL: nt.HookURL(), Token: wrong})),
	}
	for _, s := range sinks {
		err := s.Send(t.Context(), testDigest())
		if err == nil || Retryable(err) {
			t.Errorf("%s: %v, want a permanent error", s.Name(), err)
			continue
		}
		if strings.Contains(err.Error(), wrong) {
			t.Errorf("%s: error shows the token: %v", s.Name(), err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestTelegramTokenNotInNetworkError checks a failed connection, whose
// error from net/http would quote the URL and so the bot token, is
// reported retryable and without it.
func TestTelegramTokenNotInNetworkError(t *testing.T) {
	t.Parallel()
	tg := chattest.NewTelegram(t)
	api := tg.URL()
	tg.Close()
	s := must(NewTelegram(TelegramOptions{API: api, Token: tg.Token, Chat: tg.Chat}))
	err := s.Send(t.Context(), testDigest())
	if !Retryable(err) {
		t.Fatalf("closed server: %v, want retryable", err)
	}
	if strings.Contains(err.Error(), tg.Token) || strings.Contains(err.Error(), "tg-bot-token") {
		t.Errorf("error shows the token: %v", err)
	}
}

// linkRE finds longDigest's links, whole: a link cut short does not match.
var linkRE = regexp.MustCompile(`https://example\.org/news/[0-9]{3}/(?:sputnik-azerbaijan-){5}x`)

// TestChatSinksSplit sends a digest far over every service's limit (each
// server refuses a message over it, as the service does) and checks it
// arrives as several messages, numbered, each item once and in order,
// no link cut.
func TestChatSinksSplit(t *testing.T) {
	t.Parallel()
	d := longDigest(100)
	var want []string
	for _, e := range d.Sorted().Topics[0].Items {
		want = append(want, e.URL)
	}
	for _, c := range chatCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if err := c.sink.Send(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			msgs := c.srv.Messages()
			if len(msgs) < 2 {
				t.Fatalf("%d messages, want the digest split", len(msgs))
			}
			var got []string
			for i, m := range msgs {
				label := fmt.Sprintf("part %d of %d", i+1, len(msgs))
				if !strings.Contains(m.Text+m.Title, label) {
					t.Errorf("message %d lacks %q", i+1, label)
				}
				got = append(got, linkRE.FindAllString(m.Text, -1)...)
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("links across the parts:\n got %d %q\nwant %d", len(got), got, len(want))
			}
			if c.sink.Parts(d) != len(msgs) {
				t.Errorf("Parts = %d, sent %d", c.sink.Parts(d), len(msgs))
			}
		})
	}
}

// longDigest has one topic of n items with long titles and snippets in
// Cyrillic (two bytes a letter) and long URLs, so that each service's
// limit is passed however it counts.
func longDigest(n int) Digest {
	items := make([]Entry, n)
	for i := range items {
		items[i] = Entry{
			Title:     fmt.Sprintf("%03d ", i) + strings.Repeat("Картавых и Белоусов: суд в Баку ", 8),
			URL:       fmt.Sprintf("https://example.org/news/%03d/", i) + strings.Repeat("sputnik-azerbaijan-", 5) + "x",
			Source:    "Trend",
			Published: t0.Add(-time.Duration(i) * time.Minute),
			Snippet:   strings.Repeat("Директор агентства Игорь Картавых получил пять лет. ", 8),
		}
	}
	return Digest{ID: "long-digest", Created: t0, Topics: []Topic{{ID: "sputnik", Title: "Sputnik Azerbaijan detainees", Items: items}}}
}

// TestChatSinksResume fails the second part of a split digest and checks
// the sink reports the first part accepted, and that resuming from there
// sends the rest without posting the first again. For Matrix it also
// resends the whole digest, as a retry that lost its progress would, and
// checks the homeserver posts nothing twice: the transaction ids repeat.
func TestChatSinksResume(t *testing.T) {
	t.Parallel()
	d := longDigest(100)
	for _, c := range chatCases(t) {
		t.Run(c.name, func(t *testing.T) {
			n := c.sink.Parts(d)
			c.srv.AcceptThenRefuse(1, chattest.Refusal{Status: 502})
			done := 0
			err := c.sink.SendFrom(t.Context(), d, 0, func(p int) { done = p })
			if !Retryable(err) || done != 1 || !strings.Contains(err.Error(), fmt.Sprintf("part 2 of %d", n)) {
				t.Fatalf("first try: done %d, err %v; want 1 part done and a retryable error on part 2 of %d", done, err, n)
			}
			if err := c.sink.SendFrom(t.Context(), d, done, func(p int) { done = p }); err != nil || done != n {
				t.Fatalf("resume: done %d of %d, err %v", done, n, err)
			}
			msgs := c.srv.Messages()
			if len(msgs) != n {
				t.Fatalf("%d messages accepted, want %d: one per part", len(msgs), n)
			}
			for i, m := range msgs {
				if want := fmt.Sprintf("part %d of %d", i+1, n); !strings.Contains(m.Text+m.Title, want) {
					t.Errorf("message %d is not %q", i+1, want)
				}
			}
			if c.name != "matrix" {
				return
			}
			if err := c.sink.Send(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			if got := len(c.srv.Messages()); got != n || c.srv.Repeats() != n {
				t.Errorf("after a full resend: %d events, %d repeats; want %d and %d", got, c.srv.Repeats(), n, n)
			}
			for i, m := range msgs {
				if m.TxnID != MatrixTxnID(d.ID, i) {
					t.Errorf("part %d txn id %q, want %q", i+1, m.TxnID, MatrixTxnID(d.ID, i))
				}
			}
		})
	}
}

// TestChatItemTooLong sends an item whose link alone is longer than a
// Discord message: it goes out with its title and without the link, and
// no piece of the link is left in the message.
func TestChatItemTooLong(t *testing.T) {
	t.Parallel()
	srv := chattest.NewDiscord(t)
	s := must(NewDiscord(DiscordOptions{URL: srv.HookURL()}))
	long := "https://example.org/very-long/" + strings.Repeat("a", 2500)
	d := Digest{ID: "too-long", Created: t0, Topics: []Topic{{ID: "azal", Title: "AZAL", Items: []Entry{
		{Title: "Short title", URL: long, Source: "Trend", Published: t0},
		{Title: "Next item", URL: "https://example.org/next", Source: "Trend", Published: t0.Add(-time.Minute)},
	}}}}
	if err := s.Send(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	var all string
	for _, m := range srv.Messages() {
		all += m.Text
	}
	if strings.Contains(all, "very-long") || !strings.Contains(all, "Short title") || !strings.Contains(all, "(<https://example.org/next>)") {
		t.Errorf("messages:\n%s", all)
	}
}

// TestChatShortRateLimitWaitedOut: a rate limit that asks for a second,
// met midway through a split digest, is waited out within the send,
// which then goes on with the same part: every part arrives once, in one
// call.
func TestChatShortRateLimitWaitedOut(t *testing.T) {
	t.Parallel()
	srv := chattest.NewDiscord(t)
	s := must(NewDiscord(DiscordOptions{URL: srv.HookURL()}))
	d := longDigest(10)
	srv.AcceptThenRefuse(2, chattest.Refusal{Status: 429, RetryAfter: 1})
	if err := s.Send(t.Context(), d); err != nil {
		t.Fatalf("send: %v, want the short wait waited out", err)
	}
	msgs, refused := srv.Messages(), srv.Refused()
	if len(msgs) != s.Parts(d) || len(refused) != 1 || string(refused[0].Body) != string(msgs[2].Body) {
		t.Errorf("%d messages of %d parts, %d refused; want every part once and the refused one resent as it was", len(msgs), s.Parts(d), len(refused))
	}
}
