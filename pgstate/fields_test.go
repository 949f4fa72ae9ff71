package pgstate

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/watcher-news/watcher/state"
)

// TestEveryFieldKept fails when a state type gains a field this store
// has no column for: add one (a new migration) and list it in kept.
func TestEveryFieldKept(t *testing.T) {
	t.Parallel()
	for typ, known := range kept {
		for i := range typ.NumField() {
			if f := typ.Field(i); f.IsExported() && !slices.Contains(known, f.Name) {
				t.Errorf("%s.%s is not kept by the PostgreSQL store", typ, f.Name)
			}
		}
	}
}

// TestNotKeptIsRefused: a value setting a field the store does not know
// is refused rather than half written. The state types have no such
// field today, so a stand-in table entry plays one.
func TestNotKeptIsRefused(t *testing.T) {
	src := state.Source{Initialized: true, ETag: `"x"`}
	if err := notKept(src); err != nil {
		t.Fatalf("a source of known fields: %v", err)
	}
	typ := reflect.TypeFor[state.Source]()
	saved := kept[typ]
	kept[typ] = slices.DeleteFunc(slices.Clone(saved), func(n string) bool { return n == "ETag" })
	defer func() { kept[typ] = saved }()
	err := checkKept(state.Batch{Sources: map[string]state.Source{"apa": src}})
	if !errors.Is(err, ErrNotKept) || err.Error() != "state.Source.ETag: "+ErrNotKept.Error() {
		t.Errorf("checkKept = %v, want state.Source.ETag not kept", err)
	}
}
