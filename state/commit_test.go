package state

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// crashEnv makes the test binary act as a watcher that commits one cycle
// and is then killed, the store still open (see TestMain).
const crashEnv = "STATE_TEST_CRASH_PATH"

func crashBatch() Batch {
	return Batch{
		Sources: map[string]Source{"sputnik-az": {Initialized: true, ETag: `W/"8243"`, LastSuccess: t0}},
		Seen:    map[string][]string{"sputnik-az": keys("sputnik-az", 0, 500)},
		Digest:  digest("cycle-1", t0, "email", "webhook"),
	}
}

func commitAndCrash(path string) int {
	s, err := Open(path, Options{})
	if err != nil {
		return 3
	}
	if err := s.Commit(crashBatch()); err != nil {
		return 4
	}
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		return 5
	}
	_ = self.Kill() // SIGKILL: no Close, no deferred work, no clean exit
	select {}
}

func TestCommitSurvivesCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != -1 {
		t.Fatalf("writer was not killed after its commit: %v\n%s", err, out)
	}
	s := openAt(t, path, newClock())
	want := crashBatch()
	src, err := s.Source("sputnik-az")
	if err != nil || !reflect.DeepEqual(src, want.Sources["sputnik-az"]) {
		t.Errorf("Source = %+v, %v; want %+v", src, err, want.Sources["sputnik-az"])
	}
	if got := seenSet(t, s, "sputnik-az", want.Seen["sputnik-az"]); len(got) != 500 {
		t.Errorf("%d of 500 keys seen after the crash", len(got))
	}
	pending, err := s.Pending()
	if err != nil || !reflect.DeepEqual(ids(pending), []string{"cycle-1"}) {
		t.Errorf("Pending = %v, %v; want [cycle-1]", ids(pending), err)
	}
}

func TestCommitRoundTrip(t *testing.T) {
	clk := newClock()
	s := openTemp(t, clk)
	apa := Source{Initialized: true, ETag: `"abc"`, LastModified: "Fri, 27 Jun 2025 06:00:00 GMT",
		LastSuccess: t0, LastAttempt: t0}
	broken := Source{LastAttempt: t0, LastError: "status 503", Failures: 2, NextAttempt: t0.Add(time.Hour)}
	d := digest("d1", t0, "email")
	d.Payload = []byte(`{"title":"Сафаровы","az":"Səfərovlar"}`)
	mustCommit(t, s, Batch{
		Sources: map[string]Source{"apa": apa, "kommersant": broken},
		Seen:    map[string][]string{"apa": keys("apa", 0, 3)},
		Digest:  d,
	})

	all, err := s.Sources()
	if err != nil || !reflect.DeepEqual(all, map[string]Source{"apa": apa, "kommersant": broken}) {
		t.Errorf("Sources = %+v, %v", all, err)
	}
	if src, err := s.Source("never-fetched"); err != nil || !reflect.DeepEqual(src, Source{}) {
		t.Errorf("Source of an unknown name = %+v, %v; want the zero Source", src, err)
	}
	asked := append(keys("apa", 0, 3), keys("apa", 3, 2)...)
	want := map[string]bool{asked[0]: true, asked[1]: true, asked[2]: true}
	if got := seenSet(t, s, "apa", asked); !reflect.DeepEqual(got, want) {
		t.Errorf("SeenKeys = %v, want the first three", got)
	}
	if got := seenSet(t, s, "kommersant", asked); len(got) != 0 {
		t.Errorf("another source's keys leaked: %v", got)
	}
	ds, err := s.Digests()
	if err != nil || len(ds) != 1 {
		t.Fatalf("Digests = %v, %v", ds, err)
	}
	wantD := Digest{ID: "d1", Created: t0, Payload: d.Payload, Sinks: map[string]*Delivery{"email": {}}}
	if !reflect.DeepEqual(ds[0], wantD) {
		t.Errorf("digest = %+v, want %+v", ds[0], wantD)
	}
}

// TestCommitIsAtomic checks that a batch failing inside the transaction
// leaves no trace: no seen marks without their digest.
func TestCommitIsAtomic(t *testing.T) {
	s := openTemp(t, newClock())
	mustCommit(t, s, Batch{Digest: digest("d1", t0, "email")})
	fresh := keys("oc-media", 0, 10)
	err := s.Commit(Batch{
		Sources: map[string]Source{"oc-media": {Initialized: true}},
		Seen:    map[string][]string{"oc-media": fresh},
		Digest:  digest("d1", t0, "email"),
	})
	if err == nil || !strings.Contains(err.Error(), `digest "d1" already stored`) {
		t.Fatalf("Commit of a duplicate digest = %v", err)
	}
	if got := seenSet(t, s, "oc-media", fresh); len(got) != 0 {
		t.Errorf("%d keys marked seen by a failed commit", len(got))
	}
	if src, _ := s.Source("oc-media"); src.Initialized {
		t.Error("source state written by a failed commit")
	}
}

func TestCommitRejects(t *testing.T) {
	tests := []struct {
		name    string
		batch   Batch
		wantErr string
	}{
		{"empty source name", Batch{Sources: map[string]Source{"": {}}}, "source with an empty name"},
		{"seen for empty source", Batch{Seen: map[string][]string{"": {"k"}}}, "seen keys for a source with an empty name"},
		{"empty key", Batch{Seen: map[string][]string{"apa": {"k", ""}}}, `source "apa": item key of 0 bytes`},
		{"empty touched key", Batch{Touched: map[string][]string{"apa": {""}}}, `source "apa": item key of 0 bytes`},
		{"digest without ID", Batch{Digest: digest("", t0, "email")}, "digest ID of 0 bytes"},
		{"digest without sinks", Batch{Digest: digest("d", t0)}, `digest "d" has no sinks`},
		{"digest with empty sink", Batch{Digest: digest("d", t0, "")}, `digest "d": sink with an empty name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t, newClock())
			tc.batch.Seen = mergeSeen(tc.batch.Seen, "apa", "k")
			err := s.Commit(tc.batch)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Commit = %v, want an error containing %q", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), "commit to state "+s.Path()+": ") {
				t.Errorf("error %q does not name the file", err)
			}
			if got := seenSet(t, s, "apa", []string{"k"}); len(got) != 0 {
				t.Error("a rejected batch marked keys seen")
			}
		})
	}
}

// mergeSeen adds one valid key so a rejected batch has something to leak.
func mergeSeen(m map[string][]string, src, key string) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	m[src] = append([]string{key}, m[src]...)
	return m
}
