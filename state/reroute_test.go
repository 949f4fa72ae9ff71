package state

import (
	"errors"
	"testing"
	"time"
)

// TestReroute: a digest's pending deliveries move from a sink that is gone
// to a new one in one write; a delivered entry stays; the digest stays
// open until the new sink has it; and a digest cannot be left without sinks.
func TestReroute(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := openTemp(t, clk)
	mustCommit(t, s, Batch{Digest: digest("d1", clk.Now(), "webhook old", "email desk")})
	if _, err := s.RecordDelivery("d1", "email desk", nil, time.Time{}, 10); err != nil {
		t.Fatal(err)
	}
	d, err := s.Reroute("d1", []string{"webhook old"}, []string{"desk"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sinks) != 2 || d.Sinks["desk"] == nil || d.Sinks["desk"].Delivered || !d.Sinks["email desk"].Delivered {
		t.Errorf("rerouted sinks %+v", d.Sinks)
	}
	pending, err := s.Pending()
	if err != nil || len(pending) != 1 || pending[0].Sinks["webhook old"] != nil {
		t.Errorf("pending after reroute: %+v (%v)", pending, err)
	}
	if _, err := s.Reroute("d1", []string{"desk"}, nil); err != nil {
		t.Fatal(err)
	}
	if pending, _ := s.Pending(); len(pending) != 0 {
		t.Errorf("a digest every remaining sink has is still pending: %+v", pending)
	}
	mustCommit(t, s, Batch{Digest: digest("d2", clk.Now(), "webhook old")})
	if _, err := s.Reroute("d2", []string{"webhook old"}, nil); err == nil {
		t.Error("a digest was left with no sink")
	}
	if _, err := s.Reroute("nope", nil, nil); !errors.Is(err, ErrNoDigest) {
		t.Errorf("unknown digest: %v", err)
	}
}
