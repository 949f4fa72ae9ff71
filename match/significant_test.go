package match

import (
	"slices"
	"testing"
)

func TestNamesSkipsSentenceStartsAndLowerCase(t *testing.T) {
	it := Item{
		Title:   "Court in Baku sentences Belousov",
		Summary: "The court sentenced Yevgeny Belousova's colleague Igor Kartavykh. Flight 8243 was mentioned; Kartavıxın lawyer spoke.",
	}
	var got []string
	for _, n := range Names(it) {
		got = append(got, n.Form)
	}
	// "Court" begins the title and is also written "court"; "The" and
	// "Flight" begin sentences; Belousov and Belousova are one stem, as
	// are Kartavıx and Kartavıxın (but Kartavykh is another spelling).
	want := []string{"Baku", "Belousov", "Yevgeny", "Igor", "Kartavykh", "8243"}
	if !slices.Equal(got, want) {
		t.Errorf("Names = %q, want %q", got, want)
	}
}

func TestScoreJLH(t *testing.T) {
	// 4 of 10 matches, 5 of 1000 items: (0.4-0.005)*(0.4/0.005) = 31.6.
	if got := Score(4, 10, 5, 1000); got < 31.59 || got > 31.61 {
		t.Errorf("Score = %v, want 31.6", got)
	}
	if got := Score(1, 10, 100, 1000); got != 0 {
		t.Errorf("Score of a term no more frequent in the matches = %v, want 0", got)
	}
}

func TestTopAndRelated(t *testing.T) {
	bg, fg := NewBackground(), NewForeground()
	add := func(title string, match bool) {
		terms := Names(Item{Title: title})
		bg.Add(terms)
		if match {
			fg.Add(Ref{Title: title}, terms)
		}
	}
	add("Police in Yekaterinburg detain Safarov brothers", true)
	add("Court hears the Safarov case in Yekaterinburg", true)
	add("Lawyer of Safarov family speaks in Moscow", true)
	for range 20 {
		add("Weather in Moscow and Baku", false)
	}
	top := Top(fg, bg, 2, 10)
	if len(top) != 2 || top[0].Key != "safaro" || top[1].Key != "yekate" {
		t.Fatalf("Top = %+v, want Safarov then Yekaterinburg", top)
	}
	if top[0].FG != 3 || top[0].BG != 3 || len(top[0].Examples) != 3 || top[0].Examples[0].Title != "Lawyer of Safarov family speaks in Moscow" {
		t.Errorf("Safarov: %+v", top[0])
	}
	p := NewProfile(fg, bg, ProfileOptions{Terms: 10, MinDocs: 2, MinLift: 2})
	rel, ok := p.Related(Names(Item{Title: "Court in Yekaterinburg frees a Safarov relative"}), 2)
	if !ok || !slices.Equal(rel.Terms, []string{"Yekaterinburg", "Safarov"}) || rel.Like[0].Title != "Court hears the Safarov case in Yekaterinburg" {
		t.Errorf("Related = %+v, %v", rel, ok)
	}
	if _, ok := p.Related(Names(Item{Title: "Moscow weather: Safarov Street flooded"}), 2); ok {
		t.Error("an item sharing one term is related with min_shared 2")
	}
}

// Counts merged from parts score as counts taken at once.
func TestMergeEqualsWhole(t *testing.T) {
	titles := []string{"Police in Yekaterinburg detain Safarov brothers", "Court hears the Safarov case in Yekaterinburg",
		"Weather in Moscow and Baku", "Lawyer of Safarov family speaks in Moscow"}
	whole, wfg := NewBackground(), NewForeground()
	parts := []*Background{NewBackground(), NewBackground()}
	pfg := []*Foreground{NewForeground(), NewForeground()}
	for i, title := range titles {
		terms := Names(Item{Title: title})
		whole.Add(terms)
		parts[i%2].Add(terms)
		if i != 2 {
			wfg.Add(Ref{Title: title}, terms)
			pfg[i%2].Add(Ref{Title: title}, terms)
		}
	}
	bg, fg := NewBackground(), NewForeground()
	for i := range parts {
		bg.Merge(parts[i])
		fg.Merge(pfg[i])
	}
	a, b := Top(wfg, whole, 2, 10), Top(fg, bg, 2, 10)
	if len(a) == 0 || len(a) != len(b) || a[0].Key != b[0].Key || a[0].Score != b[0].Score || a[0].FG != b[0].FG || a[0].BG != b[0].BG {
		t.Errorf("merged Top %+v, whole %+v", b, a)
	}
}

// A name the matches inflect is suggested as its stem with *, and its
// forms are listed, most frequent first.
func TestTopPastesInflectedNamesAsPrefix(t *testing.T) {
	bg, fg := NewBackground(), NewForeground()
	for _, title := range []string{"Суд арестовал Евгения Белоусова", "Адвокат Белоусова обжаловал арест", "Защита Белоусов заявила"} {
		terms := Names(Item{Title: title})
		bg.Add(terms)
		fg.Add(Ref{Title: title}, terms)
	}
	for range 10 {
		bg.Add(Names(Item{Title: "Погода в Москве"}))
	}
	top := Top(fg, bg, 2, 5)
	if len(top) == 0 || top[0].Paste != "Белоус*" || !slices.Equal(top[0].Forms, []string{"Белоусова", "Белоусов"}) {
		t.Errorf("Top = %+v, want Белоус* with forms Белоусова, Белоусов", top)
	}
}
