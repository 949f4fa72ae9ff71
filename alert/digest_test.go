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
