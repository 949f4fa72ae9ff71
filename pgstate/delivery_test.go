package pgstate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

func TestPendingOldestFirst(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := openTemp(t, clk)
	clk.Advance(3 * time.Hour)
	mustCommit(t, s, state.Batch{Digest: digest("b", t0.Add(2*time.Hour), "email")})
	mustCommit(t, s, state.Batch{Digest: digest("c", time.Time{}, "email")})
	mustCommit(t, s, state.Batch{Digest: digest("a2", t0, "email"), More: []*state.Digest{digest("a1", t0, "email")}})
	pending, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(pending), []string{"a1", "a2", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Pending = %v, want %v", got, want)
	}
	if got := pending[3].Created; !got.Equal(t0.Add(3 * time.Hour)) {
		t.Errorf("digest with zero Created got %v, want the clock's %v", got, t0.Add(3*time.Hour))
	}
}

func TestRecordDelivery(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, state.Batch{Digest: digest("d1", t0, "email", "webhook")})
	refused := errors.New("smtp: 451 try again later")
	retry := t0.Add(5 * time.Minute)

	clk.Advance(time.Minute)
	for i := 1; i <= 2; i++ {
		parked, err := s.RecordDelivery(ctx, "d1", "email", refused, retry, 3)
		if err != nil || parked {
			t.Fatalf("failure %d: parked=%v err=%v", i, parked, err)
		}
	}
	if parked, err := s.RecordDelivery(ctx, "d1", "webhook", nil, time.Time{}, 3); err != nil || parked {
		t.Fatalf("webhook success: parked=%v err=%v", parked, err)
	}
	d := onlyDigest(t, s)
	wantEmail := state.Delivery{Attempts: 2, LastError: refused.Error(), NextAttempt: retry}
	wantHook := state.Delivery{Delivered: true, DeliveredAt: t0.Add(time.Minute), Attempts: 1}
	if *d.Sinks["email"] != wantEmail || *d.Sinks["webhook"] != wantHook {
		t.Errorf("sinks = email %+v, webhook %+v; want %+v, %+v", *d.Sinks["email"], *d.Sinks["webhook"], wantEmail, wantHook)
	}
	expectLists(t, s, []string{"d1"}, nil)

	parked, err := s.RecordDelivery(ctx, "d1", "email", refused, retry, 3)
	if err != nil || !parked {
		t.Fatalf("third failure of 3: parked=%v err=%v, want parked", parked, err)
	}
	expectLists(t, s, nil, []string{"d1"})
	if d := onlyDigest(t, s); d.Delivered() || d.Sinks["email"].Attempts != 3 {
		t.Errorf("parked digest = %+v", *d.Sinks["email"])
	}
	last, ok, err := s.LastDelivered(ctx)
	if err != nil || !ok || last.ID != "d1" || len(last.Payload) == 0 {
		t.Errorf("LastDelivered = %+v, %v, %v; want d1 with its content", last, ok, err)
	}
}

func TestRecordDeliverySuccessAfterFailures(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, state.Batch{Digest: digest("d1", t0, "email")})
	if _, err := s.RecordDelivery(ctx, "d1", "email", errors.New("dial tcp: connection refused"), t0.Add(time.Minute), 0); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	if _, err := s.RecordDelivery(ctx, "d1", "email", nil, time.Time{}, 0); err != nil {
		t.Fatal(err)
	}
	d := onlyDigest(t, s)
	want := state.Delivery{Delivered: true, DeliveredAt: t0.Add(2 * time.Minute), Attempts: 2}
	if *d.Sinks["email"] != want || !d.Delivered() {
		t.Errorf("delivery = %+v, want %+v", *d.Sinks["email"], want)
	}
	if d.Payload != nil {
		t.Errorf("a delivered digest keeps its payload of %d bytes", len(d.Payload))
	}
	expectLists(t, s, nil, nil)
}

func TestRecordDeliveryRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		id      string
		sink    string
		sendErr error
		wantErr string
	}{
		{"unknown digest", "d9", "email", nil, `record delivery of digest "d9" to "email" in state `},
		{"unknown sink", "d1", "telegram", nil, `digest is not for sink "telegram"`},
		{"failure after delivery", "d1", "webhook", errors.New("late"), `sink "webhook": failure reported after delivery`},
	}
	s := openTemp(t, newClock())
	mustCommit(t, s, state.Batch{Digest: digest("d1", t0, "email", "webhook")})
	if _, err := s.RecordDelivery(ctx, "d1", "webhook", nil, time.Time{}, 3); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.RecordDelivery(ctx, tc.id, tc.sink, tc.sendErr, time.Time{}, 3)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("RecordDelivery = %v, want an error containing %q", err, tc.wantErr)
			}
			if tc.id == "d9" && !errors.Is(err, state.ErrNoDigest) {
				t.Errorf("error %v does not wrap state.ErrNoDigest", err)
			}
			if d := onlyDigest(t, s); *d.Sinks["email"] != (state.Delivery{}) {
				t.Errorf("a rejected record changed the digest: %+v", *d.Sinks["email"])
			}
		})
	}
}

func onlyDigest(t *testing.T, s *Store) state.Digest {
	t.Helper()
	ds, err := s.Digests(ctx)
	if err != nil || len(ds) != 1 {
		t.Fatalf("Digests = %v, %v; want one", ids(ds), err)
	}
	return ds[0]
}

func expectLists(t *testing.T, s *Store, pending, parked []string) {
	t.Helper()
	p, err := s.Pending(ctx)
	if err != nil || !reflect.DeepEqual(ids(p), nonNil(pending)) {
		t.Errorf("Pending = %v, %v; want %v", ids(p), err, pending)
	}
	k, err := s.Parked(ctx)
	if err != nil || !reflect.DeepEqual(ids(k), nonNil(parked)) {
		t.Errorf("Parked = %v, %v; want %v", ids(k), err, parked)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var errRefused = errors.New("smtp: 554 rejected")

// recordOnce reports one attempt with a limit of one, so a failure parks.
func recordOnce(t *testing.T, s *Store, id string, sendErr error) {
	t.Helper()
	if _, err := s.RecordDelivery(ctx, id, "email", sendErr, time.Time{}, 1); err != nil {
		t.Fatal(err)
	}
}

// held is a digest held for sink "desk" and sent at once to "hook".
func held(id string, created time.Time) *state.Digest {
	d := digest(id, created, "hook")
	d.Sinks["desk"] = &state.Delivery{Held: true}
	return d
}

func TestMergeGathersHeldDigests(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, state.Batch{Digest: held("a", t0), More: []*state.Digest{held("b", t0.Add(time.Hour))}})
	clk.Advance(2 * time.Hour)
	into := state.Digest{ID: "m", Payload: []byte(`{"merged":true}`), Merged: []string{"a", "b"}, Sinks: map[string]*state.Delivery{"desk": {}}}
	if err := s.Merge(ctx, into, "desk"); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(ctx)
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
	if err := s.Merge(ctx, again, "desk"); !errors.Is(err, state.ErrNotHeld) {
		t.Fatalf("second merge: %v, want state.ErrNotHeld", err)
	}
	if all, err := s.Digests(ctx); err != nil || len(all) != 3 {
		t.Errorf("%d digests after a refused merge (%v), want 3: it must write nothing", len(all), err)
	}
}

// TestRecordParts: the parts of a split digest a chat sink has accepted
// are kept, never lowered, and left alone once the sink has it all.
func TestRecordParts(t *testing.T) {
	t.Parallel()
	s := openTemp(t, newClock())
	mustCommit(t, s, state.Batch{Digest: digest("d1", t0, "slack", "email")})
	parts := func() int {
		t.Helper()
		pending, err := s.Pending(ctx)
		if err != nil || len(pending) != 1 {
			t.Fatalf("Pending = %v, %v", pending, err)
		}
		return pending[0].Sinks["slack"].Parts
	}
	for _, n := range []int{2, 1} {
		if err := s.RecordParts(ctx, "d1", "slack", n); err != nil {
			t.Fatal(err)
		}
	}
	if got := parts(); got != 2 {
		t.Errorf("parts = %d after recording 2 then 1, want 2", got)
	}
	if err := s.RecordParts(ctx, "d1", "matrix", 1); err == nil {
		t.Error("parts recorded for a sink the digest is not for")
	}
	if err := s.RecordParts(ctx, "nope", "slack", 1); !errors.Is(err, state.ErrNoDigest) {
		t.Errorf("unknown digest: %v, want ErrNoDigest", err)
	}
}
