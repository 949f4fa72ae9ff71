package watch_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert/chattest"
)

// telegramDesk configures a Telegram sink named desk, posting to srv,
// taking the Sputnik case only, on a morning digest.
func telegramDesk(srv *chattest.Server) string {
	return fmt.Sprintf("alerts:\n  telegram:\n    - name: desk\n      token: %q\n      chat: %q\n      api: %s\n"+
		"      topics: [sputnik-detainees]\n      digest:\n        schedule: \"0 8 * * *\"\n", srv.Token, srv.Chat, srv.URL())
}

// TestMorningChatDigestResumesAfterTokenChange: a Telegram desk takes the
// Sputnik case at 08:00. A day's crawls gather enough for several
// messages, with the ruling reported by three outlets over two crawls.
// At 08:00 Telegram accepts the first part and then rate-limits; the desk
// then moves to a new bot token. The rest goes out through the new bot,
// from the second part: every report once, none of the other topic, the
// ruling one entry with its other reports named.
func TestMorningChatDigestResumesAfterTokenChange(t *testing.T) {
	en, ru, oc, site := newSite(t), newSite(t), newSite(t), newSite(t)
	oldBot, newBot := chattest.NewTelegram(t), chattest.NewTelegram(t)
	newBot.Chat = oldBot.Chat // the same chat; only the bot's token changes
	src := "timezone: UTC\n" + sources(
		feedSource("reuters.com", en.url("/feed.xml")),
		feedSource("interfax.ru", ru.url("/feed.xml")),
		feedSource("oc-media.org", oc.url("/feed.xml")),
		feedSource("site", site.url("/feed.xml")),
	)
	e := newEnv(t, src+telegramDesk(oldBot))
	e.mustCycle() // 10:00, the silent first read
	var want []string
	e.until(at("2025-07-02T07:00:00Z"), time.Hour, func(now time.Time) {
		var batch []story
		for i := range 4 {
			id := fmt.Sprintf("k%02d%d", now.Hour(), i)
			batch = append(batch, story{ID: id, Title: "Kartavykh hearing, report " + id + strings.Repeat(" with a long headline", 4),
				Summary: strings.Repeat("The court sat again and heard the defence. ", 5), Published: now}, safarov("s"+id, now))
			want = append(want, site.url("/article/"+id))
		}
		site.publish(batch...)
		switch now.Hour() {
		case 11:
			en.publish(rulingEN)
			ru.publish(rulingRU)
		case 12:
			oc.publish(rulingLater)
		}
	}, nil)
	want = append(want, ru.url("/article/ru-ruling"))
	if n := len(oldBot.Messages()); n != 0 {
		t.Fatalf("%d messages before 08:00, want none", n)
	}

	oldBot.AcceptThenRefuse(1, chattest.Refusal{Status: 429, RetryAfter: 30})
	if _, err := e.cycleAfter(time.Hour); err == nil || !e.clock.Now().Equal(at("2025-07-02T08:00:00Z")) {
		t.Fatalf("the 08:00 cycle at %s reported no error for the rate limit", e.clock.Now())
	}
	if len(oldBot.Messages()) != 1 || len(oldBot.Refused()) != 1 {
		t.Fatalf("at 08:00 the old bot accepted %d and refused %d messages, want 1 and 1", len(oldBot.Messages()), len(oldBot.Refused()))
	}
	e.reconfigure(src + telegramDesk(newBot))
	e.until(at("2025-07-02T10:00:00Z"), time.Hour, nil, nil)

	msgs := append(oldBot.Messages(), newBot.Messages()...)
	if len(msgs) < 3 {
		t.Fatalf("%d messages in all, want a digest split in 3 or more: the test would prove little", len(msgs))
	}
	checkParts(t, "telegram", msgs)
	got := links(msgs)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the desk got %d links, want %d, each once:\n got %q\nwant %q", len(got), len(want), got, want)
	}
	text := ""
	for _, m := range msgs {
		text += m.Text
	}
	if strings.Contains(text, "Safarov") {
		t.Error("the desk got the Yekaterinburg case, which it does not take")
	}
	for _, s := range []string{"also reported by reuters.com, oc-media.org"} {
		if !strings.Contains(text, s) {
			t.Errorf("the messages lack %q", s)
		}
	}
	if p, err := e.store.Pending(); err != nil || len(p) != 0 {
		t.Errorf("pending after the morning digest: %d, %v; want none", len(p), err)
	}
}

// TestHalfSentChatDigestSurvivesTopicsChange: a Telegram desk taking both
// topics gets a digest too long for one message; Telegram accepts the
// first part, then rate-limits. Meanwhile the editor narrows the desk to
// the Yekaterinburg case. The rest of the digest goes out as it was cut,
// from the second part: no item of the topic it still takes is lost to a
// digest cut anew, which the parts count no longer fits.
func TestHalfSentChatDigestSurvivesTopicsChange(t *testing.T) {
	site := newSite(t)
	bot := chattest.NewTelegram(t)
	src := "timezone: UTC\n" + sources(feedSource("site", site.url("/feed.xml")))
	desk := func(topics string) string {
		return fmt.Sprintf("alerts:\n  telegram:\n    - name: desk\n      token: %q\n      chat: %q\n      api: %s\n%s",
			bot.Token, bot.Chat, bot.URL(), topics)
	}
	e := newEnv(t, src+desk(""))
	e.mustCycle() // the silent first read
	var stories []story
	var want []string
	long := strings.Repeat("The court sat again and heard the defence at length. ", 4)
	for i := range 25 {
		k, s := fmt.Sprintf("k%02d", i), fmt.Sprintf("s%02d", i)
		stories = append(stories,
			story{ID: k, Title: "Kartavykh hearing, report " + k, Summary: long, Published: e.clock.Now()},
			story{ID: s, Title: "Safarov case, report " + s, Summary: long, Published: e.clock.Now()})
		want = append(want, site.url("/article/"+s))
	}
	site.publish(stories...)
	bot.AcceptThenRefuse(1, chattest.Refusal{Status: 429, RetryAfter: 30})
	if _, err := e.cycle(); err == nil || len(bot.Messages()) != 1 {
		t.Fatalf("first delivery: err %v, %d messages; want the first part accepted, then a rate limit", err, len(bot.Messages()))
	}
	e.reconfigure(src + desk("      topics: [yekaterinburg-case]\n"))
	e.mustCycle()
	e.mustCycle()
	msgs := bot.Messages()
	if len(msgs) < 2 {
		t.Fatalf("%d messages, want the digest's 2 parts or more", len(msgs))
	}
	checkParts(t, "telegram", msgs)
	got := map[string]int{}
	for _, l := range links(msgs) {
		got[l]++
	}
	for _, u := range want {
		if got[u] != 1 {
			t.Errorf("%s delivered %d times, want once", u, got[u])
		}
	}
}

// TestNamingHalfSentChatSinkKeepsItsParts: a Telegram sink without a name
// has sent the first part of a long digest when Telegram rate-limits it;
// the editor then gives it a name: (as the README advises), the same bot
// and chat. The rest goes to the same chat from the second part: the
// first is not posted again.
func TestNamingHalfSentChatSinkKeepsItsParts(t *testing.T) {
	site := newSite(t)
	bot := chattest.NewTelegram(t)
	src := "timezone: UTC\n" + sources(feedSource("site", site.url("/feed.xml")))
	sink := func(name string) string {
		return fmt.Sprintf("alerts:\n  telegram:\n    - %stoken: %q\n      chat: %q\n      api: %s\n", name, bot.Token, bot.Chat, bot.URL())
	}
	e := newEnv(t, src+sink(""))
	e.mustCycle() // the silent first read
	var stories []story
	var want []string
	for i := range 40 {
		id := fmt.Sprintf("k%02d", i)
		stories = append(stories, story{ID: id, Title: "Kartavykh hearing, report " + id + strings.Repeat(" with a long headline", 4),
			Summary: strings.Repeat("The court sat again and heard the defence. ", 5), Published: e.clock.Now()})
		want = append(want, site.url("/article/"+id))
	}
	site.publish(stories...)
	bot.AcceptThenRefuse(1, chattest.Refusal{Status: 429, RetryAfter: 30})
	if _, err := e.cycle(); err == nil || len(bot.Messages()) != 1 {
		t.Fatalf("first delivery: err %v, %d messages; want the first part accepted, then a rate limit", err, len(bot.Messages()))
	}
	e.reconfigure(src + sink("name: desk\n      "))
	e.mustCycle()
	e.mustCycle()
	msgs := bot.Messages()
	if len(msgs) < 3 {
		t.Fatalf("%d messages, want a digest of 3 parts or more: the test would prove little", len(msgs))
	}
	checkParts(t, "telegram", msgs)
	got := links(msgs)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the chat got %d links, want %d, each once", len(got), len(want))
	}
}
