package match

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// corpusItem is one labelled line of the shared corpus (see its GUIDE.md).
type corpusItem struct {
	ID       string   `json:"id"`
	Lang     string   `json:"lang"`
	Source   string   `json:"source"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	Body     string   `json:"body"`
	Topics   []string `json:"topics"`
	Mentions []string `json:"mentions"`
}

// shippedTopics reads the topics section of the shipped config.yaml.
func shippedTopics(t testing.TB) []Topic {
	t.Helper()
	raw, err := os.ReadFile("../config.yaml")
	if err != nil {
		t.Fatalf("read ../config.yaml: %v", err)
	}
	var cfg struct {
		Topics []struct {
			ID       string   `yaml:"id"`
			Title    string   `yaml:"title"`
			Query    string   `yaml:"query"`
			Exclude  []string `yaml:"exclude"`
			MinTerms int      `yaml:"min_terms"`
		} `yaml:"topics"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("decode ../config.yaml: %v", err)
	}
	var ts []Topic
	for _, c := range cfg.Topics {
		ts = append(ts, Topic{ID: c.ID, Title: c.Title, Query: c.Query, Exclude: c.Exclude, MinTerms: c.MinTerms})
	}
	return ts
}

// The two labelled sets topics are tuned on: the shared corpus, and
// testdata/later.jsonl, the stories' later life (see testdata/README.md).
const (
	devCorpus   = "../../shared/corpus/dev.jsonl"
	laterCorpus = "testdata/later.jsonl"
)

// loadCorpus reads the shared labelled corpus, skipping the test when the
// shared folder is not checked out beside the repository.
func loadCorpus(t testing.TB) []corpusItem {
	t.Helper()
	return loadItems(t, devCorpus, true)
}

// loadItems reads one labelled set; a missing file skips the test when
// optional (the shared folder), and fails it otherwise.
func loadItems(t testing.TB, path string, optional bool) []corpusItem {
	t.Helper()
	f, err := os.Open(path)
	if optional && errors.Is(err, fs.ErrNotExist) {
		t.Skipf("corpus %s not found: check out the shared folder beside the repository to score topics", path)
	}
	if err != nil {
		t.Fatalf("open corpus: %v", err)
	}
	defer f.Close()
	var items []corpusItem
	ids := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var it corpusItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		if prev, dup := ids[it.ID]; dup || it.ID == "" {
			t.Fatalf("%s:%d: id %q is empty or repeats line %d", path, line, it.ID, prev)
		}
		ids[it.ID] = line
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return items
}

// score counts per GUIDE.md: a hit on an item that only mentions the
// topic is neither a true nor a false positive.
type score struct {
	tp, fp, fn int
	fps, fns   []string
}

func (s score) prf() (p, r, f1 float64) {
	p = float64(s.tp) / float64(max(s.tp+s.fp, 1))
	r = float64(s.tp) / float64(max(s.tp+s.fn, 1))
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}

// scoreTopics matches items against topics and counts per topic.
func scoreTopics(t testing.TB, m *Matcher, topics []Topic, items []corpusItem) map[string]*score {
	t.Helper()
	scores := map[string]*score{}
	for _, tp := range topics {
		scores[tp.ID] = &score{}
	}
	for _, it := range items {
		got := map[string]bool{}
		for _, h := range m.Match(Item{Title: it.Title, Summary: it.Summary, Body: it.Body, Lang: it.Lang, Source: it.Source}) {
			got[h.Topic] = true
		}
		for id, s := range scores {
			want := slices.Contains(it.Topics, id)
			switch {
			case want && got[id]:
				s.tp++
			case want:
				s.fn++
				s.fns = append(s.fns, it.ID)
			case got[id] && !slices.Contains(it.Mentions, id):
				s.fp++
				s.fps = append(s.fps, it.ID)
			}
		}
	}
	return scores
}

// report prints per-topic P/R/F1 and returns the macro F1.
func report(topics []Topic, scores map[string]*score, n int) (string, float64) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s %5s %5s %5s %4s %4s %4s\n", "topic", "P", "R", "F1", "TP", "FP", "FN")
	var sum float64
	for _, tp := range topics {
		s := scores[tp.ID]
		p, r, f1 := s.prf()
		sum += f1
		fmt.Fprintf(&b, "%-20s %5.3f %5.3f %5.3f %4d %4d %4d  FP:%v FN:%v\n", tp.ID, p, r, f1, s.tp, s.fp, s.fn, s.fps, s.fns)
	}
	macro := sum / float64(len(topics))
	fmt.Fprintf(&b, "macro F1 %.3f over %d items\n", macro, n)
	return b.String(), macro
}

// TestCorpusF1 scores the shipped topics on both labelled sets against
// the targets of the project: macro F1 at least 0.95, every topic's F1
// at least 0.92 and its precision at least 0.95.
func TestCorpusF1(t *testing.T) {
	topics := shippedTopics(t)
	m, err := Compile(topics)
	if err != nil {
		t.Fatalf("compile shipped topics: %v", err)
	}
	sets := []struct {
		name     string
		path     string
		optional bool
	}{{"dev", devCorpus, true}, {"later", laterCorpus, false}}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			items := loadItems(t, set.path, set.optional)
			scores := scoreTopics(t, m, topics, items)
			text, macro := report(topics, scores, len(items))
			t.Log("\n" + text)
			if macro < 0.95 {
				t.Errorf("macro F1 %.3f is below 0.95", macro)
			}
			for _, tp := range topics {
				p, _, f1 := scores[tp.ID].prf()
				if f1 < 0.92 {
					t.Errorf("topic %s: F1 %.3f is below 0.92", tp.ID, f1)
				}
				if p < 0.95 {
					t.Errorf("topic %s: precision %.3f is below 0.95", tp.ID, p)
				}
			}
		})
	}
}

// TestCorpusFolding measures what name folding changes on both sets: the
// shipped topics compiled as usual and with every word matched as
// written. Folding must not cost precision: no topic may gain a false
// positive from it.
func TestCorpusFolding(t *testing.T) {
	topics := shippedTopics(t)
	on, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	off, err := compile(topics, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []struct {
		name, path string
		optional   bool
	}{{"dev", devCorpus, true}, {"later", laterCorpus, false}} {
		t.Run(set.name, func(t *testing.T) {
			items := loadItems(t, set.path, set.optional)
			withFold, withoutFold := scoreTopics(t, on, topics, items), scoreTopics(t, off, topics, items)
			a, _ := report(topics, withFold, len(items))
			b, _ := report(topics, withoutFold, len(items))
			t.Logf("\nfolding on:\n%s\nfolding off:\n%s", a, b)
			for _, tp := range topics {
				if extra := withFold[tp.ID].fp - withoutFold[tp.ID].fp; extra > 0 {
					t.Errorf("topic %s: folding adds %d false positives: %v (without: %v)", tp.ID, extra, withFold[tp.ID].fps, withoutFold[tp.ID].fps)
				}
			}
		})
	}
}
