package story

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// wire is an agency text that outlets run lightly edited.
const wire = "The European Court of Human Rights asked the government to explain why the two men were held without access to a lawyer " +
	"for three days, and why their relatives were not told where they were, according to a statement published by the court on its website. " +
	"The government has until the end of the month to reply to the questions of the court."

func TestNearDuplicateWording(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 8, 1, 8, 0, 0, 0, time.UTC)
	a := Fingerprint(Doc{Lang: "en", Published: at, Title: "Strasbourg court asks questions", Body: wire})
	b := Fingerprint(Doc{Lang: "en", Published: at.Add(20 * time.Hour), Title: "Court in Strasbourg wants answers",
		Body: strings.Replace(wire, "according to a statement", "said a statement", 1)})
	other := Fingerprint(Doc{Lang: "en", Published: at.Add(time.Hour), Title: "Strasbourg court asks questions",
		Body: "The court also published its calendar of hearings for the autumn, with no case from the region on it."})
	if r := resemblance(a.Sig, b.Sig); r < nearDupSim {
		t.Fatalf("resemblance of a lightly edited copy = %.2f, want at least %.2f", r, nearDupSim)
	}
	x := NewIndex([]Print{a, b, other})
	if !x.Same(a, b) {
		t.Error("a lightly edited copy of one text, 20 hours later, is not the same story")
	}
	if x.Same(a, other) {
		t.Error("another text under the same headline is the same story")
	}
	// The same text declared in another language is not a near duplicate
	// by wording (it would be a different page); names and numbers decide.
	c := b
	c.Lang = "ru"
	if resemblance(a.Sig, c.Sig) >= nearDupSim && x.Same(a, c) {
		t.Error("wording decided across languages")
	}
}

func TestGroupDoesNotDrift(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 8, 1, 8, 0, 0, 0, time.UTC)
	// Each report is a lightly edited copy of the one before it, 20
	// hours apart: the fourth is over 48 hours after the first.
	var ps []Print
	body := wire
	for i := range 4 {
		ps = append(ps, Fingerprint(Doc{Lang: "en", Published: at.Add(time.Duration(i) * 20 * time.Hour), Title: "Strasbourg", Body: body}))
		body = strings.Replace(body, "the", "a", 1)
	}
	got := Group(NewIndex(ps), nil, ps)
	if len(got) != 2 || len(got[0].Members) != 3 || len(got[1].Members) != 1 || got[1].Members[0] != 3 {
		t.Errorf("Group = %+v, want the first three together and the fourth, past the window, apart", got)
	}
	for _, cl := range got {
		if cl.Earlier != -1 {
			t.Errorf("cluster %+v adds to an earlier story; there is none", cl)
		}
	}
}

// TestOneOutletOneReport: an outlet's second report of an event is its
// follow-up, an entry of its own, not "also reported by" itself.
func TestOneOutletOneReport(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 8, 1, 8, 0, 0, 0, time.UTC)
	docs := []Doc{
		{Source: "apa.az", Lang: "en", Published: at, Title: "Strasbourg court asks questions", Body: wire},
		{Source: "apa.az", Lang: "en", Published: at.Add(time.Hour), Title: "Strasbourg court asks questions (updated)", Body: wire},
		{Source: "trend.az", Lang: "en", Published: at.Add(2 * time.Hour), Title: "Strasbourg court asks questions", Body: wire},
	}
	var ps []Print
	for _, d := range docs {
		ps = append(ps, Fingerprint(d))
	}
	got := Group(NewIndex(ps), nil, ps)
	if len(got) != 2 || len(got[0].Members) != 2 || got[0].Members[1] != 2 || len(got[1].Members) != 1 || got[1].Members[0] != 1 {
		t.Errorf("Group = %+v, want apa.az's first report with trend.az's, and apa.az's update apart", got)
	}
}

// TestMergeCountsAsAdd: an Index that merged the counts of prints kept
// per day weighs every feature as one that added each print itself, so a
// daemon that keeps only the counts of old stories groups as before.
func TestMergeCountsAsAdd(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	var prints []Print
	for i, title := range []string{
		"Kartavykh and Belousov remain in Baku detention",
		"Court in Baku extends arrest of Sputnik Azerbaijan staff",
		"Yekaterinburg raid: Safarov brothers' relatives speak",
		"AZAL flight 8243 compensation talks in Moscow",
		"Belousov's lawyer appeals in Baku",
	} {
		prints = append(prints, Fingerprint(Doc{Lang: "en", Published: at.Add(time.Duration(i) * 20 * time.Hour), Title: title}))
	}
	whole := NewIndex(prints)
	merged := NewIndex(nil)
	day1, day2 := NewIndex(prints[:2]), NewIndex(prints[2:4])
	merged.Merge(day1)
	merged.Merge(day2)
	merged.Add(prints[4])
	if merged.Len() != whole.Len() || merged.Len() != len(prints) {
		t.Fatalf("merged index counts %d prints, whole %d, want %d", merged.Len(), whole.Len(), len(prints))
	}
	for _, p := range prints {
		for _, f := range append(slices.Clone(p.Names), p.Numbers...) {
			if a, b := merged.weight(f), whole.weight(f); a != b {
				t.Errorf("weight of %q: %v merged, %v added one by one", f, a, b)
			}
		}
	}
	if day1.Len() != 2 {
		t.Errorf("merging changed the index merged from: it counts %d prints, want 2", day1.Len())
	}
}
