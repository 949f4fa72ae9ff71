package watch

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/item"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/state"
)

// busyCycle builds a watcher on a real state file and the outcomes of a
// cycle in which each of 30 sources has 8 new items of the AZAL story
// (240 matches, as after a day's outage), every fourth also matching the
// Sputnik topic, and 10 further sources nothing new.
func busyCycle(t *testing.T) (*Watcher, *state.Store, []*sourceOutcome, []matched) {
	t.Helper()
	w, store, cfg, now := commitWatcher(t, 40, "topics:\n  - {id: azal, title: AZAL 8243, query: AZAL}\n  - {id: sputnik, title: Sputnik, query: Sputnik}\n", 0)
	var outcomes []*sourceOutcome
	var hits []matched
	for i, src := range cfg.Sources {
		o := &sourceOutcome{src: &cfg.Sources[i], next: state.Source{Initialized: true, LastSuccess: now}}
		for j := range 8 {
			// Titles unlike one another, so that each is a story of its own.
			it := item.Item{Source: src.Name, GUID: fmt.Sprintf("%s/%d", src.Name, j), URL: fmt.Sprintf("https://%s.example/%d", src.Name, j),
				Title: fmt.Sprintf("AZAL %d: report %s-%d", 8243+i*8+j, src.Name, j), Published: now.Add(-time.Duration(i*8+j) * time.Minute)}
			o.seen = append(o.seen, it.Key())
			if i >= 30 {
				continue
			}
			m := matched{item: it, hits: []match.Hit{{Topic: "azal"}}}
			if j%4 == 0 {
				m.hits = append(m.hits, match.Hit{Topic: "sputnik"})
			}
			o.hits = append(o.hits, m)
		}
		hits = append(hits, o.hits...)
		outcomes = append(outcomes, o)
	}
	return w, store, outcomes, hits
}

// TestChunkByReports: a cycle's matches are cut between sources into
// chunks of at most 100 reports of a topic; every match is in exactly one
// chunk, with its source, in order, and the sources without matches go
// with the last.
func TestChunkByReports(t *testing.T) {
	_, _, outcomes, hits := busyCycle(t)
	chunks := chunkByReports(outcomes, hits)
	if len(chunks) != 3 {
		t.Fatalf("%d chunks, want 3 (240 AZAL matches, at most 100 a digest, whole sources of 8)", len(chunks))
	}
	var order []string
	for i, c := range chunks {
		perTopic := map[string]int{}
		mine := map[string]bool{}
		for _, o := range c.outcomes {
			mine[o.src.Name] = true
		}
		for _, m := range c.hits {
			order = append(order, m.item.Key())
			if !mine[m.item.Source] {
				t.Errorf("chunk %d carries a match of %s without its source", i, m.item.Source)
			}
			for _, h := range m.hits {
				perTopic[h.Topic]++
			}
		}
		if perTopic["azal"] > maxTopicReports {
			t.Errorf("chunk %d: %d reports of azal, over %d", i, perTopic["azal"], maxTopicReports)
		}
		if last := i == len(chunks)-1; last != mine["outlet-35"] {
			t.Errorf("chunk %d holds the sources without matches: %v", i, mine["outlet-35"])
		}
	}
	var want []string
	for _, m := range hits {
		want = append(want, m.item.Key())
	}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("the chunks carry the matches in another order or not once each")
	}
}

// bigSource gives the second of three sources of the busy cycle 150 new
// items of the AZAL story, the others 5, and returns the outcomes of the
// three and their matches. Item j of a source was published j minutes
// before the cycle.
func bigSource(t *testing.T) (*Watcher, *state.Store, []*sourceOutcome, []matched) {
	t.Helper()
	w, store, outcomes, _ := busyCycle(t)
	outcomes = outcomes[:3]
	var hits []matched
	for i, o := range outcomes {
		o.hits, o.seen = nil, nil
		n := 5
		if i == 1 {
			n = 150
		}
		for j := range n {
			it := item.Item{Source: o.src.Name, GUID: fmt.Sprint(j), URL: fmt.Sprintf("https://%s.example/%d", o.src.Name, j),
				Title: fmt.Sprintf("AZAL %d: report %s-%d", 9000+i*200+j, o.src.Name, j), Published: w.now().Add(-time.Duration(j) * time.Minute)}
			m := matched{item: it, hits: []match.Hit{{Topic: "azal"}}}
			o.fresh, o.seen, o.hits = append(o.fresh, it), append(o.seen, it.Key()), append(o.hits, m)
			hits = append(hits, m)
		}
	}
	return w, store, outcomes, hits
}

// TestChunkSplitsASourceOverTheBound: a source with more matches of a
// topic than a digest takes is cut, oldest first, into parts that fit.
// The part cut off carries its items' keys and text but not the source's
// state; the source itself, with the rest of its keys, comes after it.
func TestChunkSplitsASourceOverTheBound(t *testing.T) {
	_, _, outcomes, hits := bigSource(t)
	big := outcomes[1]
	chunks := chunkByReports(outcomes, hits)
	var sizes []int
	for _, c := range chunks {
		sizes = append(sizes, len(c.hits))
	}
	if fmt.Sprint(sizes) != "[5 100 55]" {
		t.Fatalf("chunk sizes %v, want [5 100 55] (the big source cut into its 100 oldest and the 50 newest)", sizes)
	}
	part := chunks[1].outcomes[0]
	if len(chunks[1].outcomes) != 1 || !part.part || part == big {
		t.Fatalf("the second chunk holds %d outcomes (part: %v); want one part of the big source", len(chunks[1].outcomes), part.part)
	}
	if chunks[2].outcomes[0] != big || big.part {
		t.Errorf("the third chunk does not begin with the big source's own outcome")
	}
	oldest := map[string]bool{}
	for j := 50; j < 150; j++ {
		oldest[item.Item{Source: big.src.Name, GUID: fmt.Sprint(j)}.Key()] = true
	}
	for _, m := range chunks[1].hits {
		if !oldest[m.item.Key()] {
			t.Errorf("the part cut off carries %s, not one of the 100 oldest", m.item.GUID)
		}
	}
	if len(part.seen) != 100 || len(part.fresh) != 100 || len(big.seen) != 50 || len(big.fresh) != 50 {
		t.Errorf("part: %d keys, %d items; the source: %d keys, %d items; want 100, 100, 50, 50",
			len(part.seen), len(part.fresh), len(big.seen), len(big.fresh))
	}
	for _, k := range part.seen {
		if !oldest[k] || slices.Contains(big.seen, k) {
			t.Errorf("key %s is in the part (oldest: %v) and in the source: %v", k, oldest[k], slices.Contains(big.seen, k))
		}
	}
}

// TestCommitSplitSourceFailsMidway: the digest of the big source's last
// part fails to commit. The part before is written: its digest pending
// and its 100 items seen; the source's own state is not, nor the keys of
// its 50 newest, so the next cycle reads the feed whole again and sends
// just those.
func TestCommitSplitSourceFailsMidway(t *testing.T) {
	w, store, outcomes, hits := bigSource(t)
	big := outcomes[1]
	name, keys := big.src.Name, slices.Clone(big.seen)
	chunkDigestStored(t, w, store, outcomes, hits, 2)
	for _, o := range outcomes { // chunkByReports again, on the outcomes as they came
		o.seen, o.fresh = nil, nil
		for _, m := range o.hits {
			o.seen, o.fresh = append(o.seen, m.item.Key()), append(o.fresh, m.item)
		}
	}
	if err := w.commitChunks(outcomes, hits); err == nil || !strings.Contains(err.Error(), "already stored") {
		t.Fatalf("commit = %v, want the third digest's transaction to fail", err)
	}
	src, err := store.Source(name)
	if err != nil {
		t.Fatal(err)
	}
	if src.Initialized {
		t.Error("the big source's state was written with the part cut off")
	}
	seen, err := store.SeenKeys(name, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 100 {
		t.Errorf("%d of the big source's keys seen, want the 100 of the digest written", len(seen))
	}
	for j := range 50 {
		if k := (item.Item{Source: name, GUID: fmt.Sprint(j)}).Key(); seen[k] {
			t.Errorf("item %d, of the digest that failed, is seen", j)
		}
	}
	pending, err := store.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 3 { // the first two chunks', and the one the test stored
		t.Fatalf("%d digests pending, want 3", len(pending))
	}

	// The next cycle reads the feed whole again. Its state never written,
	// the source is read for the first time; with a backfill that covers
	// every item, only the 50 the failed digest held are new.
	w.cfg.Backfill = 48 * time.Hour
	again := &sourceOutcome{src: big.src}
	for _, m := range hits {
		if m.item.Source == name {
			again.res.Items = append(again.res.Items, m.item)
		}
	}
	if err := w.filterNew(again, w.now()); err != nil {
		t.Fatal(err)
	}
	if len(again.fresh) != 50 || len(again.touched) != 100 {
		t.Errorf("the first read again: %d new items, %d seen before; want 50 and 100", len(again.fresh), len(again.touched))
	}
}

// chunkDigestStored stores the digest chunk i of the cycle will make, so
// that its commit fails as a digest already stored, and returns the
// chunks.
func chunkDigestStored(t *testing.T, w *Watcher, store *state.Store, outcomes []*sourceOutcome, hits []matched, i int) []digestChunk {
	t.Helper()
	chunks := chunkByReports(outcomes, hits)
	ds, _, err := w.digest(chunks[i].hits, nil, i)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Commit(state.Batch{Digest: ds[0]}); err != nil {
		t.Fatal(err)
	}
	return chunks
}

// TestCommitChunksFailsMidway makes the second of three digests fail to
// commit (its id is already stored): the first digest and its sources are
// written, the sources of the second and third are not, so the next cycle
// reads them again; no match is seen without a digest to carry it.
func TestCommitChunksFailsMidway(t *testing.T) {
	w, store, outcomes, hits := busyCycle(t)
	chunks := chunkDigestStored(t, w, store, outcomes, hits, 1)
	keys := map[string][]string{} // commitChunks lets go of them as it writes
	for _, o := range outcomes {
		keys[o.src.Name] = o.seen
	}
	if err := w.commitChunks(outcomes, hits); err == nil || !strings.Contains(err.Error(), "already stored") {
		t.Fatalf("commit = %v, want the second digest's transaction to fail", err)
	}
	for i, c := range chunks {
		for _, o := range c.outcomes {
			src, err := store.Source(o.src.Name)
			if err != nil {
				t.Fatal(err)
			}
			mine := keys[o.src.Name]
			seen, err := store.SeenKeys(o.src.Name, mine)
			if err != nil {
				t.Fatal(err)
			}
			if want := i == 0; src.Initialized != want || (len(seen) == len(mine)) != want || (len(seen) == 0) == want {
				t.Errorf("chunk %d, source %s: state written %v, %d of %d keys seen; want written: %v", i, o.src.Name, src.Initialized, len(seen), len(mine), want)
			}
		}
	}
	pending, err := store.Pending()
	if err != nil {
		t.Fatal(err)
	}
	// The first chunk's digest, and the one the test stored.
	if len(pending) != 2 {
		t.Fatalf("%d digests pending, want 2", len(pending))
	}
}

// TestCommitChunksDigests: the busy cycle is committed as three digests,
// each under the email's cap, whose entries (and the other reports they
// list) are every match once.
func TestCommitChunksDigests(t *testing.T) {
	w, store, outcomes, hits := busyCycle(t)
	if err := w.commitChunks(outcomes, hits); err != nil {
		t.Fatal(err)
	}
	pending, err := store.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 3 {
		t.Fatalf("%d digests pending, want 3", len(pending))
	}
	got := map[string]int{}
	for _, pd := range pending {
		d, err := decodePayload(pd)
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range d.Topics {
			if len(tp.Items) > maxTopicReports {
				t.Errorf("digest %s: %d entries of %s, over the cap a message shows", pd.ID, len(tp.Items), tp.ID)
			}
			for _, e := range tp.Items {
				got[tp.ID+" "+e.URL]++
				for _, a := range e.Also {
					got[tp.ID+" "+a.URL]++
				}
			}
		}
	}
	for _, m := range hits {
		for _, h := range m.hits {
			if n := got[h.Topic+" "+m.item.URL]; n != 1 {
				t.Errorf("%s in %s: in %d digests, want 1", m.item.URL, h.Topic, n)
			}
		}
	}
	for _, o := range outcomes {
		if src, err := store.Source(o.src.Name); err != nil || !src.Initialized {
			t.Errorf("source %s not written: %v", o.src.Name, err)
		}
	}
}

func decodePayload(pd state.Digest) (alert.Digest, error) {
	var d alert.Digest
	err := json.Unmarshal(pd.Payload, &d)
	return d, err
}
