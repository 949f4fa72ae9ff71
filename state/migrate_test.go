package state

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// writeV1 writes a state file in the layout of schema version 1, as the
// previous release did: hex text keys, 8-byte big-endian Unix nanoseconds.
func writeV1(t *testing.T, path string, seen map[string]map[string]time.Time, src Source, d Digest) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket(bucketMeta)
		if err := meta.Put(keySchema, []byte("1")); err != nil {
			return err
		}
		rawSrc, _ := json.Marshal(src)
		sources, _ := tx.CreateBucket(bucketSources)
		if err := sources.Put([]byte("apa"), rawSrc); err != nil {
			return err
		}
		rawD, _ := json.Marshal(d)
		digests, _ := tx.CreateBucket(bucketDigests)
		if err := digests.Put([]byte(d.ID), rawD); err != nil {
			return err
		}
		top, _ := tx.CreateBucket(bucketSeen)
		for name, keys := range seen {
			b, err := top.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for k, at := range keys {
				if err := b.Put([]byte(k), binary.BigEndian.AppendUint64(nil, uint64(at.UnixNano()))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// v1File writes a version 1 file: source apa with 300 keys (more than a
// page; half of them old) and the non-hex key "k" (old), six more sources
// of 40 recent keys, a source state and a pending digest.
func v1File(t *testing.T) (path string, apa []string, src Source) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "state.db")
	apa = keys("apa", 0, 300)
	old, recent := t0, t0.Add(30*day)
	seen := map[string]map[string]time.Time{"apa": {"k": old}}
	for i, k := range apa {
		seen["apa"][k] = old
		if i%2 == 1 {
			seen["apa"][k] = recent
		}
	}
	for i := range 6 {
		name := fmt.Sprintf("outlet-%d", i)
		seen[name] = map[string]time.Time{}
		for _, k := range keys(name, 0, 40) {
			seen[name][k] = recent
		}
	}
	src = Source{Initialized: true, ETag: `W/"8243"`, LastSuccess: t0}
	d := Digest{ID: "d1", Created: t0, Payload: []byte(`{"x":1}`), Sinks: map[string]*Delivery{"email": {}}}
	writeV1(t, path, seen, src, d)
	return path, apa, src
}

// TestOpenMigratesSchema1 opens a file of the previous layout, in one
// transaction and in bounded ones, and after a migration cut short by a
// crash: every seen key, its time, the sources and the digests survive,
// the keys are stored compactly afterwards, and the file keeps working
// and reopens.
func TestOpenMigratesSchema1(t *testing.T) {
	tests := []struct {
		name      string
		maxTxKeys int
		crashed   bool // one bounded migration step ran before a crash
	}{
		{"one transaction", 0, false},
		{"bounded transactions", 50, false},
		{"resumed after a crash", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, apa, src := v1File(t)
			if tc.crashed {
				crashMigrating(t, path)
			}
			clk := newClock()
			clk.Advance(31 * day)
			s, err := Open(path, Options{Now: clk.Now, MaxTxKeys: tc.maxTxKeys})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = s.Close() }()
			checkMigrated(t, s, apa, src)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openAt(t, path, clk)
			fresh := keys("apa", 300, 2)
			mustCommit(t, s, Batch{Seen: map[string][]string{"apa": fresh}, Touched: map[string][]string{"apa": apa}})
			if got := seenSet(t, s, "apa", append(apa, fresh...)); len(got) != 152 {
				t.Errorf("%d of 152 keys seen after reopening", len(got))
			}
			assertCompact(t, s)
		})
	}
}

// crashMigrating leaves the file at path as an Open killed during the
// migration would: marked version 2 and migrating, with the first
// sources in the new form and the rest in the old.
func crashMigrating(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keySchema, []byte("2")); err != nil {
			return err
		}
		return meta.Put(keyMigrating, migratingFrom(nil))
	})
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error { _, err := migrateSome(tx, 350); return err })
	}
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		if got, want := tx.Bucket(bucketMeta).Get(keyMigrating), migratingFrom([]byte("outlet-1")); !bytes.Equal(got, want) {
			t.Errorf("mark after one step = %q, want %q", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkMigrated checks what the migration of v1File's file must keep.
func checkMigrated(t *testing.T, s *Store, apa []string, src Source) {
	t.Helper()
	if got := seenSet(t, s, "apa", append(apa, "k")); len(got) != 301 {
		t.Errorf("%d of 301 keys of apa seen after the migration", len(got))
	}
	for i := range 6 {
		name := fmt.Sprintf("outlet-%d", i)
		if got := seenSet(t, s, name, keys(name, 0, 40)); len(got) != 40 {
			t.Errorf("%d of 40 keys of %s seen after the migration", len(got), name)
		}
		if got := seenSet(t, s, name, apa); len(got) != 0 {
			t.Errorf("apa's keys seen for %s after the migration: %d", name, len(got))
		}
	}
	if got, err := s.Source("apa"); err != nil || !reflect.DeepEqual(got, src) {
		t.Errorf("Source = %+v, %v; want %+v", got, err, src)
	}
	if p, err := s.Pending(); err != nil || !reflect.DeepEqual(ids(p), []string{"d1"}) {
		t.Errorf("Pending = %v, %v", ids(p), err)
	}
	assertCompact(t, s)
	// The times came across: pruning at a day after the old ones removes
	// exactly them (150 keys and "k").
	if n, _, err := s.Prune(t0.Add(day)); err != nil || n != 151 {
		t.Errorf("Prune removed %d keys, %v; want 151", n, err)
	}
}

// assertCompact checks the file is of the current schema and that every
// key of item.Key's form is stored in 16 bytes with a short time.
func assertCompact(t *testing.T, s *Store) {
	t.Helper()
	err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := string(meta.Get(keySchema)); v != "2" || meta.Get(keyMigrating) != nil {
			t.Errorf("schema version %q, migrating %q; want 2, not migrating", v, meta.Get(keyMigrating))
		}
		seen := tx.Bucket(bucketSeen)
		return seen.ForEachBucket(func(name []byte) error {
			return seen.Bucket(name).ForEach(func(k, v []byte) error {
				if (len(k) != rawKeyLen && k[0] != 0) || len(v) > 5 {
					t.Errorf("source %s: stored key %x (%d bytes), value %d bytes", name, k, len(k), len(v))
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStoredKeysDistinct checks that keys in and out of item.Key's form
// never share a stored key.
func TestStoredKeysDistinct(t *testing.T) {
	key := keys("apa", 0, 1)[0]
	ks := []string{
		key, "A" + key[1:], key[:31], key + "0", "k", "\x00k",
		string(storedKey(key)),                // the raw bytes of key, as a key
		"0123456789abcde", "0123456789abcdef", // 15 and 16 bytes
		"\x000123456789abcde", "0123456789abcde\x00",
		// an item key whose 16 bytes are 0x00 and a 15-byte key
		hex.EncodeToString([]byte("\x000123456789abcde")),
	}
	by := map[string]string{}
	for _, k := range ks {
		sk := string(storedKey(k))
		if other, dup := by[sk]; dup {
			t.Errorf("keys %q and %q are both stored as %x", other, k, sk)
		}
		by[sk] = k
	}
	if got := storedKey(key); len(got) != rawKeyLen {
		t.Errorf("item key stored in %d bytes, want %d", len(got), rawKeyLen)
	}
}
