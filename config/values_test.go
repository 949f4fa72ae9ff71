package config

import (
	"slices"
	"testing"
)

// TestParseSize covers the size grammar of fetch.max_body.
func TestParseSize(t *testing.T) {
	tests := []struct {
		name, in string
		want     int64
		wantErr  bool
	}{
		{name: "plain bytes", in: "4096", want: 4096},
		{name: "bytes suffix", in: "512B", want: 512},
		{name: "decimal kilobytes", in: "500KB", want: 500_000},
		{name: "binary mebibytes", in: "10MiB", want: 10 << 20},
		{name: "space and lower case", in: " 2 gib ", want: 2 << 30},
		{name: "decimal gigabytes", in: "1GB", want: 1_000_000_000},
		{name: "zero", in: "0MiB", wantErr: true},
		{name: "negative", in: "-1MiB", wantErr: true},
		{name: "fraction", in: "1.5MiB", wantErr: true},
		{name: "unknown unit", in: "10TB", wantErr: true},
		{name: "no number", in: "MiB", wantErr: true},
		{name: "overflow", in: "9223372036854775807GiB", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSize(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestExpand covers ${VAR} expansion and the $$ escape.
func TestExpand(t *testing.T) {
	env := map[string]string{"A": "x", "B_2": "${A}", "EMPTY": ""}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name, in, want string
		problems       int
	}{
		{name: "no reference", in: "plain", want: "plain"},
		{name: "one variable", in: "a${A}b", want: "axb"},
		{name: "value is not expanded again", in: "${B_2}", want: "${A}"},
		{name: "empty but set", in: "[${EMPTY}]", want: "[]"},
		{name: "escaped dollar", in: "$${A}", want: "${A}"},
		{name: "bare dollar kept", in: "pa$word $", want: "pa$word $"},
		{name: "undefined", in: "${NOPE}", problems: 1},
		{name: "two undefined", in: "${NOPE} ${NADA}", problems: 2},
		{name: "unterminated", in: "x${A", problems: 1},
		{name: "bad name", in: "${A-B}", problems: 1},
		{name: "empty name", in: "${}", problems: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := expand(tc.in, getenv)
			if len(problems) != tc.problems || (tc.problems == 0 && got != tc.want) {
				t.Errorf("expand(%q) = %q, %q; want %q with %d problems", tc.in, got, problems, tc.want, tc.problems)
			}
		})
	}
	if _, problems := expand("${NOPE}", getenv); !slices.Equal(problems, []string{"environment variable NOPE is not set"}) {
		t.Errorf("undefined variable problem = %q", problems)
	}
}
