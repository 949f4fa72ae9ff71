package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadTelegram checks a telegram source's channel is read from each
// way people write it, and that its URL is its web preview.
func TestLoadTelegram(t *testing.T) {
	c, err := Load("testdata/good_telegram.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 2 {
		t.Fatalf("sources = %+v, want 2", c.Sources)
	}
	tests := []struct{ channel, base, url string }{
		{"MFA_Azerbaijan", "", "https://t.me/s/MFA_Azerbaijan"},
		{"sputnik_azerbaijan", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/s/sputnik_azerbaijan"},
	}
	for i, tc := range tests {
		s := c.Sources[i]
		if s.Telegram != tc.channel || s.Base != tc.base || s.URL() != tc.url {
			t.Errorf("source %d = channel %q, base %q, URL %q; want %q, %q, %q", i, s.Telegram, s.Base, s.URL(), tc.channel, tc.base, tc.url)
		}
	}
	if got, want := c.SourceHosts(), []string{"127.0.0.1:8080", "t.me:443"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("SourceHosts = %v, want %v", got, want)
	}
}

// TestLoadTelegramErrors checks each misuse of telegram and base is
// reported at its line.
func TestLoadTelegramErrors(t *testing.T) {
	path := filepath.Join("testdata", "bad_telegram.yaml")
	_, err := Load(path, testOptions())
	want := []string{
		path + `:3: sources[0].telegram: not a public channel username such as rian_ru or @rian_ru (got "@no")`,
		path + `:5: sources[1].telegram: give a telegram channel or a feed or page URL, not both`,
		path + `:9: sources[2].base: only applies to telegram sources`,
		path + `:10: sources[3]: links and fulltext do not apply to telegram sources (a post's text is on the channel page)`,
		path + `:15: sources[4].base: scheme must be http or https (got "ftp")`,
	}
	got := splitErrors(err)
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(got), len(want), err)
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("error %d:\n got: %s\nwant: %s", i, got[i], want[i])
		}
	}
}

// TestShippedTelegramExample uncomments the Telegram sources of the
// shipped config.yaml and checks they load as written.
func TestShippedTelegramExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	n := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "  # - name: "); ok && strings.HasSuffix(rest, "(Telegram)") {
			n++
			line = "  - name: " + rest
		} else if rest, ok := strings.CutPrefix(line, "  #   "); ok && n > 0 && (strings.HasPrefix(rest, "telegram:") || strings.HasPrefix(rest, "lang:")) {
			line = "    " + rest
		}
		out = append(out, line)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, Options{Getenv: func(string) (string, bool) { return "set", true }})
	if err != nil {
		t.Fatalf("the example does not load: %v", err)
	}
	var channels []string
	for _, s := range c.Sources {
		if s.Telegram != "" {
			channels = append(channels, s.Telegram+" "+s.URL())
		}
	}
	if n == 0 || len(channels) != n {
		t.Errorf("uncommented %d examples, loaded %v", n, channels)
	}
}
