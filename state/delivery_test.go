package state

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestPendingOldestFirst(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	clk.Advance(3 * time.Hour)
	// Committed out of order; "c" takes its time from the clock.
	mustCommit(t, s, Batch{Digest: digest("b", t0.Add(2*time.Hour), "email")})
	mustCommit(t, s, Batch{Digest: digest("c", time.Time{}, "email")})
	mustCommit(t, s, Batch{Digest: digest("a2", t0, "email")})
	mustCommit(t, s, Batch{Digest: digest("a1", t0, "email")})

	pending, err := s.Pending()
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
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, Batch{Digest: digest("d1", t0, "email", "webhook")})
	refused := errors.New("smtp: 451 try again later")
	retry := t0.Add(5 * time.Minute)

	clk.Advance(time.Minute)
	for i := 1; i <= 2; i++ {
		parked, err := s.RecordDelivery("d1", "email", refused, retry, 3)
		if err != nil || parked {
			t.Fatalf("failure %d: parked=%v err=%v", i, parked, err)
		}
	}
	if parked, err := s.RecordDelivery("d1", "webhook", nil, time.Time{}, 3); err != nil || parked {
		t.Fatalf("webhook success: parked=%v err=%v", parked, err)
	}
	d := onlyDigest(t, s)
	wantEmail := Delivery{Attempts: 2, LastError: refused.Error(), NextAttempt: retry}
	wantHook := Delivery{Delivered: true, DeliveredAt: t0.Add(time.Minute), Attempts: 1}
	if *d.Sinks["email"] != wantEmail || *d.Sinks["webhook"] != wantHook {
		t.Errorf("sinks = email %+v, webhook %+v; want %+v, %+v", *d.Sinks["email"], *d.Sinks["webhook"], wantEmail, wantHook)
	}
	expectLists(t, s, []string{"d1"}, nil)

	parked, err := s.RecordDelivery("d1", "email", refused, retry, 3)
	if err != nil || !parked {
		t.Fatalf("third failure of 3: parked=%v err=%v, want parked", parked, err)
	}
	expectLists(t, s, nil, []string{"d1"})
	if d := onlyDigest(t, s); d.Delivered() || d.Sinks["email"].Attempts != 3 {
		t.Errorf("parked digest = %+v", *d.Sinks["email"])
	}
}

func TestRecordDeliverySuccessAfterFailures(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, Batch{Digest: digest("d1", t0, "email")})
	if _, err := s.RecordDelivery("d1", "email", errors.New("dial tcp: connection refused"), t0.Add(time.Minute), 0); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	if _, err := s.RecordDelivery("d1", "email", nil, time.Time{}, 0); err != nil {
		t.Fatal(err)
	}
	d := onlyDigest(t, s)
	want := Delivery{Delivered: true, DeliveredAt: t0.Add(2 * time.Minute), Attempts: 2}
	if *d.Sinks["email"] != want || !d.Delivered() {
		t.Errorf("delivery = %+v, want %+v", *d.Sinks["email"], want)
	}
	if d.Payload != nil {
		t.Errorf("a delivered digest keeps its payload of %d bytes: a daemon's file would grow by a digest a cycle", len(d.Payload))
	}
	expectLists(t, s, nil, nil)
}

func TestRecordDeliveryRejects(t *testing.T) {
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
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t, newClock())
			mustCommit(t, s, Batch{Digest: digest("d1", t0, "email", "webhook")})
			if _, err := s.RecordDelivery("d1", "webhook", nil, time.Time{}, 3); err != nil {
				t.Fatal(err)
			}
			_, err := s.RecordDelivery(tc.id, tc.sink, tc.sendErr, time.Time{}, 3)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("RecordDelivery = %v, want an error containing %q", err, tc.wantErr)
			}
			if tc.id == "d9" && !errors.Is(err, ErrNoDigest) {
				t.Errorf("error %v does not wrap ErrNoDigest", err)
			}
			if d := onlyDigest(t, s); *d.Sinks["email"] != (Delivery{}) {
				t.Errorf("a rejected record changed the digest: %+v", *d.Sinks["email"])
			}
		})
	}
}

func onlyDigest(t *testing.T, s *Store) Digest {
	t.Helper()
	ds, err := s.Digests()
	if err != nil || len(ds) != 1 {
		t.Fatalf("Digests = %v, %v; want one", ids(ds), err)
	}
	return ds[0]
}

func expectLists(t *testing.T, s *Store, pending, parked []string) {
	t.Helper()
	p, err := s.Pending()
	if err != nil || !reflect.DeepEqual(ids(p), nonNil(pending)) {
		t.Errorf("Pending = %v, %v; want %v", ids(p), err, pending)
	}
	k, err := s.Parked()
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

// record reports one attempt with a limit of one, so a failure parks.
func record(t *testing.T, s *Store, id string, sendErr error) {
	t.Helper()
	if _, err := s.RecordDelivery(id, "email", sendErr, time.Time{}, 1); err != nil {
		t.Fatal(err)
	}
}

// TestOpenDigestIndex: Pending and Parked read only the digests some sink
// still has to accept, from an index the store keeps; a file written
// before the index existed gets it built on Open.
func TestOpenDigestIndex(t *testing.T) {
	clk := newClock()
	path := t.TempDir() + "/watcher.db"
	s := openAt(t, path, clk)
	for _, id := range []string{"sent", "waiting", "refused"} {
		mustCommit(t, s, Batch{Digest: digest(id, t0, "email")})
	}
	record(t, s, "sent", nil)
	record(t, s, "refused", errRefused)
	check := func(when string) {
		t.Helper()
		pending, err := s.Pending()
		if err != nil {
			t.Fatal(err)
		}
		parked, err := s.Parked()
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(pending); !reflect.DeepEqual(got, []string{"waiting"}) {
			t.Errorf("%s: pending %v, want [waiting]", when, got)
		}
		if got := ids(parked); !reflect.DeepEqual(got, []string{"refused"}) {
			t.Errorf("%s: parked %v, want [refused]", when, got)
		}
	}
	check("with the index")
	s.Close()

	// As a file from before the index: the bucket is gone.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketOpen) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s = openAt(t, path, clk)
	check("after rebuilding the index")
	record(t, s, "waiting", nil)
	if p, err := s.Pending(); err != nil || len(p) != 0 {
		t.Errorf("after the last delivery: pending %v, %v", ids(p), err)
	}
	all, err := s.Digests()
	if err != nil || len(all) != 3 {
		t.Errorf("Digests lists %d, %v; want all 3", len(all), err)
	}
}
