package match

import (
	"errors"
	"slices"
	"testing"
	"unicode/utf8"
)

// Seeds live in testdata/fuzz/<Name>/ as well; these add the shapes of
// the shipped topics.
func FuzzParseQuery(f *testing.F) {
	for _, q := range []string{`Сафаров* NEAR/5 (брат* OR brother*)`, `title:(AZAL OR АЗАЛ) -"Sputnik V"`, `J2-8243 NEAR/2f "black box*"`} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := parse(q)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) || qe.Line < 1 || qe.Col < 1 || qe.Msg == "" {
				t.Fatalf("parse(%q): error %v is not a positioned *QueryError", q, err)
			}
			return
		}
		if !n.positive() {
			t.Fatalf("parse(%q) accepted a purely negative query %s", q, n)
		}
		m, err := Compile([]Topic{{ID: "f", Query: q, Exclude: []string{q}}})
		if err != nil {
			t.Fatalf("parse accepted %q but Compile failed: %v", q, err)
		}
		if hits := m.Match(Item{Title: q, Body: q}); len(hits) != 0 {
			t.Fatalf("query %q matched although its exclude is itself", q)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Ека\u00adтеринбург", "İLHAM ƏLİYEV ﬁ ２０２５", "<p>Belousov</p><script>x</script>&amp;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(htmlText(s))
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", s, n, again)
		}
		for _, tk := range appendTokens(nil, n, fieldBody) {
			if tk.key == "" || tk.start >= tk.end || int(tk.end) > len(n) {
				t.Fatalf("bad token %+v in %q", tk, n)
			}
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("Azerbaijan Airlines plane crash near Aktau", "<p>J2-8243 &amp; Сафаровых</p>")
	f.Add("Картавых", "Белоусов Евгений")
	m, err := Compile(shippedTopics(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, body string) {
		it := Item{Title: title, Summary: body, Body: body}
		var got, want []string
		for _, h := range m.Match(it) {
			got = append(got, h.Topic)
			if !utf8.ValidString(h.Snippet) {
				t.Fatalf("snippet %q is not valid UTF-8", h.Snippet)
			}
		}
		for _, e := range m.Explain(it) {
			if e.Matched {
				want = append(want, e.Topic)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Match %q, Explain %q", got, want)
		}
	})
}
