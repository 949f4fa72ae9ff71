package state

import (
	"errors"
	"testing"
	"time"
)

// TestRecordParts checks a split digest's progress survives a failure
// and a reopen, never goes back, and is kept apart per sink.
func TestRecordParts(t *testing.T) {
	clk := newClock()
	path := t.TempDir() + "/state.db"
	s := openAt(t, path, clk)
	mustCommit(t, s, Batch{Digest: digest("d1", t0, "slack", "matrix")})
	if err := s.RecordParts("d1", "slack", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordParts("d1", "slack", 1); err != nil { // a late, lower report
		t.Fatal(err)
	}
	if _, err := s.RecordDelivery("d1", "slack", errors.New("429 Too Many Requests"), t0.Add(time.Minute), 10); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path, clk)
	d := onlyDigest(t, s)
	if got := d.Sinks["slack"].Parts; got != 2 {
		t.Errorf("slack parts after reopen = %d, want 2", got)
	}
	if got := d.Sinks["matrix"].Parts; got != 0 {
		t.Errorf("matrix parts = %d, want 0: progress is per sink", got)
	}
	if err := s.RecordParts("d1", "email", 1); err == nil {
		t.Error("RecordParts for a sink the digest is not for: no error")
	}
	if err := s.RecordParts("nope", "slack", 1); !errors.Is(err, ErrNoDigest) {
		t.Errorf("RecordParts of an unknown digest = %v, want ErrNoDigest", err)
	}
}
