package state

import (
	"maps"
	"slices"
)

// DefaultMaxTxKeys bounds the keys one Commit transaction writes. bbolt
// keeps every page a transaction changes in memory until it commits, so a
// bound in keys is a bound in memory: a few MiB at this size.
const DefaultMaxTxKeys = 4096

// split cuts b into the transactions Commit writes, as Commit describes:
// the sources outside the digest first, packed up to limit keys each,
// then the digest with its sources. A batch within limit is returned whole.
func (b Batch) split(limit int) []Batch {
	names := b.sourceNames()
	// An archived item is also one of the source's seen keys, so the
	// archive adds no cost of its own: a chunk of 256 items is a few
	// hundred KiB of pages at most.
	cost := func(name string) int { return 1 + len(b.Seen[name]) + len(b.Touched[name]) }
	total := 0
	for _, n := range names {
		total += cost(n)
	}
	if total <= limit || (b.Digest != nil && b.DigestSources == nil) {
		return []Batch{b}
	}
	held := make(map[string]bool, len(b.DigestSources))
	for _, n := range b.DigestSources {
		held[n] = true
	}
	var parts []Batch
	var cur Batch
	size := 0
	for _, n := range names {
		if held[n] {
			continue
		}
		if size > 0 && size+cost(n) > limit {
			parts = append(parts, cur)
			cur, size = Batch{}, 0
		}
		cur.take(b, n)
		size += cost(n)
	}
	if size > 0 {
		parts = append(parts, cur)
	}
	if b.Digest == nil && len(held) == 0 && len(b.Recent) == 0 {
		return parts
	}
	last := Batch{Digest: b.Digest, More: b.More, Recent: b.Recent, Stories: b.Stories}
	for _, n := range names {
		if held[n] {
			last.take(b, n)
		}
	}
	return append(parts, last)
}

// sortedKeys returns the keys of m in order, so writes are deterministic.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// sourceNames returns every source b writes anything for, sorted.
func (b Batch) sourceNames() []string {
	set := make(map[string]bool, len(b.Sources))
	for _, m := range []map[string][]string{b.Seen, b.Touched} {
		for n := range m {
			set[n] = true
		}
	}
	for n := range b.Sources {
		set[n] = true
	}
	for n := range b.Archive {
		set[n] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// take copies source name's state, seen and touched keys from from.
func (b *Batch) take(from Batch, name string) {
	if src, ok := from.Sources[name]; ok {
		if b.Sources == nil {
			b.Sources = map[string]Source{}
		}
		b.Sources[name] = src
	}
	if keys, ok := from.Seen[name]; ok {
		if b.Seen == nil {
			b.Seen = map[string][]string{}
		}
		b.Seen[name] = keys
	}
	if items, ok := from.Archive[name]; ok {
		if b.Archive == nil {
			b.Archive = map[string][]Archived{}
		}
		b.Archive[name] = items
	}
	if keys, ok := from.Touched[name]; ok {
		if b.Touched == nil {
			b.Touched = map[string][]string{}
		}
		b.Touched[name] = keys
	}
}
