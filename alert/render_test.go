package alert

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendering; got:\n%s", path, got)
	}
}

func TestRenderTextGolden(t *testing.T) {
	golden(t, "digest.txt.golden", RenderText(testDigest()))
}

func TestRenderHTMLGolden(t *testing.T) {
	got, err := RenderHTML(testDigest())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "digest.html.golden", got)
}

// renderings returns the digest as the three outputs a user sees.
func renderings(t *testing.T, d Digest) map[string]string {
	t.Helper()
	html, err := RenderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	body, err := encodePayload(d)
	if err != nil {
		t.Fatal(err)
	}
	// Decode the JSON so escapes like \u202e are checked as characters.
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	var js strings.Builder
	for _, tp := range p.Topics {
		for _, it := range tp.Items {
			js.WriteString(strings.Join([]string{it.Title, it.URL, it.Source, it.Snippet}, "|"))
		}
	}
	return map[string]string{"text": RenderText(d), "html": html, "json": js.String()}
}

func TestRenderStripsControlAndBidi(t *testing.T) {
	for name, out := range renderings(t, testDigest()) {
		t.Run(name, func(t *testing.T) {
			for _, r := range out {
				if r == '\n' && name != "json" {
					continue // the renderings' own line breaks
				}
				if strings.ContainsRune("\x00\x07\r\t\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c", r) {
					t.Errorf("%s rendering contains %U", name, r)
				}
			}
			if !strings.Contains(out, "Sputnik Azerbaijan detainees update") {
				t.Errorf("%s rendering lost the text around the bidi characters", name)
			}
			if strings.Contains(out, "\nFAKE: injected line") {
				t.Errorf("%s rendering let a title start its own line", name)
			}
		})
	}
}

func TestRenderHTMLEscapes(t *testing.T) {
	html, err := RenderHTML(testDigest())
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<img", `href="javascript:`, "<b>blog"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Baku court",
		"link (not opened): javascript:alert(document.cookie)",
		`<a href="https://report.az/en/1000003">Sputnik Azerbaijan detainees update</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestRenderCapsItems(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		wantShown int
		wantMore  string
	}{
		{"under cap", 99, 99, ""},
		{"at cap", 100, 100, ""},
		{"over cap", 137, 100, "and 37 more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := bigDigest(tc.n)
			html, err := RenderHTML(d)
			if err != nil {
				t.Fatal(err)
			}
			for name, out := range map[string]string{"text": RenderText(d), "html": html} {
				if got := strings.Count(out, "https://example.org/news/"); got != tc.wantShown {
					t.Errorf("%s shows %d items, want %d", name, got, tc.wantShown)
				}
				if tc.wantMore != "" && !strings.Contains(out, tc.wantMore) {
					t.Errorf("%s lacks %q", name, tc.wantMore)
				}
				if tc.wantMore == "" && strings.Contains(out, " more") {
					t.Errorf("%s says there are more items", name)
				}
				if !strings.Contains(out, "Item 000") || strings.Contains(out, "Item 100") {
					t.Errorf("%s does not show the newest items first", name)
				}
			}
		})
	}
}

func TestSubject(t *testing.T) {
	tests := []struct {
		name string
		d    Digest
		want string
	}{
		{"fixture", testDigest(),
			"watcher: 5 new — The Yekaterinburg case (2), Sputnik Azerbaijan detainees (2), AZAL flight 8243 (1)"},
		{"nothing", Digest{Topics: []Topic{{Title: "AZAL flight 8243"}}}, "watcher: nothing new"},
		{"hostile topic title", Digest{Topics: []Topic{{Title: "A\r\nBcc: x@example.org\u202e", Items: []Entry{{}}}}},
			"watcher: 1 new — A Bcc: x@example.org (1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Subject(tc.d); got != tc.want {
				t.Errorf("Subject() = %q, want %q", got, tc.want)
			}
		})
	}
	long := Digest{Topics: []Topic{{Title: strings.Repeat("Yekaterinburg ", 40), Items: []Entry{{}}}}}
	if got := Subject(long); len([]rune(got)) > maxSubjectRunes || !strings.HasSuffix(got, "…") {
		t.Errorf("long subject not cut to at most %d runes with an ellipsis: %q", maxSubjectRunes, got)
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	if err := w.Send(t.Context(), testDigest()); err != nil {
		t.Fatal(err)
	}
	if want := RenderText(testDigest()) + "\n"; b.String() != want {
		t.Errorf("Writer printed:\n%s\nwant:\n%s", b.String(), want)
	}
}
