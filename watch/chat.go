package watch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/state"
)

// newChatSinks builds the Slack, Discord, Telegram, Matrix and ntfy sinks,
// in the order config.Alerts.Routes lists them, and records the digest
// policy of each in policies.
func newChatSinks(cfg *config.Config, opts Options, policies map[string]*policy) ([]alert.Notifier, error) {
	co := alert.ChatOptions{Timeout: cfg.Delivery.Timeout, UserAgent: userAgent(cfg, opts.Version)}
	var sinks []alert.Notifier
	add := func(kind string, c config.ChatSink, n alert.Notifier, err error) error {
		if err != nil {
			return fmt.Errorf("%s:%d: %s: %w", cfg.File, c.Line, kind, err)
		}
		pol, _, err := sinkSetup(cfg, c.SinkPolicy, opts.Logger)
		if err != nil {
			return err
		}
		s := named(n, c.Named, c.Name)
		sinks = append(sinks, s)
		policies[s.Name()] = pol
		return nil
	}
	a := cfg.Alerts
	for _, s := range a.Slack {
		n, err := alert.NewSlack(alert.SlackOptions{URL: s.URL, ChatOptions: co})
		if err := add("slack", s.ChatSink, n, err); err != nil {
			return nil, err
		}
	}
	for _, s := range a.Discord {
		n, err := alert.NewDiscord(alert.DiscordOptions{URL: s.URL, ChatOptions: co})
		if err := add("discord", s.ChatSink, n, err); err != nil {
			return nil, err
		}
	}
	for _, s := range a.Telegram {
		n, err := alert.NewTelegram(alert.TelegramOptions{API: s.API, Token: s.Token, Chat: s.Chat, ChatOptions: co})
		if err := add("telegram", s.ChatSink, n, err); err != nil {
			return nil, err
		}
	}
	for _, s := range a.Matrix {
		n, err := alert.NewMatrix(alert.MatrixOptions{Homeserver: s.Homeserver, Room: s.Room, Token: s.Token, ChatOptions: co})
		if err := add("matrix", s.ChatSink, n, err); err != nil {
			return nil, err
		}
	}
	for _, s := range a.Ntfy {
		n, err := alert.NewNtfy(alert.NtfyOptions{URL: s.URL, Token: s.Token, ChatOptions: co})
		if err := add("ntfy", s.ChatSink, n, err); err != nil {
			return nil, err
		}
	}
	return sinks, nil
}

// sinkRoutes maps each sink's name to the topics it takes (nil: all).
// newSinks builds the sinks in the order config.Alerts.Routes lists them.
func sinkRoutes(cfg *config.Config, sinks []alert.Notifier) (map[string][]string, error) {
	routes := cfg.Alerts.Routes()
	out := make(map[string][]string, len(sinks))
	if len(routes) == 0 {
		return out, nil // the standard-output writer takes everything
	}
	if len(routes) != len(sinks) {
		return nil, fmt.Errorf("%s: %d sinks configured but %d built", cfg.File, len(routes), len(sinks))
	}
	for i, s := range sinks {
		prev, dup := out[s.Name()]
		switch {
		case !dup:
			out[s.Name()] = routes[i].Topics
		case len(prev) > 0 && len(routes[i].Topics) > 0:
			// Two entries the watcher names alike (two mail servers for one
			// address) share one delivery record, so they share a route:
			// the topics of both.
			out[s.Name()] = append(slices.Clone(prev), routes[i].Topics...)
		default:
			out[s.Name()] = nil // one of them takes every topic
		}
	}
	return out, nil
}

// routed returns the part of d that a sink taking topics receives: only
// those topics, or all of d when topics is empty.
func routed(d alert.Digest, topics []string) alert.Digest {
	if len(topics) == 0 {
		return d
	}
	out := d
	out.Topics = nil
	for _, t := range d.Topics {
		if slices.Contains(topics, t.ID) {
			out.Topics = append(out.Topics, t)
		}
	}
	return out
}

// sendTo sends d to s, resuming a split digest after the parts the sink
// already accepted and recording each part as it is accepted.
func (w *Watcher) sendTo(ctx context.Context, s alert.Notifier, d alert.Digest, del *state.Delivery) error {
	p, ok := s.(alert.Parted)
	if !ok {
		return s.Send(ctx, d)
	}
	return p.SendFrom(ctx, d, del.Parts, func(parts int) {
		if err := w.store.RecordParts(d.ID, s.Name(), parts); err != nil {
			// Not fatal: a retry would post this part again, once.
			w.log.Warn("record digest parts sent", "sink", s.Name(), "digest", d.ID, "parts", parts, "err", err)
		}
	})
}

// skipRouted marks a pending digest done for a sink whose topics no
// longer take anything in it, so it does not wait for that sink forever.
func (w *Watcher) skipRouted(id, sink string) {
	if _, err := w.store.RecordDelivery(id, sink, nil, time.Time{}, 0); err != nil {
		w.log.Warn("record digest skipped by topics", "sink", sink, "digest", id, "err", err)
		return
	}
	w.log.Info("digest skipped: none of its topics go to this sink", "sink", sink, "digest", id)
}
