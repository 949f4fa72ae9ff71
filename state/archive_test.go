package state

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// archived returns n items of source with distinct titles and bodies.
func archived(source string, from, n int) []Archived {
	ks := keys(source, from, n)
	out := make([]Archived, n)
	for i := range out {
		out[i] = Archived{Key: ks[i], Source: source, URL: fmt.Sprintf("https://report.az/en/news/%d", from+i),
			Title: fmt.Sprintf("Item %d of %s", from+i, source), Body: strings.Repeat("Aktau crash inquiry. ", 20),
			Lang: "en", Published: t0.Add(time.Duration(from+i) * time.Minute)}
	}
	return out
}

// archiveAll reads the whole archive back.
func archiveAll(t *testing.T, s *Store, since, until time.Time) []Archived {
	t.Helper()
	var out []Archived
	if err := s.ArchiveRange(since, until, func(a Archived) error { out = append(out, a); return nil }); err != nil {
		t.Fatalf("ArchiveRange: %v", err)
	}
	return out
}

func TestArchiveRoundTripAndRange(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	// Three cycles an hour apart; the second is larger than a chunk.
	mustCommit(t, s, Batch{Seen: map[string][]string{"apa": keys("apa", 0, 3)},
		Archive: map[string][]Archived{"apa": archived("apa", 0, 3)}})
	clk.Advance(time.Hour)
	mustCommit(t, s, Batch{Archive: map[string][]Archived{"apa": archived("apa", 3, archiveChunk+10), "trend": archived("trend", 0, 2)}})
	clk.Advance(time.Hour)
	mustCommit(t, s, Batch{Archive: map[string][]Archived{"trend": archived("trend", 2, 1)}})

	all := archiveAll(t, s, time.Time{}, time.Time{})
	if want := 3 + archiveChunk + 10 + 2 + 1; len(all) != want {
		t.Fatalf("archive holds %d items, want %d", len(all), want)
	}
	first := all[0]
	want := archived("apa", 0, 1)[0]
	want.Seen = t0
	if first != want {
		t.Errorf("first item read back as %+v, want %+v", first, want)
	}
	if !slices.IsSortedFunc(all, func(a, b Archived) int { return a.Seen.Compare(b.Seen) }) {
		t.Error("archive not read oldest first")
	}
	// The middle cycle alone: [t0+1h, t0+2h).
	mid := archiveAll(t, s, t0.Add(time.Hour), t0.Add(2*time.Hour))
	if len(mid) != archiveChunk+12 {
		t.Errorf("range of the second cycle holds %d items, want %d", len(mid), archiveChunk+12)
	}
	for _, a := range mid {
		if !a.Seen.Equal(t0.Add(time.Hour)) {
			t.Fatalf("item %q of the second cycle has seen time %s", a.Title, a.Seen)
		}
	}
	st, err := s.ArchiveStats()
	if err != nil {
		t.Fatal(err)
	}
	// The second cycle's 268 items take two chunks.
	if st.Chunks != 4 || !st.Oldest.Equal(t0) || !st.Newest.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("stats %+v, want 4 chunks from %s to %s", st, t0, t0.Add(2*time.Hour))
	}
	// A walk stopped by the caller returns the caller's error.
	stop := errors.New("enough")
	n := 0
	err = s.ArchiveRange(time.Time{}, time.Time{}, func(Archived) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("stopped walk: %d items, err %v", n, err)
	}
}

func TestArchivePrunedWithRetention(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, Batch{Archive: map[string][]Archived{"apa": archived("apa", 0, 5)}})
	clk.Advance(48 * time.Hour)
	mustCommit(t, s, Batch{Archive: map[string][]Archived{"apa": archived("apa", 5, 2)}})
	if _, _, err := s.Prune(t0.Add(24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	left := archiveAll(t, s, time.Time{}, time.Time{})
	if len(left) != 2 || left[0].Title != "Item 5 of apa" {
		t.Errorf("after prune the archive holds %d items (first %+v), want the 2 young ones", len(left), left)
	}
}

// A cold cycle split into bounded transactions archives every item once,
// each source's items in its own transaction with its keys.
func TestArchiveSplitCommit(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), Options{Now: newClock().Now, MaxTxKeys: splitBound})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	b := coldBatch()
	b.Archive = map[string][]Archived{}
	for n, ks := range b.Seen {
		b.Archive[n] = archived(n, 0, len(ks))
	}
	// The crash hook stops the commit after its first transaction.
	s.testHookTx = func(i int) error {
		if i == 1 {
			return errors.New("crash")
		}
		return nil
	}
	if err := s.Commit(b); err == nil {
		t.Fatal("commit with a crash after one transaction succeeded")
	}
	got := archiveAll(t, s, time.Time{}, time.Time{})
	bySource := map[string]int{}
	for _, a := range got {
		bySource[a.Source]++
	}
	for src, n := range bySource {
		seen, err := s.SeenKeys(src, keys(src, 0, splitKeys))
		if err != nil {
			t.Fatal(err)
		}
		if n != splitKeys || len(seen) != splitKeys {
			t.Errorf("source %s after the crash: %d archived, %d seen; want both %d", src, n, len(seen), splitKeys)
		}
	}
	if len(bySource) == 0 || len(bySource) == splitSources {
		t.Errorf("first transaction archived %d sources, want some but not all", len(bySource))
	}
	s.testHookTx = nil
	mustCommit(t, s, b)
	if got := archiveAll(t, s, time.Time{}, time.Time{}); len(got) < splitSources*splitKeys {
		t.Errorf("after the full commit the archive holds %d items, want at least %d", len(got), splitSources*splitKeys)
	}
}

// A damaged chunk is named in the error and the walk goes on past it.
func TestArchiveDamagedChunk(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "state.db")
	s := openAt(t, path, clk)
	mustCommit(t, s, Batch{Archive: map[string][]Archived{"apa": archived("apa", 0, 2)}})
	clk.Advance(time.Minute)
	mustCommit(t, s, Batch{Archive: map[string][]Archived{"apa": archived("apa", 2, 2)}})
	// Damage the first chunk in place, as a bad disk might.
	err := s.update(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketArchive).Cursor().First()
		return tx.Bucket(bucketArchive).Put(k, []byte{archiveFormat, 1, 2, 3})
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []Archived
	err = s.ArchiveRange(time.Time{}, time.Time{}, func(a Archived) error { got = append(got, a); return nil })
	if err == nil || !strings.Contains(err.Error(), "archive chunk of 2025-06-27T06:00:00Z") || !strings.Contains(err.Error(), path) {
		t.Errorf("damaged chunk error %v, want one naming the chunk's time and the file", err)
	}
	if len(got) != 2 || got[0].Title != "Item 2 of apa" {
		t.Errorf("walk past the damaged chunk read %d items, want the 2 of the good chunk", len(got))
	}
}

// corpusTexts reads the shared corpus's items as archive entries, so the
// benchmark compresses real multilingual news rather than repeated text.
func corpusTexts(b *testing.B) []Archived {
	f, err := os.Open("../../shared/corpus/dev.jsonl")
	if err != nil {
		b.Skipf("corpus not checked out beside the repository: %v", err)
	}
	defer f.Close()
	var out []Archived
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c struct{ ID, Lang, Source, Title, Summary, Body string }
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			b.Fatal(err)
		}
		out = append(out, Archived{Key: c.ID, Source: c.Source, URL: "https://" + c.Source + "/" + c.ID,
			Title: c.Title, Summary: c.Summary, Body: c.Body, Lang: c.Lang, Published: t0})
	}
	return out
}

// BenchmarkArchive measures archiving one cycle of 150 new items (the
// corpus's texts with fresh keys), 10 from each of 15 sources: write
// throughput, and the stored bytes an item costs against its raw text.
// The cycle is kept below the corpus's 160 texts so that no chunk holds
// the same text twice, which would flatter the compression.
func BenchmarkArchive(b *testing.B) {
	texts := corpusTexts(b)
	clk := newClock()
	s := openTemp(b, clk)
	raw, items := 0, 0
	for b.Loop() {
		batch := Batch{Archive: map[string][]Archived{}}
		for i := range 150 {
			a := texts[(items+i)%len(texts)]
			a.Key = fmt.Sprintf("%s-%d", a.Key, items+i)
			src := fmt.Sprintf("source-%02d", i%15)
			a.Source = src
			batch.Archive[src] = append(batch.Archive[src], a)
			raw += len(a.Title) + len(a.Summary) + len(a.Body) + len(a.URL)
		}
		if err := s.Commit(batch); err != nil {
			b.Fatal(err)
		}
		items += 150
		clk.Advance(15 * time.Minute)
	}
	st, err := s.ArchiveStats()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Bytes)/float64(items), "stored_B/item")
	b.ReportMetric(float64(raw)/float64(items), "text_B/item")
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkArchiveRange measures reading the archive back, as search does.
func BenchmarkArchiveRange(b *testing.B) {
	texts := corpusTexts(b)
	s := openTemp(b, newClock())
	batch := Batch{Archive: map[string][]Archived{}}
	for i := range 10000 {
		a := texts[i%len(texts)]
		a.Key = fmt.Sprintf("%s-%d", a.Key, i)
		batch.Archive[a.Source] = append(batch.Archive[a.Source], a)
	}
	if err := s.Commit(batch); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		if err := s.ArchiveRange(time.Time{}, time.Time{}, func(Archived) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
}
