package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTemplatesOnUntemplatedSinks: templates shape email and standard
// output only; on a webhook or a chat sink the key would be read and
// ignored, so it is an error at its line. On email it stays allowed.
func TestTemplatesOnUntemplatedSinks(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "desk.txt.tmpl"), []byte("{{.Subject}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	body := `topics:
  - id: sputnik
    title: Sputnik
    query: Kartavykh
alerts:
  webhook:
    - url: https://example.org/hook
      templates: {text: desk.txt.tmpl}
  email:
    - to: [desk@example.org]
      from: watcher@example.org
      smtp: {host: smtp.example.org, port: 587}
      templates: {text: desk.txt.tmpl}
  slack:
    - url: https://hooks.slack.com/services/T0/B0/token
      templates: {text: desk.txt.tmpl}
  telegram:
    - token: "123:abc"
      chat: "@desk"
      templates: {text: desk.txt.tmpl}
`
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, Options{})
	if err == nil {
		t.Fatal("loaded, want errors for templates on the webhook, Slack and Telegram sinks")
	}
	want := []string{
		path + ":8: alerts.webhook[0].templates: a webhook sink is not templated: templates apply to email and to standard output",
		path + ":16: alerts.slack[0].templates: a slack sink is not templated: templates apply to email and to standard output",
		path + ":20: alerts.telegram[0].templates: a telegram sink is not templated: templates apply to email and to standard output",
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
