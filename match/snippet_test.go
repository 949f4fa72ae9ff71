package match

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSnippet(t *testing.T) {
	long := strings.Repeat("Бакинский суд по тяжким преступлениям рассмотрел ходатайство защиты. ", 3)
	cases := []struct {
		name  string
		body  string
		query string
		want  string // exact snippet, or "" to check only the properties
	}{
		{"short text whole", "Картавых переведён под домашний арест.", "Картавых", "Картавых переведён под домашний арест."},
		{"whitespace collapsed", "Картавых\n\n  переведён", "Картавых", "Картавых переведён"},
		{"unbroken text before the word dropped", strings.Repeat("ы", 300) + " AZAL", "AZAL", "…AZAL"},
		{"cyrillic cut on word boundaries", long + "Игорь Картавых переведён под домашний арест. " + long, "Картавых", ""},
		{"match at start of long text", "Картавых " + long, "Картавых", ""},
		{"match at end of long text", long + "Картавых", "Картавых", ""},
		{"azerbaijani text", strings.Repeat("Bakı şəhərində məhkəmə iclası keçirilib. ", 8) + "Kartavıx " + strings.Repeat("ağır cinayətlər ", 20), "Kartavıx", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Compile([]Topic{{ID: "t", Query: tc.query}})
			if err != nil {
				t.Fatal(err)
			}
			hits := m.Match(Item{Body: tc.body})
			if len(hits) != 1 {
				t.Fatalf("no hit for %q", tc.query)
			}
			s := hits[0].Snippet
			if tc.want != "" && s != tc.want {
				t.Errorf("snippet\n got %q\nwant %q", s, tc.want)
			}
			checkSnippet(t, s, tc.body, tc.query)
		})
	}
}

// checkSnippet asserts what a reader relies on: valid UTF-8, about 200
// characters, the matched word present, and cuts only between words.
func checkSnippet(t *testing.T, s, text, word string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("snippet is not valid UTF-8: %q", s)
	}
	if n := utf8.RuneCountInString(s); n > snippetLen+2 {
		t.Errorf("snippet has %d characters, want at most %d: %q", n, snippetLen+2, s)
	}
	if !strings.Contains(s, word) {
		t.Errorf("snippet lacks the matched word %q: %q", word, s)
	}
	flat := " " + strings.Join(strings.Fields(text), " ") + " "
	inner := strings.TrimSuffix(strings.TrimPrefix(s, "…"), "…")
	if !strings.Contains(flat, " "+inner+" ") {
		t.Errorf("snippet %q is not whole words of the text", s)
	}
	if strings.HasPrefix(s, "…") == strings.HasPrefix(flat, " "+inner) || strings.HasSuffix(s, "…") == strings.HasSuffix(flat, inner+" ") {
		t.Errorf("snippet %q: an ellipsis must mark exactly the cut ends", s)
	}
}
