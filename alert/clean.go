package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes an untrusted string safe to display on one line: invalid
// UTF-8 is replaced, control characters and bidirectional formatting
// characters (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069: the Unicode
// Bidi_Control set) are dropped, and runs of white space, line breaks
// included, become one space. A feed title cannot then forge extra lines
// in the text digest or reorder what the reader sees.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// truncate cuts s to at most n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimSpace(string(runes[:n-1])) + "…"
}

// linkable reports whether a cleaned URL may become a link: only absolute
// http and https URLs with a host. Anything else (javascript:, data:,
// relative paths) is shown as text.
func linkable(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return true
	}
	return false
}

// webhookName is the name of a webhook given no name: its scheme and host
// and, for a URL with a path, a short hash of the path in place of it.
// Many services put the hook's secret token in the path (Mattermost's
// /hooks/TOKEN, Teams, Discord's /api/webhooks/ID/TOKEN), and the name
// goes into every log line, error, status table and metric label; the
// hash still tells two hooks of one host apart (and stays the same from
// run to run, as the name keys the sink's progress in the state).
func webhookName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "webhook (unparseable URL)"
	}
	name := "webhook " + (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	if u.Path == "" || u.Path == "/" {
		return name
	}
	sum := sha256.Sum256([]byte(u.EscapedPath()))
	return name + "/…" + hex.EncodeToString(sum[:4])
}

// redactURL returns raw without user info, query and fragment, where
// tokens and passwords usually live, for use in names and errors.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}
