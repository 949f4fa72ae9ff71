package match

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func TestMatchSemantics(t *testing.T) {
	body := func(s string) Item { return Item{Body: s} }
	cases := []struct {
		name     string
		query    string
		exclude  []string
		minTerms int
		item     Item
		want     bool
	}{
		{"term any case", "azal", nil, 0, body("AZAL plane"), true},
		{"term is a whole word", "спутник", nil, 0, body("геоспутник на орбите"), false},
		{"prefix matches inflection", "Сафаров*", nil, 0, body("братьев Сафаровых"), true},
		{"exact word does not match inflection", "=Сафаров", nil, 0, body("братьев Сафаровых"), false},
		{"name matches inflection", "Сафаров", nil, 0, body("братьев Сафаровых"), true},
		{"lower-case word does not fold", "сафаров", nil, 0, body("братьев Сафаровых"), false},
		{"prefix is not infix", "фаров*", nil, 0, body("Сафаровых"), false},
		{"plain query word matches diacritics", "Seferov", nil, 0, body("Səfərov qardaşları"), true},
		{"diacritic query word needs them", "=Səfərov", nil, 0, body("Safarov brothers"), false},
		{"diacritic name matches other scripts", "Səfərov", nil, 0, body("Safarov brothers"), true},
		{"diacritic query word matches them", "Səfərov*", nil, 0, body("SƏFƏROV QARDAŞLARININ"), true},
		{"dotted capital I in text", "ilham", nil, 0, body("İLHAM ƏLİYEV"), true},
		{"dotless i in query", "Bakı", nil, 0, body("BAKI court"), true},
		{"yo in text", "Картавых переведен", nil, 0, body("Картавых переведён"), true},
		{"soft hyphen in text", "Екатеринбург*", nil, 0, body("в Ека\u00adтеринбурге"), true},
		{"cyrillic is not stripped", "иод", nil, 0, body("йод"), false},
		{"html entity in summary", `"Sputnik Azerbaijan"`, nil, 0, Item{Summary: "<p>Sputnik&nbsp;Azerbaijan</p>"}, true},
		{"script text ignored", "vaccine", nil, 0, Item{Summary: `<script>var x="vaccine"</script>news`}, false},
		{"phrase adjacent", `"Azerbaijan Airlines"`, nil, 0, body("an Azerbaijan Airlines jet"), true},
		{"phrase in order only", `"Airlines Azerbaijan"`, nil, 0, body("Azerbaijan Airlines"), false},
		{"phrase not across fields", `"Grozny crash"`, nil, 0, Item{Title: "Grozny", Summary: "crash"}, false},
		{"flight number with any dash", "J2-8243", nil, 0, body("рейс J2‑8243 (U+2011)"), true},
		{"flight number with space", "J2-8243", nil, 0, body("flight J2 8243"), true},
		{"near within", "Safarov NEAR/2 brothers", nil, 0, body("Safarov and his brothers"), true},
		{"near either order", "brothers NEAR/2 Safarov", nil, 0, body("Safarov and his brothers"), true},
		{"near too far", "Safarov NEAR/1 brothers", nil, 0, body("Safarov and his brothers"), false},
		{"near ordered rejects reverse", "brothers NEAR/5f Safarov", nil, 0, body("Safarov and his brothers"), false},
		{"near ordered accepts order", "Safarov NEAR/5f brothers", nil, 0, body("Safarov and his brothers"), true},
		{"near with phrase", `"Sputnik Azerbaijan" NEAR/3 raid*`, nil, 0, body("police raided the Sputnik Azerbaijan office"), true},
		{"near with or group", "(Kartavykh OR Belousov) NEAR/1 detained", nil, 0, body("Belousov was detained"), true},
		{"near not across fields", "AZAL NEAR/50 crash", nil, 0, Item{Title: "AZAL", Body: "crash"}, false},
		{"title field", "title:AZAL", nil, 0, Item{Title: "Flights", Body: "AZAL"}, false},
		{"title field hit", "title:AZAL", nil, 0, Item{Title: "AZAL flights"}, true},
		{"text field is all", "text:AZAL", nil, 0, Item{Body: "AZAL"}, true},
		{"and needs both", "AZAL AND crash", nil, 0, body("AZAL route"), false},
		{"not vetoes", "AZAL -route", nil, 0, body("AZAL route"), false},
		{"exclude vetoes", "Sputnik*", []string{`"Sputnik V"`}, 0, body("Sputnik V vaccine"), false},
		{"exclude passes", "Sputnik*", []string{`"Sputnik V"`}, 0, body("Sputnik Azerbaijan"), true},
		{"min terms unmet", "AZAL OR crash OR Aktau", nil, 2, body("AZAL route"), false},
		{"min terms met", "AZAL OR crash OR Aktau", nil, 2, body("AZAL crash"), true},
		{"min terms counts a prefix once", "Сафаров* OR брат*", nil, 2, body("Сафаров и Сафаровых"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Compile([]Topic{{ID: "t", Query: tc.query, Exclude: tc.exclude, MinTerms: tc.minTerms}})
			if err != nil {
				t.Fatalf("compile %q: %v", tc.query, err)
			}
			if got := len(m.Match(tc.item)) == 1; got != tc.want {
				t.Errorf("query %q on %+v: matched %v, want %v\n%s", tc.query, tc.item, got, tc.want, m.Explain(tc.item)[0])
			}
		})
	}
}

func TestMatchHits(t *testing.T) {
	m, err := Compile([]Topic{
		{ID: "sputnik-detainees", Query: "Картавых OR (Белоусов* NEAR/3 Евгени*) -вакцин*"},
		{ID: "azal-compensation", Query: "АЗАЛ AND компенсац*"},
		{ID: "yekaterinburg-case", Query: "Екатеринбург*"},
	})
	if err != nil {
		t.Fatal(err)
	}
	it := Item{
		Title:   "Суд продлил арест Евгению Белоусову",
		Summary: "<p>Защита Игоря Картавых и Евгения Белоусова обжалует решение.</p>",
		Body:    "Белоусов и Картавых задержаны 30 июня.",
	}
	hits := m.Match(it)
	if len(hits) != 1 || hits[0].Topic != "sputnik-detainees" {
		t.Fatalf("hits = %+v, want only sputnik-detainees", hits)
	}
	if want := []string{"Евгению", "Белоусову", "Картавых", "Евгения", "Белоусова", "Белоусов"}; !slices.Equal(hits[0].Terms, want) {
		t.Errorf("terms = %q, want %q", hits[0].Terms, want)
	}
	if want := "Суд продлил арест Евгению Белоусову"; hits[0].Snippet != want {
		t.Errorf("snippet = %q, want %q", hits[0].Snippet, want)
	}
}

func TestMatchWindows1251Item(t *testing.T) {
	// An item from a site that serves windows-1251, decoded as crawl does
	// before matching.
	raw, err := charmap.Windows1251.NewEncoder().String("Суд в Баку арестовал руководителей «Спутник Азербайджан»")
	if err != nil {
		t.Fatal(err)
	}
	title, err := charmap.Windows1251.NewDecoder().String(raw)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile([]Topic{{ID: "s", Query: `"Спутник Азербайджан*"`}})
	if err != nil {
		t.Fatal(err)
	}
	if hits := m.Match(Item{Title: title}); len(hits) != 1 {
		t.Errorf("windows-1251 title %q did not match", title)
	}
}

func TestMatchOrderAndExplain(t *testing.T) {
	m, err := Compile([]Topic{
		{ID: "b", Query: "crash*"},
		{ID: "a", Query: "AZAL", Exclude: []string{"route*", "fares"}},
		{ID: "c", Query: "NOT x y"},
	})
	if err != nil {
		t.Fatal(err)
	}
	it := Item{Title: "AZAL crash", Body: "new fares y"}
	var ids []string
	for _, h := range m.Match(it) {
		ids = append(ids, h.Topic)
	}
	if want := []string{"b", "c"}; !slices.Equal(ids, want) {
		t.Errorf("hit topics = %q, want %q (topic order, a vetoed)", ids, want)
	}
	ex := m.Explain(it)
	if len(ex) != 3 || ex[1].Topic != "a" || ex[1].Matched || !ex[1].QueryMatched || ex[1].Excluded != 1 {
		t.Fatalf("explain a = %+v, want query matched and exclude[1] fired", ex[1])
	}
	s := ex[1].String()
	for _, want := range []string{"topic a: no match", `found azal as "AZAL" in title`, "vetoed by exclude[1]: fares"} {
		if !strings.Contains(s, want) {
			t.Errorf("explanation lacks %q:\n%s", want, s)
		}
	}
}

// TestPresearchAgreesWithFullEvaluation checks that skipping topics whose
// required words are absent never changes a verdict: Explain evaluates
// every topic, Match only the candidates.
func TestPresearchAgreesWithFullEvaluation(t *testing.T) {
	vocab := benchVocab(300)
	topics := benchTopics(300, vocab)
	topics = append(topics, Topic{ID: "neg", Query: vocab[60] + " OR (" + vocab[61] + " -" + vocab[62] + ")"})
	m, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.always) != 0 {
		t.Errorf("%d topics escaped the presearcher, want 0", len(m.always))
	}
	hits := 0
	for i, it := range benchItems(150, vocab) {
		var fromMatch, fromExplain []string
		for _, h := range m.Match(it) {
			fromMatch = append(fromMatch, h.Topic)
		}
		for _, e := range m.Explain(it) {
			if e.Matched {
				fromExplain = append(fromExplain, e.Topic)
			}
		}
		if !slices.Equal(fromMatch, fromExplain) {
			t.Fatalf("item %d: Match found %q, full evaluation %q", i, fromMatch, fromExplain)
		}
		hits += len(fromMatch)
	}
	if hits == 0 {
		t.Fatal("no topic matched any item: the comparison proves nothing")
	}
}

func TestMatchConcurrent(t *testing.T) {
	m, err := Compile(shippedTopics(t))
	if err != nil {
		t.Fatal(err)
	}
	it := Item{Title: "Azerbaijan Airlines plane crashes near Aktau", Body: "Flight J2-8243 was flying from Baku to Grozny."}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if hits := m.Match(it); len(hits) != 1 || hits[0].Topic != "azal-compensation" {
					t.Errorf("hits = %+v, want azal-compensation", hits)
					return
				}
			}
		})
	}
	wg.Wait()
}
