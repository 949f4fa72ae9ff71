package watch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/crawl"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/state"
)

// Newness says what a cycle would make of a previewed item.
type Newness string

// The newness of a previewed item.
const (
	// ItemNew: not seen before; a cycle would match it and, if it matches, send it.
	ItemNew Newness = "new"
	// ItemSeen: a cycle recorded it before; it would be left alone.
	ItemSeen Newness = "seen"
	// ItemFirstRead: the source was never read; a cycle would record the item
	// without alerting (unless backfill covers its date).
	ItemFirstRead Newness = "first read"
	// ItemUnknown: the state could not be read (a running watcher holds it).
	ItemUnknown Newness = "unknown"
)

// PreviewItem is one item a source yields now, and what a cycle would do
// with it.
type PreviewItem struct {
	Item    item.Item
	Key     string
	Newness Newness
	// Topics are the ids of the topics the item matches.
	Topics []string
	// WouldSend says a cycle would put it in a digest: new (or within the
	// backfill on a first read) and matching a topic.
	WouldSend bool
	// Pending, when set, says the item's article page was not read, and why.
	Pending error
}

// PreviewState is what FetchSource knows of the state file.
type PreviewState struct {
	// Store is the state opened read-only, or nil when it cannot be read
	// (a running watcher holds it): newness is then unknown.
	Store Store
	// NoFile says there is no state file yet: every source is on its
	// first read.
	NoFile bool
}

// SourcePreview is what a source yields now.
type SourcePreview struct {
	Source config.Source
	Items  []PreviewItem
}

// FetchSource fetches one source as a cycle would, but with no
// validators (so that an unchanged feed still shows its items) and
// without writing anything. st tells which items are new.
// A source that is not in the configuration may be given: its host is
// then allowed through the address guard, as the operator named it. A
// fetch failure is returned as an error naming the source.
func FetchSource(ctx context.Context, cfg *config.Config, src config.Source, st PreviewState, opts Options) (SourcePreview, error) {
	store := st.Store
	c := *cfg
	if !slices.ContainsFunc(cfg.Sources, func(s config.Source) bool { return s.Name == src.Name }) {
		c.Sources = append(slices.Clip(cfg.Sources), src)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	fetcher, err := newFetcher(&c, opts)
	if err != nil {
		return SourcePreview{}, fmt.Errorf("build fetcher: %w", err)
	}
	matcher, err := CompileTopics(cfg)
	if err != nil {
		return SourcePreview{}, err
	}
	var prev state.Source
	seen := func([]string) (map[string]bool, error) { return nil, nil }
	if store != nil {
		if prev, err = store.Source(src.Name); err != nil {
			return SourcePreview{}, err
		}
		seen = func(keys []string) (map[string]bool, error) { return store.SeenKeys(src.Name, keys) }
	}
	// What a cycle would read: on a first read (or when newness is
	// unknown) no article pages and no older Telegram pages, otherwise
	// those of the items not seen.
	known := func(string) bool { return true }
	if store != nil && prev.Initialized {
		known = func(k string) bool {
			s, err := seen([]string{k})
			return err == nil && s[k]
		}
	}
	res := fetcher.Fetch(ctx, toCrawlSource(src), crawl.Validators{}, known)
	if res.Err != nil {
		return SourcePreview{Source: src}, res.Err
	}
	keys := make([]string, len(res.Items))
	for i, it := range res.Items {
		keys[i] = it.Key()
	}
	seenKeys, err := seen(keys)
	if err != nil {
		return SourcePreview{}, err
	}
	now := opts.Now()
	p := SourcePreview{Source: src, Items: make([]PreviewItem, len(res.Items))}
	for i, it := range res.Items {
		pi := PreviewItem{Item: it, Key: keys[i], Pending: res.Pending[keys[i]]}
		switch {
		case store == nil && !st.NoFile:
			pi.Newness = ItemUnknown
		case !prev.Initialized:
			pi.Newness = ItemFirstRead
		case seenKeys[keys[i]]:
			pi.Newness = ItemSeen
		default:
			pi.Newness = ItemNew
		}
		for _, h := range matcher.Match(matchItem(it)) {
			pi.Topics = append(pi.Topics, h.Topic)
		}
		backfilled := pi.Newness == ItemFirstRead && cfg.Backfill > 0 && !it.DateGuessed && now.Sub(it.Published) <= cfg.Backfill
		pi.WouldSend = len(pi.Topics) > 0 && (pi.Newness == ItemNew || backfilled)
		p.Items[i] = pi
	}
	return p, nil
}
