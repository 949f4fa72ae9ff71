package watch

import (
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/state"
)

// A sink's name is the identity its pending and parked digests are kept
// under. A sink given a name: in the configuration is known by that name,
// so its URL or recipients can change and its digests follow. Without
// one, it is known by its type and address ("webhook https://host/path",
// "email a@example.org"), as in state files from before names counted;
// changing the address makes it a new sink, and reroute hands the old
// one's pending digests to it.

// namedSink is a notifier known by the name the configuration gave it.
type namedSink struct {
	alert.Notifier
	name string
}

// Name returns the configured name.
func (s namedSink) Name() string { return s.name }

// namedParted is a namedSink whose notifier sends a digest in parts (a
// chat sink): the wrapper keeps the Parted methods visible, so that the
// outbox still records each part the service accepts.
type namedParted struct {
	alert.Parted
	name string
}

// Name returns the configured name.
func (s namedParted) Name() string { return s.name }

// named wraps n in its configured name when the file gave one.
func named(n alert.Notifier, given bool, name string) alert.Notifier {
	if !given {
		return n
	}
	if p, ok := n.(alert.Parted); ok {
		return namedParted{Parted: p, name: name}
	}
	return namedSink{Notifier: n, name: name}
}

// addressName is the name s has without a name: given: its type and
// address.
func addressName(s alert.Notifier) string {
	switch n := s.(type) {
	case namedSink:
		return n.Notifier.Name()
	case namedParted:
		return n.Parted.Name()
	}
	return s.Name()
}

// SinkNames lists the names the configured sinks keep their digests
// under, in configuration order ("writer" when none is configured).
func SinkNames(cfg *config.Config) ([]string, error) {
	sinks, _, err := newSinks(cfg, Options{Stdout: io.Discard, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(sinks))
	for i, s := range sinks {
		names[i] = s.Name()
	}
	return names, nil
}

// reroute hands a pending digest that waits for sinks no longer
// configured to the configured sinks that do not have it yet, once: the
// old entries are replaced in one write, so it is sent to each new sink
// once and never to the old one. A sink that had its own share of the
// same crawl (another stored digest of it: with routing by topic, or
// immediate topics, a crawl stores one digest per set of topics) is not
// one that lacks it: it got those items, or did not take them. When every
// configured sink already has the digest, the old entries are only
// dropped. Both are logged loudly. A parked delivery stays as it is, for
// the operator. stored lists every stored digest; it is read only when
// the digest waits for a sink that is gone.
func (w *Watcher) reroute(pd state.Digest, stored func() ([]state.Digest, error)) (state.Digest, error) {
	configured := make([]string, len(w.sinks))
	for i, s := range w.sinks {
		configured[i] = s.Name()
	}
	var gone, to []string
	for name, del := range pd.Sinks {
		if !del.Delivered && !del.Parked && !slices.Contains(configured, name) {
			gone = append(gone, name)
		}
	}
	if len(gone) == 0 {
		return pd, nil
	}
	slices.Sort(gone)
	all, err := stored()
	if err != nil {
		return pd, err
	}
	shared := crawlShares(pd, all)
	for _, name := range configured {
		if _, has := pd.Sinks[name]; !has && !shared[name] {
			to = append(to, name)
		}
	}
	d, err := w.store.Reroute(pd.ID, gone, to)
	if err != nil {
		return pd, err
	}
	// A sink given a name: at the same address posts where the gone one
	// did: the parts of a split digest it accepted count for it, so the
	// rest follows from the next part and none is posted twice.
	for _, s := range w.sinks {
		old := pd.Sinks[addressName(s)]
		if old == nil || old.Parts == 0 || !slices.Contains(to, s.Name()) {
			continue
		}
		if err := w.store.RecordParts(pd.ID, s.Name(), old.Parts); err != nil {
			return d, err
		}
		d.Sinks[s.Name()].Parts = old.Parts
	}
	if len(to) == 0 {
		w.log.Warn("pending digest waited for sinks no longer configured; every configured sink already has it, so they are dropped",
			"digest", pd.ID, "gone", gone)
	} else {
		w.log.Warn("pending digest waited for sinks no longer configured; sending it to the configured sinks that lack it instead",
			"digest", pd.ID, "gone", gone, "to", to)
	}
	return d, nil
}

// crawlShares names the sinks of the other stored digests made by the
// crawls pd holds (the crawl that made it, or for a gathered digest the
// crawls of the digests it gathers, those included: a sink without a
// schedule shares a crawl's digest with one that holds it): each of them
// had its own share of those crawls' items.
func crawlShares(pd state.Digest, all []state.Digest) map[string]bool {
	byID := make(map[string]state.Digest, len(all))
	for _, d := range all {
		byID[d.ID] = d
	}
	made := map[time.Time]bool{}
	if len(pd.Merged) == 0 {
		made[pd.Created] = true
	}
	for _, id := range pd.Merged {
		if d, ok := byID[id]; ok {
			made[d.Created] = true
		}
	}
	shared := map[string]bool{}
	for _, d := range all {
		if d.ID == pd.ID || !made[d.Created] {
			continue
		}
		for name := range d.Sinks {
			shared[name] = true
		}
	}
	return shared
}
