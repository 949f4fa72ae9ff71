// Package watcher_test checks the architecture: the import direction
// between the project's packages.
package watcher_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/watcher-news/watcher/"

// allowed lists, for each package, the project packages it may import.
// crawl, match, alert and state never see each other; only watch and the
// command wire them together.
var allowed = map[string][]string{
	"item":        {},
	"config":      {},
	"crawl":       {"item"},
	"match":       {"item"},
	"alert":       {"item"},
	"state":       {"item"},
	"story":       {},
	"opml":        {},
	"watch":       {"item", "config", "crawl", "match", "alert", "state", "story", "pgstate"},
	"serve":       {},
	"cmd/watcher": {"item", "config", "crawl", "match", "alert", "state", "story", "watch", "serve", "opml", "pgstate"},
	"deploy":      {},
	"bench/cycle": {},

	// alert/chattest serves the chat services' APIs to tests.
	"alert/chattest": {},
	// The PostgreSQL store sits above state, whose types it keeps; the
	// test server is for tests only.
	"pgstate":         {"state", "item"},
	"internal/pgtest": {},
}

func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, inside := strings.CutPrefix(fields[0], module)
		if !inside {
			continue // the module root holds only this test
		}
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %s has no entry in the architecture table", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			if !contains(ok, dep) {
				t.Errorf("%s imports %s: not allowed", pkg, dep)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
