package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// syllables per script; generated words mix them so the vocabulary looks
// like English, Russian and Azerbaijani text without copying any.
var syllables = [][]string{
	{"ba", "ker", "lon", "tri", "sta", "ment", "or", "pol", "an", "dis", "cu", "ver"},
	{"ка", "ро", "вет", "ник", "ст", "при", "оль", "за", "ми", "ный", "ск", "дом"},
	{"lə", "ər", "ğı", "şa", "çi", "yə", "qa", "maz", "lı", "dır", "xan", "öz"},
}

// benchVocab returns n deterministic words, scripts interleaved.
func benchVocab(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		syl := syllables[len(out)%len(syllables)]
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// benchItems returns n items of about 2 KB each: Zipf-distributed words,
// capitalised sentences, punctuation and a little HTML in the summary.
func benchItems(n int, vocab []string) []Item {
	r := rand.New(rand.NewPCG(3, 4))
	z := rand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1))
	text := func(bytes int) string {
		var b strings.Builder
		for b.Len() < bytes {
			for i := range 6 + r.IntN(10) {
				w := vocab[z.Uint64()]
				if i == 0 {
					r, n := utf8.DecodeRuneInString(w)
					w = string(unicode.ToUpper(r)) + w[n:]
				}
				b.WriteString(w + " ")
			}
			b.WriteString("— «цитата», \"quote\". ")
		}
		return b.String()
	}
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{Title: text(80), Summary: "<p>" + text(250) + "</p> &amp; <a href=\"x\">link</a>", Body: text(1700)}
	}
	return items
}

// benchTopics returns n generated topics over mid-frequency words (ranks
// 20 to a fifth of the vocabulary): OR groups, prefixes, phrases and NEAR,
// like hand-written topics.
func benchTopics(n int, vocab []string) []Topic {
	r := rand.New(rand.NewPCG(5, 6))
	w := func() string { return vocab[20+r.IntN(len(vocab)/5)] }
	ts := make([]Topic, n)
	for i := range ts {
		q := fmt.Sprintf(`(%s OR %s* OR "%s %s") AND (%s NEAR/5 (%s OR %s))`, w(), w(), w(), w(), w(), w(), w())
		ts[i] = Topic{ID: fmt.Sprintf("t%d", i), Query: q, Exclude: []string{w() + " OR " + w()}}
	}
	return ts
}

func BenchmarkMatch(b *testing.B) {
	vocab := benchVocab(5000)
	items := benchItems(200, vocab)
	cases := []struct {
		name   string
		topics func(testing.TB) []Topic
	}{
		{"shipped-3", shippedTopics},
		// the shipped topics with every word matched as written: the
		// difference to shipped-3 is what name folding costs.
		{"shipped-3-nofold", nil},
		{"topics-10", func(testing.TB) []Topic { return benchTopics(10, vocab) }},
		{"topics-100", func(testing.TB) []Topic { return benchTopics(100, vocab) }},
		{"topics-1000", func(testing.TB) []Topic { return benchTopics(1000, vocab) }},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var m *Matcher
			var err error
			if tc.topics == nil {
				m, err = compile(shippedTopics(b), true)
			} else {
				m, err = Compile(tc.topics(b))
			}
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(items[0].Title + items[0].Summary + items[0].Body)))
			hits := 0
			cpu := cpuTime()
			for i := 0; b.Loop(); i++ {
				hits += len(m.Match(items[i%len(items)]))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
			if cpu := cpuTime() - cpu; cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "items/cpu-s")
			}
			b.ReportMetric(float64(hits)/float64(b.N), "hits/item")
		})
	}
}

// BenchmarkMatchRepetitive is a 256 KB page repeating the words NEAR
// joins, the worst case for proximity.
func BenchmarkMatchRepetitive(b *testing.B) {
	m, err := Compile(shippedTopics(b))
	if err != nil {
		b.Fatal(err)
	}
	it := Item{Body: strings.Repeat("Сафаров брат Sputnik Baku ", 10000)}
	b.SetBytes(int64(len(it.Body)))
	for b.Loop() {
		if len(m.Match(it)) == 0 {
			b.Fatal("no hit")
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	topics := benchTopics(1000, benchVocab(5000))
	for b.Loop() {
		if _, err := Compile(topics); err != nil {
			b.Fatal(err)
		}
	}
}
