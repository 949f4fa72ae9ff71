package alert

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemplate(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTemplatesRenderTheView: custom templates see the documented data,
// cleaned like the built-in renderings; HTML values are escaped.
func TestTemplatesRenderTheView(t *testing.T) {
	text := writeTemplate(t, "d.txt", "{{.Count}}|{{range .Topics}}{{.ID}}:{{.Count}}:{{range .Items}}[{{.Source}}/{{.Published}}/{{.Link}}]{{end}};{{end}}")
	html := writeTemplate(t, "d.html", `{{range .Topics}}{{range .Items}}<a href="{{.Link}}">{{.Title}}</a>{{end}}{{end}}`)
	tm, err := ParseTemplates(text, html, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tm.Text(testDigest())
	if err != nil {
		t.Fatal(err)
	}
	// Newest first within a topic, as the built-in renderings.
	want := "5|yekaterinburg:2:[Interfax/2025-07-01 07:30 UTC/https://www.interfax.ru/russia/1000001]" +
		"[APA/2025-07-01 07:00 UTC/https://apa.az/xeber/1000002?utm_source=rss];" +
		"sputnik-detainees:2:[Report.az/2025-07-01 08:30 UTC/https://report.az/en/1000003][Unknown <b>blog</b>/2025-07-01 06:30 UTC/];" +
		"azal-8243:1:[Reuters/2025-07-01 09:00 UTC/https://www.reuters.com/world/1000004];"
	if got != want {
		t.Errorf("text:\n got %q\nwant %q", got, want)
	}
	h, err := tm.HTML(testDigest())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "<script>") || !strings.Contains(h, "&lt;script&gt;") || strings.Contains(h, "javascript:") {
		t.Errorf("html not escaped:\n%s", h)
	}
}

// TestTemplateParseErrorNamesFileAndLine: the parser's error carries the
// template's path and line, as `watcher check` shows it.
func TestTemplateParseErrorNamesFileAndLine(t *testing.T) {
	path := writeTemplate(t, "bad.txt", "{{.Subject}}\n{{range .Topics}}\n{{.Title}\n{{end}}\n")
	err := ValidateTemplate("text", path)
	if err == nil || !strings.Contains(err.Error(), path+":3:") {
		t.Errorf("error %v, want one naming %s:3", err, path)
	}
	if err := ValidateTemplate("text", filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: %v", err)
	}
}

// TestTemplateFailureFallsBack: a template that fails when run yields the
// built-in rendering, the error, and a log line naming the template.
func TestTemplateFailureFallsBack(t *testing.T) {
	path := writeTemplate(t, "late.txt", "{{(index .Topics 7).Title}}")
	var logs strings.Builder
	tm, err := ParseTemplates(path, "", slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tm.Text(testDigest())
	if err == nil || !strings.Contains(err.Error(), "index out of range") {
		t.Errorf("error %v, want index out of range", err)
	}
	if got != RenderText(testDigest()) {
		t.Errorf("fallback is not the built-in rendering:\n%s", got)
	}
	if !strings.Contains(logs.String(), "custom template failed") || !strings.Contains(logs.String(), path) {
		t.Errorf("log: %s", logs.String())
	}
	var none *Templates
	if h, err := none.HTML(testDigest()); err != nil || h != mustHTML(t) {
		t.Errorf("nil templates do not render the built-in HTML: %v", err)
	}
}

func mustHTML(t *testing.T) string {
	t.Helper()
	h, err := RenderHTML(testDigest())
	if err != nil {
		t.Fatal(err)
	}
	return h
}
