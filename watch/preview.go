package watch

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
)

// Preview is the digest `watcher preview` shows.
type Preview struct {
	Digest alert.Digest
	// Pending is true when Digest gathers what waits for delivery (held
	// for a schedule, or not yet accepted); false when nothing waits and
	// Digest is the one delivered last.
	Pending bool
	// Stored counts the stored digests it gathers; Sinks names the sinks
	// they wait for.
	Stored int
	Sinks  []string
	// Routed is true when the sinks it waits for take different topics
	// (topics:), so none of them gets all of Digest.
	Routed bool
}

// NextDigest works out, without writing anything, the next digest: every
// item that waits for some sink (held for its schedule or not yet
// accepted; parked ones are left to the operator), each once. With none,
// it is the digest delivered last, and ok is false if there is none of
// that either.
func NextDigest(cfg *config.Config, store Store, now time.Time) (p Preview, ok bool, err error) {
	routes, err := previewRoutes(cfg)
	if err != nil {
		return Preview{}, false, err
	}
	p, ok, err = nextDigest(cfg, store, now, "", nil)
	if !ok || err != nil {
		return p, ok, err
	}
	for _, name := range p.Sinks[min(1, len(p.Sinks)):] {
		if !slices.Equal(routes[name], routes[p.Sinks[0]]) {
			p.Routed = true
		}
	}
	return p, true, nil
}

// NextDigestFor is NextDigest for one sink: what waits for it, as it will
// get it (its topics only); ok is false when nothing waits for it. A name
// no sink has is an error wrapping ErrNoSink that names the sinks.
func NextDigestFor(cfg *config.Config, store Store, now time.Time, sink string) (p Preview, ok bool, err error) {
	routes, err := previewRoutes(cfg)
	if err != nil {
		return Preview{}, false, err
	}
	route, known := routes[sink]
	if !known {
		return Preview{}, false, fmt.Errorf("%w %q in %s; the sinks are: %s", ErrNoSink, sink, cfg.File,
			strings.Join(slices.Sorted(maps.Keys(routes)), ", "))
	}
	return nextDigest(cfg, store, now, sink, route)
}

// previewRoutes maps each configured sink's name to its topics (nil: all).
func previewRoutes(cfg *config.Config) (map[string][]string, error) {
	sinks, _, err := newSinks(cfg, Options{Stdout: io.Discard, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	routes, err := sinkRoutes(cfg, sinks)
	if err != nil {
		return nil, err
	}
	for _, s := range sinks {
		if _, ok := routes[s.Name()]; !ok {
			routes[s.Name()] = nil // the standard-output writer
		}
	}
	return routes, nil
}

// nextDigest gathers what waits: for every sink, or for sink alone (then
// routed to its topics, and nothing delivered before is shown instead).
func nextDigest(cfg *config.Config, store Store, now time.Time, sink string, route []string) (p Preview, ok bool, err error) {
	pending, err := store.Pending()
	if err != nil {
		return Preview{}, false, fmt.Errorf("read pending digests: %w", err)
	}
	var parts []alert.Digest
	var ids []string
	sinks := map[string]bool{}
	for _, pd := range pending {
		if del := pd.Sinks[sink]; sink != "" && (del == nil || del.Delivered || del.Parked) {
			continue
		}
		var d alert.Digest
		if err := json.Unmarshal(pd.Payload, &d); err != nil {
			continue // unreadable: the next cycle parks it
		}
		if sink != "" {
			d = d.For(sink)
		}
		parts = append(parts, routed(d, route))
		ids = append(ids, pd.ID)
		for name, del := range pd.Sinks {
			if !del.Delivered && !del.Parked && (sink == "" || name == sink) {
				sinks[name] = true
			}
		}
	}
	if len(parts) > 0 {
		d := MergeDigests(cfg, derivedID(now, ids), now.UTC(), parts)
		d = dedupe(d)
		return Preview{Digest: d, Pending: true, Stored: len(parts), Sinks: slices.Sorted(maps.Keys(sinks))}, true, nil
	}
	if sink != "" {
		return Preview{}, false, nil
	}
	last, found, err := store.LastDelivered()
	if err != nil || !found {
		return Preview{}, false, err
	}
	var d alert.Digest
	if err := json.Unmarshal(last.Payload, &d); err != nil {
		return Preview{}, false, fmt.Errorf("digest %s: stored payload unreadable: %w", last.ID, err)
	}
	return Preview{Digest: d, Stored: 1}, true, nil
}

// dedupe drops repeated items within each topic: what a sink with a
// schedule waits for may also wait, in another stored digest, for a sink
// without one.
func dedupe(d alert.Digest) alert.Digest {
	type report struct {
		title, url, source string
		published          time.Time
	}
	for i, t := range d.Topics {
		seen := map[report]bool{}
		items := t.Items[:0:0]
		for _, e := range t.Items {
			if k := (report{e.Title, e.URL, e.Source, e.Published}); !seen[k] {
				seen[k] = true
				items = append(items, e)
			}
		}
		d.Topics[i].Items = items
	}
	return d
}

// Templates parses the top-level templates, for a preview; nil when the
// configuration names none.
func Templates(cfg *config.Config) (*alert.Templates, error) {
	if cfg.Templates == nil {
		return nil, nil
	}
	t, err := alert.ParseTemplates(cfg.Templates.Text, cfg.Templates.HTML, nil)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: templates: %w", cfg.File, cfg.Templates.Line, err)
	}
	return t, nil
}
