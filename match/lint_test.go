package match

import (
	"slices"
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	cases := []struct {
		name  string
		topic Topic
		want  []string // each must appear in one warning; none means no warnings
	}{
		{"clean", Topic{Query: `Картавых OR Kartavykh`}, nil},
		{"lowercase operator", Topic{Query: `Sputnik or Спутник`}, []string{`query: 1:9: "or" is matched as a word; operators are upper case (OR)`}},
		{"lowercase near", Topic{Query: `a near/3 b`}, []string{`"near/3" is matched as a word`}},
		{"short prefix", Topic{Query: `суд* AND Baku`}, []string{"query: 1:1: prefix суд* is very broad"}},
		{"wide near", Topic{Query: `a NEAR/30 b`}, []string{"query: 1:1: NEAR/30 is wide; above 15 it is close to AND"}},
		{"mixed script", Topic{Query: "Sрutnik"}, []string{`"sрutnik" mixes Cyrillic and Latin letters`}},
		{"missing latin spelling", Topic{Query: `=Картавых OR Belousov`}, []string{"картавых has no Latin spelling in the query; consider kartavykh, kartavih, kartavıx"}},
		{"folded name needs no latin spelling", Topic{Query: `Картавых OR Belousov`}, nil},
		{"latin spelling present as prefix", Topic{Query: `Екатеринбург* OR Yekaterinburg*`}, nil},
		{"exclude checked", Topic{Query: "x", Exclude: []string{"a OR b", "c and d"}}, []string{`exclude[1]: 1:3: "and" is matched as a word`}},
		{"parse error reported", Topic{Query: "(x"}, []string{`query: 1:1: unbalanced "("`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Lint(tc.topic)
			if len(tc.want) == 0 && len(got) > 0 {
				t.Errorf("Lint = %q, want no warnings", got)
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
					t.Errorf("Lint = %q, want a warning containing %q", got, w)
				}
			}
		})
	}
}

func TestVariants(t *testing.T) {
	cases := []struct {
		word string
		want []string
	}{
		{"Екатеринбург", []string{"yekaterinburg", "ekaterinburg", "yekaterinburq"}},
		{"Картавых", []string{"kartavykh", "kartavih", "kartavıx"}},
		{"Белоусов", []string{"belousov"}},
		{"Сафаров", []string{"safarov"}},
		{"Евгений", []string{"yevgeniy", "evgenii", "yevqeniy"}},
		{"Kartavykh", nil},
		{"J2-8243", nil},
	}
	for _, tc := range cases {
		t.Run(tc.word, func(t *testing.T) {
			if got := Variants(tc.word); !slices.Equal(got, tc.want) {
				t.Errorf("Variants(%q) = %q, want %q", tc.word, got, tc.want)
			}
		})
	}
}
