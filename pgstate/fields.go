package pgstate

import (
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/watcher-news/watcher/state"
)

// kept lists, for each state type this store writes, the fields it
// keeps. The state package grows (other features add fields to its
// types); a field this store does not know would be dropped without a
// word, so Commit refuses a value that sets one (ErrNotKept), and a test
// fails until the field has a column here.
var kept = map[reflect.Type][]string{
	reflect.TypeFor[state.Batch](): {"Sources", "Seen", "Touched", "Digest", "More", "DigestSources", "Recent", "Stories", "Archive"},
	reflect.TypeFor[state.Source](): {"Initialized", "ETag", "LastModified", "LastSuccess", "LastAttempt", "LastError",
		"Failures", "NextAttempt", "NotReached", "ArticleTries", "FailingSince", "HealthReported"},
	reflect.TypeFor[state.Digest]():   {"ID", "Created", "Payload", "Sinks", "Merged"},
	reflect.TypeFor[state.Delivery](): {"Delivered", "DeliveredAt", "Attempts", "LastError", "NextAttempt", "Parked", "Held", "MergedInto", "Parts", "SeriesN", "SeriesOf"},
	// Matches and stories are kept whole (as JSON, or their bytes).
}

// ErrNotKept is wrapped by Commit when the batch sets a field of the
// state package's types that this store has no place for yet.
var ErrNotKept = errors.New("not kept by the PostgreSQL store yet")

// notKept names the set fields of v (a struct of a type in kept) that
// this store does not keep.
func notKept(v any) error {
	rv := reflect.ValueOf(v)
	known := kept[rv.Type()]
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if f.IsExported() && !slices.Contains(known, f.Name) && !rv.Field(i).IsZero() {
			return fmt.Errorf("%s.%s: %w", rv.Type(), f.Name, ErrNotKept)
		}
	}
	return nil
}

// checkKept applies notKept to everything b carries.
func checkKept(b state.Batch) error {
	if err := notKept(b); err != nil {
		return err
	}
	for _, src := range b.Sources {
		if err := notKept(src); err != nil {
			return err
		}
	}
	for _, d := range append([]*state.Digest{b.Digest}, b.More...) {
		if d == nil {
			continue
		}
		if err := notKept(*d); err != nil {
			return err
		}
		for _, dl := range d.Sinks {
			if dl == nil {
				continue
			}
			if err := notKept(*dl); err != nil {
				return err
			}
		}
	}
	return nil
}
