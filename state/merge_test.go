package state

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// held is a digest held for sink "desk" and sent at once to "hook".
func held(id string, created time.Time) *Digest {
	d := digest(id, created, "hook")
	d.Sinks["desk"] = &Delivery{Held: true}
	return d
}

// TestMergeGathersHeldDigests: the gathered digest is stored and the held
// ones marked merged into it in one step; the other sink's progress is
// untouched; a second merge of the same digests writes nothing.
func TestMergeGathersHeldDigests(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, Batch{Digest: held("a", t0), More: []*Digest{held("b", t0.Add(time.Hour))}})
	clk.Advance(2 * time.Hour)
	into := Digest{ID: "m", Payload: []byte(`{"merged":true}`), Merged: []string{"a", "b"}, Sinks: map[string]*Delivery{"desk": {}}}
	if err := s.Merge(into, "desk"); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(pending), []string{"a", "b", "m"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("pending %v, want %v (a and b still wait for hook)", got, want)
	}
	for _, d := range pending[:2] {
		desk, hook := d.Sinks["desk"], d.Sinks["hook"]
		if !desk.Delivered || desk.MergedInto != "m" || !desk.DeliveredAt.Equal(clk.Now()) || hook.Delivered || len(d.Payload) == 0 {
			t.Errorf("digest %s after merge: desk %+v, hook %+v, payload %d bytes", d.ID, desk, hook, len(d.Payload))
		}
	}
	if m := pending[2]; m.Sinks["desk"].Held || !reflect.DeepEqual(m.Merged, []string{"a", "b"}) {
		t.Errorf("merged digest %+v: want a plain delivery gathering a and b", m)
	}
	again := into
	again.ID = "m2"
	if err := s.Merge(again, "desk"); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("second merge: %v, want ErrNotHeld", err)
	}
	all, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("%d digests after a refused merge, want 3: it must write nothing", len(all))
	}
}

// TestMergeRefusesWhatIsNotHeld: a digest sent at once to the sink, or one
// for another sink, is not gathered, and nothing is written.
func TestMergeRefusesWhatIsNotHeld(t *testing.T) {
	s := openTemp(t, newClock())
	mustCommit(t, s, Batch{Digest: held("a", t0), More: []*Digest{digest("plain", t0, "desk")}})
	into := Digest{ID: "m", Payload: []byte(`{}`), Merged: []string{"a", "plain"}, Sinks: map[string]*Delivery{"desk": {}}}
	if err := s.Merge(into, "desk"); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("merge of a plain delivery: %v, want ErrNotHeld", err)
	}
	pending, err := s.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].Sinks["desk"].Delivered {
		t.Errorf("after a refused merge: %+v", pending)
	}
	if err := s.Merge(Digest{ID: "x", Merged: []string{"a"}, Sinks: map[string]*Delivery{"hook": {}}}, "desk"); err == nil {
		t.Error("merge into a digest for another sink: no error")
	}
}

// TestLastDeliveredKeepsTheContent: once every sink has a digest its
// content is dropped, but the latest delivered one stays readable.
func TestLastDeliveredKeepsTheContent(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	if _, ok, err := s.LastDelivered(); ok || err != nil {
		t.Fatalf("fresh file: ok %v, err %v; want nothing", ok, err)
	}
	mustCommit(t, s, Batch{Digest: digest("old", t0, "desk")})
	mustCommit(t, s, Batch{Digest: digest("new", t0.Add(time.Hour), "desk")})
	for _, id := range []string{"new", "old"} { // delivered out of order
		if _, err := s.RecordDelivery(id, "desk", nil, time.Time{}, 10); err != nil {
			t.Fatal(err)
		}
	}
	d, ok, err := s.LastDelivered()
	if err != nil || !ok || d.ID != "new" || string(d.Payload) != `{"topic":"azal-8243"}` {
		t.Errorf("LastDelivered = %s %q, %v, %v; want new with its content", d.ID, d.Payload, ok, err)
	}
}

// TestCommitMoreDigestsTogether: further digests are written with the
// first, and are refused without one.
func TestCommitMoreDigestsTogether(t *testing.T) {
	s := openTemp(t, newClock())
	if err := s.Commit(Batch{More: []*Digest{digest("x", t0, "desk")}}); err == nil {
		t.Error("further digests without a first: no error")
	}
	mustCommit(t, s, Batch{Digest: digest("a", t0, "desk"), More: []*Digest{digest("b", t0, "hook")}})
	if all, err := s.Digests(); err != nil || !reflect.DeepEqual(ids(all), []string{"a", "b"}) {
		t.Errorf("digests %v, %v; want a and b", ids(all), err)
	}
}
