package watch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
)

// ErrNoSink is wrapped by TestSink when no configured sink has the name.
var ErrNoSink = errors.New("no such sink")

// TestSink sends a short test message to the configured sink called name
// (its name: in the file, or the name the watcher logs it by), now and
// directly: not through the outbox, so nothing is stored or retried. It
// returns the sink's logged name and the send's error.
func TestSink(ctx context.Context, cfg *config.Config, name string, opts Options) (string, error) {
	sinks, _, err := newSinks(cfg, opts)
	if err != nil {
		return "", err
	}
	routes := cfg.Alerts.Routes()
	var known []string
	for i, r := range routes {
		s := sinks[i]
		if r.Name == name || s.Name() == name {
			if opts.Now == nil {
				opts.Now = time.Now
			}
			sctx, cancel := context.WithTimeoutCause(ctx, cfg.Delivery.Timeout,
				fmt.Errorf("%s: timeout after %s", s.Name(), cfg.Delivery.Timeout))
			defer cancel()
			return s.Name(), s.Send(sctx, testDigest(opts.Now(), s.Name()))
		}
		known = append(known, fmt.Sprintf("%q", r.Name))
	}
	if len(known) == 0 {
		return "", fmt.Errorf("%s: %w %q: no sinks are configured", cfg.File, ErrNoSink, name)
	}
	return "", fmt.Errorf("%s: %w %q (the sinks are %s)", cfg.File, ErrNoSink, name, strings.Join(known, ", "))
}

// testDigest is the message test-sink sends: one item that says what it
// is. Its id is new each time, so a receiver that drops repeated ids
// shows every test.
func testDigest(now time.Time, sink string) alert.Digest {
	now = now.UTC()
	return alert.Digest{
		ID:      fmt.Sprintf("test-%d", now.UnixMilli()),
		Created: now,
		Topics: []alert.Topic{{ID: "test", Title: "watcher test message", Items: []alert.Entry{{
			Title:     "If you can read this, the watcher can post to " + sink,
			URL:       "https://github.com/watcher-news/watcher",
			Source:    "watcher test-sink",
			Published: now,
			Snippet:   "Sent by watcher test-sink. Digests of new items matching your topics will arrive here.",
		}}}},
	}
}
