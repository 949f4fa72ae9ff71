package watch

import (
	"time"

	"github.com/watcher-news/watcher/state"
)

// Store is the state a Watcher keeps between cycles: exactly what the
// cycle, the preview and cmd/watcher call. Two real stores satisfy it:
// *state.Store (a bbolt file) and, through PGStore, *pgstate.Store
// (PostgreSQL, for several watchers on one database). Both keep the same
// types with the same meaning; a conformance test in pgstate drives both
// through the same steps.
type Store interface {
	Path() string
	Close() error

	Source(name string) (state.Source, error)
	Sources() (map[string]state.Source, error)
	SeenKeys(source string, keys []string) (map[string]bool, error)
	Commit(b state.Batch) error

	Digests() ([]state.Digest, error)
	Pending() ([]state.Digest, error)
	Parked() ([]state.Digest, error)
	Undelivered() ([]state.Digest, error)
	RecordDelivery(id, sink string, sendErr error, next time.Time, maxAttempts int) (parked bool, err error)
	RecordParts(id, sink string, parts int) error
	Merge(into state.Digest, sink string) error
	LastDelivered() (state.Digest, bool, error)
	Reroute(id string, from, to []string) (state.Digest, error)

	Recent() (map[string][]state.Match, error)
	Stories(since time.Time) ([]state.Story, error)
	Stats() (state.Stats, error)
	// ArchiveRange walks the items read from since up to until (zero: no
	// end), oldest first; ArchiveStats says how large the archive is.
	ArchiveRange(since, until time.Time, fn func(state.Archived) error) error
	ArchiveStats() (state.ArchiveStats, error)
	PruneEvery(before time.Time, every time.Duration) (ran bool, removedSeen, removedDigests int, err error)
}

var _ Store = (*state.Store)(nil)
