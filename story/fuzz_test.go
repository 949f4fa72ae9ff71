package story

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzGroup: whatever the text, every print is in exactly one cluster,
// clusters list their reports earliest first, and a print survives being
// stored as JSON.
func FuzzGroup(f *testing.F) {
	f.Add("Суд в Баку арестовал Картавых на четыре месяца", "İqor Kartavıx dörd ay həbs edilib", "Kartavykh held for 4 months", uint16(90))
	f.Add("", "\x00\xff", "AZAL-ın J2-8243 0000 ǝ İ ı", uint16(0))
	f.Add("A B C D E F", "A B C D E F", "A B C D E F", uint16(65535))
	f.Fuzz(func(t *testing.T, a, b, c string, minutes uint16) {
		at := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
		var ps []Print
		for i, s := range []string{a, b, c, a + " " + c} {
			ps = append(ps, Fingerprint(Doc{Lang: []string{"ru", "az", "en", ""}[i], Published: at.Add(time.Duration(i*int(minutes)) * time.Minute),
				Title: s, Summary: strings.ToUpper(s), Body: s}))
		}
		got := Group(NewIndex(ps), [][]Print{ps[:1]}, ps[1:])
		seen := map[int]int{}
		for _, cl := range got {
			if cl.Earlier < -1 || cl.Earlier > 0 || len(cl.Members) == 0 {
				t.Fatalf("bad cluster %+v", cl)
			}
			for j, m := range cl.Members {
				seen[m]++
				if j > 0 && ps[1+m].Time.Before(ps[1+cl.Members[j-1]].Time) {
					t.Fatalf("cluster %+v is not earliest first: %v then %v", cl, ps[1+cl.Members[j-1]].Time, ps[1+m].Time)
				}
			}
		}
		for i := range 3 {
			if seen[i] != 1 {
				t.Fatalf("print %d in %d clusters: %+v", i, seen[i], got)
			}
		}
		raw, err := json.Marshal(ps[0])
		if err != nil {
			t.Fatal(err)
		}
		var back Print
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
		if resemblance(back.Sig, ps[0].Sig) != resemblance(ps[0].Sig, ps[0].Sig) {
			t.Fatal("a stored signature compares differently")
		}
	})
}
