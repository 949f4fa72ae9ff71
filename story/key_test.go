package story

import (
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNameKeySpellings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lang  string
		words []string
	}{
		{"Kartavykh", "", []string{"Kartavykh", "Картавых", "Kartavyh"}},
		{"Kartavykh in Azerbaijani", "az", []string{"Kartavıx", "Kartavykh"}},
		{"Safarov inflected", "", []string{"Safarov", "Сафаров", "Сафарова", "Səfərov", "Səfərovun"}},
		{"Yekaterinburg", "", []string{"Yekaterinburg", "Екатеринбург", "Екатеринбурге", "Ekaterinburq", "Yekaterinburqda"}},
		{"Azerbaijan", "", []string{"Azerbaijan", "Azərbaycan", "Azərbaycanın", "Азербайджан"}},
		{"Yevgeny", "", []string{"Yevgeny", "Евгений", "Evgeni", "Yevgeni", "Евгению"}},
		{"Aliyev", "", []string{"Aliyev", "Алиев", "Əliyev"}},
		{"Igor", "", []string{"Igor", "İqor", "Игорь"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := nameKey(tc.words[0], tc.lang)
			if want == "" {
				t.Fatalf("nameKey(%q) is empty", tc.words[0])
			}
			for _, w := range tc.words[1:] {
				if got := nameKey(w, tc.lang); got != want {
					t.Errorf("nameKey(%q) = %q, want %q (as %s)", w, got, want, tc.words[0])
				}
			}
		})
	}
	if a, b := nameKey("Azerbaijan", "en"), nameKey("Азербайджан", "ru"); a != b {
		t.Errorf("Azerbaijan %q and Азербайджан %q differ", a, b)
	}
	if a, b := nameKey("Kartavykh", ""), nameKey("Belousov", ""); a == b {
		t.Errorf("different names share the key %q", a)
	}
}

func TestFingerprintNumbers(t *testing.T) {
	t.Parallel()
	ru := Fingerprint(Doc{Lang: "ru", Title: "Суд арестовал на четыре месяца", Body: "До 12 лет."})
	az := Fingerprint(Doc{Lang: "az", Title: "dörd ay müddətinə həbs", Body: "12 ilədək"})
	en := Fingerprint(Doc{Lang: "en", Title: "held for four months", Body: "up to 12 years, on 01 July"})
	undeclared := Fingerprint(Doc{Title: "dörd ay müddətinə", Body: "12 ilədək; it went on"})
	for _, p := range []Print{ru, az, en, undeclared} {
		if countShared(p.Numbers, []string{"#12", "#4"}) != 2 {
			t.Errorf("numbers %v, want #12 and #4 among them", p.Numbers)
		}
	}
	if contains(undeclared.Numbers, "#10") {
		t.Errorf("English \"on\" read as the Azerbaijani ten in text of no declared language: %v", undeclared.Numbers)
	}
	if !contains(en.Numbers, "#1") {
		t.Errorf("a leading zero is not dropped: %v", en.Numbers)
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if x == y {
			return true
		}
	}
	return false
}

// TestSameAcrossLanguages: one court ruling reported in three languages is
// one story; the raid of the day before, on the same people, is another.
func TestSameAcrossLanguages(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 7, 1, 14, 0, 0, 0, time.UTC)
	ruling := []Doc{
		{Lang: "ru", Published: at, Title: "Суд в Баку арестовал на четыре месяца руководителей «Спутник Азербайджан»",
			Body: "Директору Игорю Картавых и главному редактору Евгению Белоусову грозит до 12 лет. Захарова потребовала освобождения."},
		{Lang: "az", Published: at.Add(90 * time.Minute), Title: "İqor Kartavıx və Yevgeni Belousov dörd ay müddətinə həbs edilib",
			Body: "“Sputnik Azərbaycan”ın rəhbərləri barəsində 4 ay həbs. Maddələr 12 ilədək azadlıqdan məhrumetmə nəzərdə tutur."},
		{Lang: "en", Published: at.Add(3 * time.Hour), Title: "Azerbaijan court jails two Sputnik executives for four months",
			Body: "Director Igor Kartavykh and editor-in-chief Yevgeny Belousov face up to 12 years. Zakharova called it unfriendly."},
	}
	raid := Doc{Lang: "ru", Published: at.Add(-24 * time.Hour), Title: "В Баку задержали сотрудников «Спутник Азербайджан»",
		Body: "Полиция провела обыски в офисе агентства. Связь с директором Игорем Картавых потеряна."}
	var ps []Print
	for _, d := range ruling {
		ps = append(ps, Fingerprint(d))
	}
	x := NewIndex(append(ps, Fingerprint(raid)))
	got := Group(x, [][]Print{{Fingerprint(raid)}}, ps)
	if len(got) != 1 || got[0].Earlier != -1 || len(got[0].Members) != 3 {
		t.Fatalf("Group = %+v, want one new story of three reports, apart from the raid", got)
	}
	if got[0].Members[0] != 0 {
		t.Errorf("first report is %d, want the earliest (0)", got[0].Members[0])
	}
	// A later report of the ruling, in the next digest, adds to it.
	later := Fingerprint(Doc{Lang: "en", Published: at.Add(5 * time.Hour), Title: "Sputnik Azerbaijan chiefs Kartavykh, Belousov held four months",
		Body: "Igor Kartavykh and Yevgeny Belousov could face 12 years in prison."})
	got = Group(x, [][]Print{{Fingerprint(raid)}, ps}, []Print{later})
	if len(got) != 1 || got[0].Earlier != 1 {
		t.Errorf("Group = %+v, want the later report added to the earlier ruling (1)", got)
	}
}

// TestPrintRoundTrip: a print stored as JSON and read back compares as
// before (the cycle keeps prints in the state file).
func TestPrintRoundTrip(t *testing.T) {
	t.Parallel()
	p := Fingerprint(Doc{Lang: "en", Published: time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC),
		Title: "Azerbaijan court jails Sputnik's Kartavykh and Belousov for four months", Body: wireText})
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Print
	if err := json.Unmarshal(raw, &q); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip changed the print:\n got %+v\nwant %+v", q, p)
	}
	t.Logf("a print takes %d bytes of JSON", len(raw))
	if len(raw) > 450 {
		t.Errorf("a print takes %d bytes of JSON; want it compact (under 450; 520 with 32-bit minima)", len(raw))
	}
	var bad Print
	if err := json.Unmarshal([]byte(`{"sig":"AAAA"}`), &bad); err != nil || bad.Sig != nil {
		t.Errorf("a short signature: %v, %v; want it dropped without error", bad.Sig, err)
	}
}

// TestEarlierSignatureCompares: a print an earlier version stored holds
// the full 32-bit minima; read back, it compares with a print made now as
// the same wording should (resemblance 1), so the stories in a state file
// written before still take their later reports.
func TestEarlierSignatureCompares(t *testing.T) {
	t.Parallel()
	d := Doc{Lang: "en", Published: time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC),
		Title: "Azerbaijan court jails Sputnik's Kartavykh and Belousov for four months", Body: wireText}
	now := Fingerprint(d)
	// The signature as the earlier version made and stored it: every
	// minimum whole, 256 bytes, base64 in the JSON.
	var words []string
	for _, f := range []string{d.Title, d.Body} {
		for _, w := range splitWords(f) {
			words = append(words, strings.ToLower(w))
		}
	}
	var old []byte
	for i := range sigSize {
		m := ^uint32(0)
		for _, h := range shingles(words) {
			m = min(m, uint32((h*seeds[i][0]+seeds[i][1])>>32))
		}
		old = binary.LittleEndian.AppendUint32(old, m)
	}
	stored, err := json.Marshal(map[string][]byte{"sig": old})
	if err != nil {
		t.Fatal(err)
	}
	var back Print
	if err := json.Unmarshal(stored, &back); err != nil {
		t.Fatalf("decode an earlier print: %v", err)
	}
	if len(back.Sig) != sigSize {
		t.Fatalf("an earlier signature of %d bytes was dropped", len(old))
	}
	if r := resemblance(back.Sig, now.Sig); r != 1 {
		t.Errorf("an earlier signature of the same wording resembles today's by %.2f, want 1", r)
	}
	other := Fingerprint(Doc{Lang: "en", Title: "AZAL flight 8243 crashed near Aktau", Body: "The Embraer came down on Christmas Day."})
	if r := resemblance(back.Sig, other.Sig); r >= nearDupSim {
		t.Errorf("an earlier signature resembles other wording by %.2f", r)
	}
}

const wireText = "Director Igor Kartavykh and editor-in-chief Yevgeny Belousov were detained during a police raid on the agency's Baku office on Monday."
