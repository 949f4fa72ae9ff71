package alert

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Baku court", "Baku court"},
		{"cyrillic and azerbaijani kept", "Суд — Səfərov", "Суд — Səfərov"},
		{"newlines collapse", "a\r\n\r\nb\tc", "a b c"},
		{"trimmed", "  a  ", "a"},
		{"nul and bell", "a\x00b\x07c", "abc"},
		{"c1 control", "a\u0085b\u009bc", "a bc"},
		{"rlo and pdf", "a\u202eb\u202cc", "abc"},
		{"all embeddings and overrides", "\u202a\u202b\u202c\u202d\u202ex", "x"},
		{"isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
		{"marks", "a\u200eb\u200fc\u061cd", "abcd"},
		{"line separator", "a\u2028b", "a b"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clean(tc.in); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("ы", 10)
	if got := truncate(long, 10); got != long {
		t.Errorf("truncate at length changed it: %q", got)
	}
	if got := truncate(long, 5); got != "ыыыы…" {
		t.Errorf("truncate(%q, 5) = %q, want %q", long, got, "ыыыы…")
	}
}

func TestLinkable(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"https://report.az/en/1", true},
		{"HTTP://example.org/", true},
		{"javascript:alert(1)", false},
		{"JaVaScRiPt:alert(1)", false},
		{"data:text/html,<b>x</b>", false},
		{"vbscript:x", false},
		{"/relative/path", false},
		{"//example.org/x", false},
		{"ftp://example.org/x", false},
		{"http:no-host", false},
		{"https:///path-only", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			if got := linkable(tc.url); got != tc.want {
				t.Errorf("linkable(%q) = %v, want %v", tc.url, got, tc.want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "https://hooks.example.org/path", "https://hooks.example.org/path"},
		{"userinfo", "https://user:pw@hooks.example.org/p", "https://hooks.example.org/p"},
		{"query token", "https://hooks.example.org/p?token=s3cret&x=1", "https://hooks.example.org/p"},
		{"fragment", "https://hooks.example.org/p#s3cret", "https://hooks.example.org/p"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := redactURL(tc.in); got != tc.want {
				t.Errorf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
