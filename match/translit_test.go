package match

import (
	"strings"
	"testing"
)

// TestNameFolding checks the spellings and inflections a name in a query
// matches without "*" or a list, and what it must not match.
func TestNameFolding(t *testing.T) {
	t.Parallel()
	cases := []struct {
		query, text string
		want        bool
	}{
		// the same name in the other scripts
		{"Kartavykh", "Директор Картавых остается под арестом", true},
		{"Kartavykh", "Kartavıx həbsdə qalır", true},
		{"Картавых", "director Igor Kartavykh", true},
		{"Kartavıx", "Kartavikh was moved", true},
		{"Safarov", "братья Сафаровы", true},
		{"Safarov", "Səfərov qardaşları", true},
		{"Сафаров", "the Safarov brothers", true},
		{"Səfərov", "Сафаров", true},
		{"Belousov", "главред Белоусов", true},
		{"Белоусов", "Yevgeni Belousov", true},
		{"Ziyaddin", "Зияддин Сафаров", true},
		{"Ziyaddin", "Ziyəddin Səfərov", true},
		{"Зияддин", "Ziyaddin Safarov", true},
		{"Yekaterinburg", "в Екатеринбурге", true},
		{"Екатеринбург", "Yekaterinburq polisi", true},
		{"Yevgeny", "Евгений Белоусов", true},
		{"Grozny", "рейс Баку — Грозный", true},
		{"Grozny", "Qroznıya uçan təyyarə", true},
		{"Azerbaijan", "Sputnik Azərbaycan", true},
		{"Azerbaijan", "Sputnik Азербайджан", true},
		// inflected forms in Russian and Azerbaijani
		{"Сафаров", "гибель братьев Сафаровых", true},
		{"Сафаров", "с Сафаровым", true},
		{"Сафаров", "вдова Сафарова", true},
		{"Сафаров", "Сафаровой", true},
		{"Белоусов", "адвокат Белоусова", true},
		{"Kartavıx", "Kartavıxın vəkili", true},
		{"Kartavykh", "Kartavıxın vəkili", true},
		{"Səfərov", "Səfərovun cənazəsi", true},
		{"Safarov", "Səfərovlar ailəsi", true},
		{"Safarov", "Səfərovların qohumları", true},
		{"Ziyaddin", "Зияддина", true},
		{"Sverdlovsk", "Свердловской области", true},
		{"Sverdlovsk", "Sverdlovskdə məhkəmə", true},
		{"Aktau", "Aktauda qəza", true},
		{"Aktau", "под Актау", true},
		// prefixes fold too
		{"Екатеринбург*", "Yekaterinburg's police", true},
		{"Sputnik*", "сотрудники Спутника", true},
		// not the same name
		{"Safarov", "Safarli", false},
		{"Safarov", "Сафарян", false},
		{"Belousov", "Белоус", false},
		{"Kartavykh", "Карта", false},
		{"Baku", "Bakı", false},
		{"Grozny", "грозный взгляд", true}, // the same word: case never mattered
		// lower-case words are matched as written
		{"суд", "суда", false},
		{"court", "courts", false},
		// "=" opts a word out
		{"=Safarov", "Сафаров", false},
		{"=Safarov", "Safarova", false},
		{"=Safarov", "SAFAROV", true},
		{"=Сафаров*", "Safarovs", false},
		{"=Сафаров*", "Сафаровых", true},
		{`"=Sputnik V"`, "Спутник V", false},
		{`"Sputnik V"`, "Спутник V", true},
		{`"Sputnik =V"`, "Спутник V", true},
		{`"Azerbaijan Airlines"`, "Azərbaycan Airlines", true},
	}
	for _, tc := range cases {
		m, err := Compile([]Topic{{ID: "t", Query: tc.query}})
		if err != nil {
			t.Fatalf("compile %q: %v", tc.query, err)
		}
		if got := len(m.Match(Item{Body: tc.text})) == 1; got != tc.want {
			t.Errorf("query %q on %q: matched %v, want %v\n%s", tc.query, tc.text, got, tc.want, m.Explain(Item{Body: tc.text})[0])
		}
	}
}

func TestNameFoldingTerms(t *testing.T) {
	t.Parallel()
	m, err := Compile([]Topic{{ID: "t", Query: "Kartavykh NEAR/3 Belousov"}})
	if err != nil {
		t.Fatal(err)
	}
	hits := m.Match(Item{Title: "Kartavıxın və Belousovun həbsi uzadıldı"})
	if len(hits) != 1 || strings.Join(hits[0].Terms, ",") != "Kartavıxın,Belousovun" {
		t.Fatalf("hits = %+v, want one hit with the words as written", hits)
	}
	if e := m.Explain(Item{Title: "Kartavıxın"})[0].String(); !strings.Contains(e, `as "Kartavıxın"`) {
		t.Errorf("explanation does not show the folded word:\n%s", e)
	}
}

func TestExactMarkErrors(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"Saf=arov", `"a b=c"`} {
		err := ParseQuery(q)
		if err == nil || !strings.Contains(err.Error(), `"=" (match exactly as written) is allowed only at the start of a word`) {
			t.Errorf("ParseQuery(%q) = %v, want the misplaced = named", q, err)
		}
	}
	if err := ParseQuery("=Sputnik AND =Спутник*"); err != nil {
		t.Errorf("ParseQuery: %v", err)
	}
}

func TestNoFoldMatchesAsWritten(t *testing.T) {
	t.Parallel()
	m, err := compile([]Topic{{ID: "t", Query: "Safarov"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Match(Item{Body: "Сафаров"})) != 0 || len(m.Match(Item{Body: "Safarov"})) != 1 {
		t.Error("with folding off, Safarov must match only Safarov")
	}
}
