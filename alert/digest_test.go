package alert

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	tests := []struct {
		name string
		d    Digest
		want int
	}{
		{"empty", Digest{}, 0},
		{"topics without items", Digest{Topics: []Topic{{ID: "a"}, {ID: "b"}}}, 0},
		{"fixture", testDigest(), 5},
		{"big", bigDigest(130), 130},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Count(); got != tc.want {
				t.Errorf("Count() = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSorted(t *testing.T) {
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name  string
		items []Entry
		want  []string // URLs in order
	}{
		{"newest first", []Entry{{URL: "a", Published: at(1)}, {URL: "b", Published: at(3)}, {URL: "c", Published: at(2)}},
			[]string{"b", "c", "a"}},
		{"ties by url", []Entry{{URL: "z", Published: at(1)}, {URL: "m", Published: at(1)}, {URL: "a", Published: at(1)}},
			[]string{"a", "m", "z"}},
		{"same instant in other zones is a tie", []Entry{{URL: "y", Published: at(0).In(baku)}, {URL: "x", Published: at(0)}},
			[]string{"x", "y"}},
		{"unknown time last", []Entry{{URL: "a"}, {URL: "b", Published: at(1)}}, []string{"b", "a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Digest{Topics: []Topic{{ID: "second"}, {ID: "first", Items: tc.items}}}
			before := slices.Clone(tc.items)
			out := in.Sorted()
			var got []string
			for _, e := range out.Topics[1].Items {
				got = append(got, e.URL)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("order = %v, want %v", got, tc.want)
			}
			if out.Topics[0].ID != "second" || out.Topics[1].ID != "first" {
				t.Errorf("topic order changed: %q, %q", out.Topics[0].ID, out.Topics[1].ID)
			}
			if !reflect.DeepEqual(tc.items, before) {
				t.Errorf("Sorted modified its input: %v", tc.items)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"hex", "3f2a9c0d11", true},
		{"dated", "d-20250701-0930_a.b", true},
		{"empty", "", false},
		{"space", "a b", false},
		{"header injection", "a\r\nBcc: x@example.org", false},
		{"at sign", "a@b", false},
		{"angle bracket", "a>b", false},
		{"leading dot", ".a", false},
		{"double dot", "a..b", false},
		{"non-ascii", "дайджест", false},
		{"too long", string(make([]byte, 129)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := validID(tc.id); got != tc.want {
				t.Errorf("validID(%q) = %v, want %v", tc.id, got, tc.want)
			}
		})
	}
}

// TestDigestFor: an addition stays one for the sinks its story went to;
// for any other it becomes the story's entry, the earlier report first
// among the others. A digest from before the sinks were recorded keeps
// its additions for every sink, and the digest given is not changed.
func TestDigestFor(t *testing.T) {
	first := Report{Title: "Court jails Sputnik's Kartavykh and Belousov", URL: "https://example.org/1", Source: "reuters.com"}
	other := Report{Title: "Суд арестовал руководителей Sputnik", URL: "https://example.org/2", Source: "interfax.ru"}
	d := Digest{ID: "d1", Topics: []Topic{{ID: "sputnik", Items: []Entry{
		{Title: "What the charges say", URL: "https://example.org/3", Earlier: &first, EarlierSentTo: []string{"desk"}, Also: []Report{other}},
		{Title: "An addition of an older version", URL: "https://example.org/4", Earlier: &first},
		{Title: "A new story", URL: "https://example.org/5"},
	}}}}

	desk := d.For("desk")
	if e := desk.Topics[0].Items[0]; e.Earlier == nil || len(e.Also) != 1 {
		t.Errorf("for the desk: %+v, want the addition as it was", e)
	}
	newsroom := d.For("newsroom")
	e := newsroom.Topics[0].Items[0]
	if e.Earlier != nil || e.EarlierSentTo != nil {
		t.Errorf("for the newsroom: adds to %+v, a story it never had", e.Earlier)
	}
	if want := []Report{first, other}; !reflect.DeepEqual(e.Also, want) {
		t.Errorf("for the newsroom: also %+v, want %+v", e.Also, want)
	}
	if e := newsroom.Topics[0].Items[1]; e.Earlier == nil {
		t.Error("an addition that does not say where its story went is no longer one")
	}
	if e := d.Topics[0].Items[0]; e.Earlier == nil || len(e.Also) != 1 || !reflect.DeepEqual(e.EarlierSentTo, []string{"desk"}) {
		t.Errorf("For changed the digest given: %+v", e)
	}
}
