package match

import (
	"errors"
	"strings"
	"testing"
)

func TestParseGood(t *testing.T) {
	cases := []struct {
		name, query, want string
	}{
		{"or binds loosest", `a OR b c`, `(a OR (b AND c))`},
		{"explicit and", `a AND b OR c`, `((a AND b) OR c)`},
		{"prefix near group", `Сафаров* NEAR/5 (брат* OR brother)`, `(сафаров* NEAR/5 (брат* OR brother))`},
		{"hyphenated word is a phrase", `J2-8243`, `"j2 8243"`},
		{"apostrophe suffix splits", `AZAL’ın`, `"azal in"`},
		{"minus negates", `"Azerbaijan Airlines" -vaccine`, `("azerbaijan airlines" AND NOT vaccine)`},
		{"not binds tighter than and", `NOT a b`, `(NOT a AND b)`},
		{"field on group", `title:(AZAL OR АЗАЛ) AND crash*`, `((title:azal OR title:азал) AND crash*)`},
		{"field on phrase with prefix", `body:"black box*"`, `body:"black box*"`},
		{"text field is the default", `text:AZAL`, `azal`},
		{"near chains left", `a NEAR/3f b NEAR/2 c`, `((a NEAR/3f b) NEAR/2 c)`},
		{"newlines are spaces", "a\nOR b", `(a OR b)`},
		{"nfkc full width", `ＡＺＡＬ`, `azal`},
		{"dotted capital I", `İLHAM`, `ilham`},
		{"dotless i folds", `Bakı`, `baki`},
		{"yo folds", `Ёлкин`, `елкин`},
		{"soft hyphen removed", "Ека\u00adтеринбург", `екатеринбург`},
		{"diacritics kept", `Səfərov`, `səfərov`},
		{"lowercase or is a word", `a or b`, `(a AND or AND b)`},
		{"word starting NEAR", `NEARBY`, `nearby`},
		{"negated group", `a -(b OR c)`, `(a AND NOT (b OR c))`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := parse(tc.query)
			if err != nil {
				t.Fatalf("parse(%q): %v", tc.query, err)
			}
			if got := n.String(); got != tc.want {
				t.Errorf("parse(%q) = %s, want %s", tc.query, got, tc.want)
			}
		})
	}
}

func TestParseBad(t *testing.T) {
	cases := []struct {
		name, query, want string
	}{
		{"open paren", `(a OR b`, `1:1: unbalanced "(": no matching ")"`},
		{"open paren on line 2", "a OR\n  (b OR c", `2:3: unbalanced "(": no matching ")"`},
		{"close paren", `a OR b)`, `1:7: unbalanced ")"`},
		{"dangling and", `a AND`, `1:6: expected a term, phrase or group, got end of query`},
		{"dangling or in group", `x OR (`, `1:7: expected a term, phrase or group, got end of query`},
		{"only not", `NOT a`, `1:1: query is only negative: it needs a term that must occur`},
		{"only minus", `-a -b`, `1:1: query is only negative: it needs a term that must occur`},
		{"or not", `a OR NOT b`, `1:1: query is only negative: it needs a term that must occur`},
		{"short prefix", `x AND ab*`, `1:7: prefix "ab*" is too short: write at least 3 letters before "*"`},
		{"inner wildcard", `a*b`, `1:1: wildcard "*" is allowed only at the end of a word (in "a*b")`},
		{"unterminated phrase", `a "b c`, `1:3: unterminated phrase: missing closing '"'`},
		{"empty phrase", `a ""`, `1:3: empty phrase`},
		{"empty group", `a ()`, `1:4: empty group "()"`},
		{"unknown field", `foo:bar`, `1:1: unknown field "foo" (use title:, summary:, body: or text:)`},
		{"field then space", `title: a`, `1:1: field title: needs a term, phrase or group right after it`},
		{"bad near", `a NEAR/x b`, `1:3: bad NEAR distance "NEAR/x": want NEAR/n or NEAR/nf with n from 0 to 1000`},
		{"near without distance", `a NEAR b`, `1:3: NEAR needs a distance, as in NEAR/5`},
		{"and inside near", `(a AND b) NEAR/3 c`, `1:11: NEAR takes terms, phrases or OR-groups of them, not AND or NOT`},
		{"not inside near", `a NEAR/3 NOT b`, `1:10: expected a term, phrase or group, got NOT`},
		{"loose minus", `a - b`, `1:3: "-" must be written right before a term or group`},
		{"punctuation only", `a «»`, `1:3: "«»" has no letters or digits`},
		{"empty", `  `, `1:1: empty query`},
		{"column counts characters", `Сафаров OR )`, `1:12: unbalanced ")"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ParseQuery(tc.query)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("ParseQuery(%q) = %v, want a *QueryError", tc.query, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("ParseQuery(%q) error\n got %s\nwant %s", tc.query, got, tc.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	topics := []Topic{
		{ID: "sputnik-detainees", Query: "Kartavykh", Exclude: []string{"vaccine", `Sputnik AND (V OR "Спутник V"`}},
		{ID: "azal", Query: "AZAL NEAR/3"},
		{ID: "azal", Query: "AZAL"},
		{ID: "", Query: "x"},
		{ID: "few", Query: "a OR b", MinTerms: 3},
	}
	_, err := Compile(topics)
	if err == nil {
		t.Fatal("Compile accepted broken topics")
	}
	want := []string{
		`topic sputnik-detainees: exclude[1]: 1:13: unbalanced "(": no matching ")"`,
		`topic azal: query: 1:12: expected a term, phrase or group, got end of query`,
		`topic azal: id: duplicate topic id (topics #2 and #3)`,
		`topic #4: id: topic has no id`,
		`topic few: min_terms: min_terms 3 exceeds the 2 distinct terms of the query`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("Compile error\n got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	var qe *QueryError
	if !errors.As(err, &qe) || qe.Topic != "sputnik-detainees" || qe.Field != "exclude[1]" || qe.Col != 13 {
		t.Errorf("first error = %+v, want topic sputnik-detainees, exclude[1], column 13", qe)
	}
}
