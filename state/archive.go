package state

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// The archive keeps the text of every item a cycle read, for `watcher
// search`, `watcher match --archive` and the term statistics of topics
// that follow a story. Items are stored in chunks: one bbolt value holds up
// to archiveChunk items of one transaction, as a JSON array compressed
// with zstd. Compressing a chunk rather than each item lets the encoder
// find what items share (feed boilerplate, names of the story, JSON field
// names), which a dictionary-less compressor cannot do within one short
// item; see BenchmarkArchive for the bytes an item costs.
//
// A chunk's key is the commit time as 8 big-endian bytes of Unix
// nanoseconds followed by the bucket's 8-byte sequence number, so keys sort
// by time: a scan over a range of days seeks to its start, and Prune drops
// the old chunks from the front of the bucket.
var bucketArchive = []byte("archive")

// archiveChunk bounds the items of one chunk: large enough for the
// compressor to find what items share, small enough that reading one
// item back costs little.
const archiveChunk = 256

// archiveFormat is the first byte of every chunk, so that a change of
// encoding can be told apart from damage.
const archiveFormat = 1

// maxChunkDecoded bounds what one damaged chunk can make a reader allocate.
const maxChunkDecoded = 256 << 20

// Archived is one item as read: the text and where and when it came from.
// The package stores it as given and knows nothing of its meaning.
type Archived struct {
	// Key is the item's identity within its source (as in Batch.Seen).
	Key     string `json:"k"`
	Source  string `json:"s"`
	URL     string `json:"u,omitempty"`
	Title   string `json:"t,omitempty"`
	Summary string `json:"m,omitempty"`
	Body    string `json:"b,omitempty"`
	Lang    string `json:"l,omitempty"`
	// Published is the time the source gave for the item.
	Published time.Time `json:"p"`
	// Seen is when the item was archived; Commit sets it.
	Seen time.Time `json:"-"`
}

// archiveWindow is the encoder's window: what a match may reach back. A
// chunk is typically a few hundred kilobytes of JSON, so the default
// window (8 MiB) bought nothing, while its history buffer, twice the
// window, stayed allocated for the life of the process: 16 MiB of a
// daemon's heap, more than the rest of it at 500 sources.
const archiveWindow = 1 << 20

// codec returns the shared encoder and decoder, built on first use:
// EncodeAll and DecodeAll are safe for concurrent use, and building either
// costs far more than a chunk. The decoder works one block at a time, as
// chunks are small; a process that never touches the archive builds
// neither.
var codec = sync.OnceValues(func() (*zstd.Encoder, *zstd.Decoder) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(archiveWindow))
	if err != nil {
		panic(fmt.Sprintf("zstd encoder: %v", err)) // only bad options fail
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxChunkDecoded))
	if err != nil {
		panic(fmt.Sprintf("zstd decoder: %v", err))
	}
	return enc, dec
})

// archiveKey is the key of a chunk written at t with sequence seq.
func archiveKey(t time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(max(t.UnixNano(), 0)))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// archiveTime reads the time of a chunk key.
func archiveTime(k []byte) time.Time {
	if len(k) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC()
}

// putArchive writes items, archived at now, as chunks.
func putArchive(tx *bolt.Tx, items []Archived, now time.Time) error {
	b := tx.Bucket(bucketArchive)
	b.FillPercent = fillFresh // keys only ever go at the end
	for len(items) > 0 {
		n := min(len(items), archiveChunk)
		raw, err := json.Marshal(items[:n])
		if err != nil {
			return fmt.Errorf("encode archive chunk: %w", err)
		}
		enc, _ := codec()
		val := enc.EncodeAll(raw, []byte{archiveFormat})
		seq, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		if err := b.Put(archiveKey(now, seq), val); err != nil {
			return fmt.Errorf("archive %d items: %w", n, err)
		}
		items = items[n:]
	}
	return nil
}

// decodeChunk reads one chunk back; the items' Seen is the chunk's time.
func decodeChunk(k, v []byte) ([]Archived, error) {
	if len(v) == 0 || v[0] != archiveFormat {
		return nil, errors.New("unknown chunk format")
	}
	_, dec := codec()
	raw, err := dec.DecodeAll(v[1:], nil)
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	var items []Archived
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	seen := archiveTime(k)
	for i := range items {
		items[i].Seen = seen
	}
	return items, nil
}

// ArchiveRange calls fn for every archived item seen in [since, until),
// oldest first; a zero until means no upper bound. It reads one chunk at a
// time, so the memory it needs does not grow with the archive. A chunk
// that cannot be read (damage) is reported in the returned error, naming
// its time, and the walk goes on with the next; an error from fn stops
// the walk and is returned as is.
func (s *Store) ArchiveRange(since, until time.Time, fn func(Archived) error) error {
	var bad []error
	var stop error
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketArchive).Cursor()
		for k, v := c.Seek(archiveKey(since, 0)); k != nil; k, v = c.Next() {
			at := archiveTime(k)
			if !until.IsZero() && !at.Before(until) {
				return nil
			}
			items, err := decodeChunk(k, v)
			if err != nil {
				bad = append(bad, fmt.Errorf("archive chunk of %s: %w", at.UTC().Format(time.RFC3339), err))
				continue
			}
			for _, it := range items {
				if err := fn(it); err != nil {
					stop = err
					return nil
				}
			}
		}
		return nil
	})
	if stop != nil {
		return stop
	}
	if err != nil {
		return fmt.Errorf("read archive in state %s: %w", s.path, err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("read archive in state %s: %w", s.path, errors.Join(bad...))
	}
	return nil
}

// ArchiveStats describes the archive: for `watcher status` and the
// benchmarks.
type ArchiveStats struct {
	Chunks int
	// Bytes is the stored (compressed) size of the chunks' values.
	Bytes int64
	// Oldest and Newest are the times of the first and last chunk.
	Oldest, Newest time.Time
}

// ArchiveStats reports the archive's size without decompressing it.
func (s *Store) ArchiveStats() (ArchiveStats, error) {
	var st ArchiveStats
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketArchive).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if st.Chunks == 0 {
				st.Oldest = archiveTime(k)
			}
			st.Newest = archiveTime(k)
			st.Chunks++
			st.Bytes += int64(len(v))
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("read archive in state %s: %w", s.path, err)
	}
	return st, nil
}

// pruneArchive deletes the chunks archived before before: they sit at the
// front of the bucket, so the walk stops at the first young one.
func pruneArchive(tx *bolt.Tx, before time.Time) (int, error) {
	b := tx.Bucket(bucketArchive)
	limit := archiveKey(before, 0)
	var doomed [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0; k, _ = c.Next() {
		doomed = append(doomed, bytes.Clone(k))
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return 0, fmt.Errorf("prune archive: %w", err)
		}
	}
	return len(doomed), nil
}
