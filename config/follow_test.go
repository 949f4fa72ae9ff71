package config

import (
	"testing"
	"time"
)

func TestLoadFollow(t *testing.T) {
	c, err := Load("testdata/good_follow.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	follow := map[string]*Follow{}
	for _, tp := range c.Topics {
		follow[tp.ID] = tp.Follow
	}
	if follow["plain"] != nil || follow["off"] != nil {
		t.Errorf("follow without the key or set to false = %+v, %+v; want off", follow["plain"], follow["off"])
	}
	def := DefaultFollow()
	def.Line = 11
	if f := follow["on"]; f == nil || *f != def {
		t.Errorf("follow: true = %+v, want the defaults %+v", f, def)
	}
	want := Follow{Window: 336 * time.Hour, MinShared: 2, Terms: 50, MinLift: 2.5, Line: 20}
	if f := follow["tuned"]; f == nil || *f != want {
		t.Errorf("follow mapping = %+v, want %+v", f, want)
	}
}

func TestLoadFollowErrors(t *testing.T) {
	_, err := Load("testdata/bad_follow.yaml", testOptions())
	want := []string{
		`testdata/bad_follow.yaml:8: topics[0].follow: expected true or false (got "yes please")`,
		"testdata/bad_follow.yaml:13: topics[1].follow.window: must be greater than 0",
		"testdata/bad_follow.yaml:14: topics[1].follow.min_shared: must be at least 1 (got 0)",
		`testdata/bad_follow.yaml:15: topics[1].follow.terms: expected a whole number (got "many")`,
		"testdata/bad_follow.yaml:16: topics[1].follow.min_lift: must be at least 1 (got 0.5)",
		"testdata/bad_follow.yaml:17: topics[1].follow.since: unknown key",
	}
	got := splitErrors(err)
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(got), len(want), err)
	}
	for i := range got {
		if got[i].Error() != want[i] {
			t.Errorf("error %d:\n got: %s\nwant: %s", i, got[i], want[i])
		}
	}
}
