package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and
// must fail only with *Error values naming the file.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	env := func(string) (string, bool) { return "${X} $$ : #", true }
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml", Options{Getenv: env})
		if err == nil {
			if c == nil {
				t.Fatal("Parse returned neither a config nor an error")
			}
			_ = c.Redacted()
			_ = c.SourceHosts()
			return
		}
		for _, e := range splitErrors(err) {
			if ce, ok := errors.AsType[*Error](e); !ok || ce.File != "fuzz.yaml" {
				t.Fatalf("error %q is %T, want *Error naming fuzz.yaml", e, e)
			}
		}
	})
}
