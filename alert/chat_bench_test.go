package alert

import (
	"testing"

	"github.com/watcher-news/watcher/alert/chattest"
)

// BenchmarkChatSplit measures cutting a digest into each service's
// messages: the fixture, and a full topic (100 long items) that every
// service must split.
func BenchmarkChatSplit(b *testing.B) {
	formats := []struct {
		name string
		f    format
	}{
		{"slack", slackFormat}, {"discord", discordFormat}, {"telegram", telegramFormat},
		{"matrix", matrixFormat}, {"ntfy", ntfyFormat},
	}
	for _, d := range []struct {
		name string
		d    Digest
	}{{"fixture-5", testDigest()}, {"long-100", longDigest(100)}} {
		for _, f := range formats {
			b.Run(d.name+"/"+f.name, func(b *testing.B) {
				b.ReportAllocs()
				parts := 0
				for b.Loop() {
					parts = len(f.f.split(d.d))
				}
				b.ReportMetric(float64(parts), "parts")
			})
		}
	}
}

// BenchmarkChatSend measures one whole delivery over a real socket to
// the local Telegram server: the fixture digest as one message.
func BenchmarkChatSend(b *testing.B) {
	srv := chattest.NewTelegram(b)
	s, err := NewTelegram(TelegramOptions{API: srv.URL(), Token: srv.Token, Chat: srv.Chat})
	if err != nil {
		b.Fatal(err)
	}
	d := testDigest()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Send(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
}
