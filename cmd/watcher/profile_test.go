package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"
)

// TestMemProfileWhenAsked: main turns the runtime's heap sampling off, so
// --memprofile must turn it back on; a profile of a cycle over a real
// feed holds what the cycle allocated.
func TestMemProfileWhenAsked(t *testing.T) {
	dir, _ := archiveRig(t)
	path := filepath.Join(dir, "heap.pprof")
	if r := watcher(t, dir, nil, "--once", "--memprofile", path); r.code != exitOK {
		t.Fatalf("--once --memprofile: exit %d\n%s", r.code, r.stderr)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	space := -1
	for i, st := range p.SampleType {
		if st.Type == "alloc_space" {
			space = i
		}
	}
	if space < 0 {
		t.Fatalf("no alloc_space in the profile's sample types %v", p.SampleType)
	}
	var total int64
	for _, s := range p.Sample {
		total += s.Value[space]
	}
	// One sample is taken about every 512 KB allocated; a cycle that
	// opens the state, reads a feed and matches it allocates several MB.
	if total < 512<<10 {
		t.Fatalf("the profile holds %d bytes allocated in %d samples: heap sampling was not turned on", total, len(p.Sample))
	}
}
