package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// manySources writes a configuration of n sources, spread over 500 hosts
// as large deployments are (many sections of each outlet), and returns its
// path.
func manySources(tb testing.TB, n int) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("schedule: \"*/30 * * * *\"\nsources:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: outlet-%06d\n    feed: https://news%03d.example.org/rss/%d.xml\n", i, i%500, i)
		if i%10 == 0 {
			b.WriteString("    lang: ru\n    fulltext: true\n")
		}
	}
	b.WriteString("topics:\n  - id: azal-compensation\n    title: AZAL 8243\n    query: AZAL AND compensation\n")
	path := filepath.Join(tb.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestHundredThousandSources loads a configuration of 100,000 sources:
// the guard against alias bombs must not count a large plain file.
func TestHundredThousandSources(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and loads a 6 MB configuration")
	}
	const n = 100_000
	c, err := Load(manySources(t, n), testOptions())
	if err != nil {
		t.Fatalf("load %d sources: %.300v", n, err)
	}
	if len(c.Sources) != n || c.Sources[n-1].Name != fmt.Sprintf("outlet-%06d", n-1) {
		t.Fatalf("loaded %d sources, want %d", len(c.Sources), n)
	}
	if hosts := c.SourceHosts(); len(hosts) != 500 {
		t.Errorf("%d source hosts, want 500", len(hosts))
	}
}

// TestAliasBombAmongManySources checks that a large plain file does not
// let an alias bomb through: its room grows with the file's own size, not
// with what the aliases multiply.
func TestAliasBombAmongManySources(t *testing.T) {
	path := manySources(t, 20_000)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bomb := "  - &t {id: bomb, title: Bomb, query: q, exclude: [" + strings.Repeat("q, ", 199) + "q]}\n" +
		strings.Repeat("  - *t\n", 1000)
	data = []byte(strings.Replace(string(data), "topics:\n", "topics:\n"+bomb, 1))
	_, err = Parse(data, "bomb.yaml", testOptions())
	if err == nil || !strings.Contains(err.Error(), "too many values: aliases expand this file by more than 100000 values") {
		t.Fatalf("Parse = %.300v; want the alias bomb refused", err)
	}
}

// BenchmarkLoadHundredThousandSources measures loading (and checking) a
// configuration of 100,000 sources.
func BenchmarkLoadHundredThousandSources(b *testing.B) {
	path := manySources(b, 100_000)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(path, testOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
